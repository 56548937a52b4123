import { Injectable } from '@nestjs/common';
import { dataTypesOfKinds } from '@health-bridge/viatom-protocol';
import { Measurement } from './entities/measurement';
import { clampLimit, decodeCursor, Page, toPage } from './pagination';
import { ArchiveStore } from './storage/archive-store';

export interface MeasurementQuery {
  /** Selects the account that this phone authorized. */
  phone?: string;
  accountId?: string;
  dataType?: number;
  /** Only measurements of this kind (`blood-pressure`, `spo2`…). */
  kind?: string;
  /** Only measurements with this observation, its value within [min, max] (inclusive). */
  observation?: { name: string; min?: number; max?: number };
  /** Measured at or after (by measure time). */
  from?: Date;
  /** Measured before. */
  to?: Date;
  limit?: number;
  cursor?: string;
}

/** A read of measurements for a reader with its own paging (FHIR): newest first, ids below `beforeId`. */
export interface MeasurementScan {
  accountId?: string;
  dataTypes?: readonly number[];
  from?: Date;
  to?: Date;
  beforeId: number | null;
  take: number;
}

/** Reads the archived measurements, newest received first. */
@Injectable()
export class MeasurementService {
  constructor(private readonly store: ArchiveStore) {}

  async list(query: MeasurementQuery = {}): Promise<Page<Measurement>> {
    const limit = clampLimit(query.limit);
    const afterId = decodeCursor(query.cursor);
    let accountId = query.accountId;
    if (query.phone) {
      const authorization = await this.store.findAuthorization(query.phone);
      // A phone never seen has no account, hence no measurements; nor has one whose account is not the one asked for.
      if (!authorization || !authorization.accountId) return { items: [], nextCursor: null };
      if (accountId !== undefined && accountId !== authorization.accountId) return { items: [], nextCursor: null };
      accountId = authorization.accountId;
    }
    const rows = await this.store.listMeasurements({
      accountId,
      dataType: query.dataType,
      dataTypes: query.kind === undefined ? undefined : dataTypesOfKinds([query.kind]),
      observation: query.observation,
      from: query.from,
      to: query.to,
      afterId,
      take: limit + 1,
    });
    return toPage(rows, limit);
  }

  find(id: number): Promise<Measurement | null> {
    return this.store.findMeasurement(id);
  }

  scan(query: MeasurementScan): Promise<Measurement[]> {
    const { beforeId, ...filter } = query;
    return this.store.listMeasurements({ ...filter, afterId: beforeId });
  }

  /** Whether a measurement from the device with this serial number is kept. */
  hasDevice(deviceSn: string): Promise<boolean> {
    return this.store.hasDevice(deviceSn);
  }
}
