import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Authorization } from './entities/authorization';
import { Measurement } from './entities/measurement';
import { clampLimit, decodeCursor, Page, toPage } from './pagination';

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
  constructor(private readonly dataSource: DataSource) {}

  async list(query: MeasurementQuery = {}): Promise<Page<Measurement>> {
    const limit = clampLimit(query.limit);
    const after = decodeCursor(query.cursor);
    const qb = this.dataSource.getRepository(Measurement).createQueryBuilder('m').orderBy('m.id', 'DESC').take(limit + 1);
    if (query.phone) {
      const authorization = await this.dataSource.getRepository(Authorization).findOneBy({ phone: query.phone });
      // A phone never seen has no account, hence no measurements.
      if (!authorization || !authorization.accountId) return { items: [], nextCursor: null };
      qb.andWhere('m.accountId = :accountId', { accountId: authorization.accountId });
    }
    if (query.accountId) qb.andWhere('m.accountId = :accountIdFilter', { accountIdFilter: query.accountId });
    if (query.dataType !== undefined) qb.andWhere('m.dataType = :dataType', { dataType: query.dataType });
    if (query.from) qb.andWhere('m.measuredAt >= :from', { from: query.from });
    if (query.to) qb.andWhere('m.measuredAt < :to', { to: query.to });
    if (after !== null) qb.andWhere('m.id < :after', { after });
    return toPage(await qb.getMany(), limit);
  }
}
