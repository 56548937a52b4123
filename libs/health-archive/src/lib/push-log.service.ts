import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PushLogEntry, PushOutcome } from './entities/push-log-entry';
import { clampLimit, decodeCursor, Page, toPage } from './pagination';

export interface PushLogQuery {
  type?: number;
  phone?: string;
  outcome?: PushOutcome;
  limit?: number;
  cursor?: string;
}

/** Reads the push log: every push received, newest first. */
@Injectable()
export class PushLogService {
  constructor(private readonly dataSource: DataSource) {}

  async list(query: PushLogQuery = {}): Promise<Page<PushLogEntry>> {
    const limit = clampLimit(query.limit);
    const after = decodeCursor(query.cursor);
    const qb = this.dataSource.getRepository(PushLogEntry).createQueryBuilder('p').orderBy('p.id', 'DESC').take(limit + 1);
    if (query.type !== undefined) qb.andWhere('p.type = :type', { type: query.type });
    if (query.phone) qb.andWhere('p.phone = :phone', { phone: query.phone });
    if (query.outcome) qb.andWhere('p.outcome = :outcome', { outcome: query.outcome });
    if (after !== null) qb.andWhere('p.id < :after', { after });
    return toPage(await qb.getMany(), limit);
  }
}
