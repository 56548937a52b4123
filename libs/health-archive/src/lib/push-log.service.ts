import { Injectable } from '@nestjs/common';
import { PushType } from '@health-bridge/viatom-protocol';
import { PushLogEntry, PushOutcome } from './entities/push-log-entry';
import { clampLimit, decodeCursor, Page, toPage } from './pagination';
import { ArchiveStore, type PushMinuteCount } from './storage/archive-store';

export interface PushLogQuery {
  type?: number;
  phone?: string;
  outcome?: PushOutcome;
  limit?: number;
  cursor?: string;
}

/** The types of push Viatom defines, counted apart by `countByMinute`. */
const KNOWN_PUSH_TYPES: readonly number[] = [PushType.Measurement, PushType.UserAuthorized, PushType.UserCancelled];

/** Reads the push log: every push received, newest first. */
@Injectable()
export class PushLogService {
  constructor(private readonly store: ArchiveStore) {}

  async list(query: PushLogQuery = {}): Promise<Page<PushLogEntry>> {
    const limit = clampLimit(query.limit);
    const rows = await this.store.listPushLog({ type: query.type, phone: query.phone, outcome: query.outcome, afterId: decodeCursor(query.cursor), take: limit + 1 });
    return toPage(rows, limit);
  }

  /**
   * How many pushes were received in each minute (UTC) from `from` to `to` (both included), by
   * type and outcome: `type` is 1, 2 or 3 (PushType), or null for any other type (or none). Only
   * counts above 0, ordered by minute, then type (null last), then outcome.
   */
  countByMinute(from: Date, to: Date): Promise<PushMinuteCount[]> {
    return this.store.countPushesByMinute({ from, to, types: KNOWN_PUSH_TYPES });
  }
}
