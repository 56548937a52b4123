import { Injectable } from '@nestjs/common';
import { PushLogEntry, PushOutcome } from './entities/push-log-entry';
import { clampLimit, decodeCursor, Page, toPage } from './pagination';
import { ArchiveStore } from './storage/archive-store';

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
  constructor(private readonly store: ArchiveStore) {}

  async list(query: PushLogQuery = {}): Promise<Page<PushLogEntry>> {
    const limit = clampLimit(query.limit);
    const rows = await this.store.listPushLog({ type: query.type, phone: query.phone, outcome: query.outcome, afterId: decodeCursor(query.cursor), take: limit + 1 });
    return toPage(rows, limit);
  }
}
