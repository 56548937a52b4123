import { Injectable } from '@nestjs/common';
import { Measurement } from './entities/measurement';
import { clampLimit, decodeCursor, Page, toPage } from './pagination';
import { ArchiveStore } from './storage/archive-store';

export interface MeasurementQuery {
  /** Selects the account that this phone authorized. */
  phone?: string;
  accountId?: string;
  dataType?: number;
  /** Measured at or after (by measure time). */
  from?: Date;
  /** Measured before. */
  to?: Date;
  limit?: number;
  cursor?: string;
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
    const rows = await this.store.listMeasurements({ accountId, dataType: query.dataType, from: query.from, to: query.to, afterId, take: limit + 1 });
    return toPage(rows, limit);
  }
}
