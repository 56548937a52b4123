import { Inject, Injectable, Optional } from '@nestjs/common';
import type { AccessRecord } from './entities/access-record';
import { HEALTH_ARCHIVE_OPTIONS, type HealthArchiveOptions } from './health-archive.options';
import { clampLimit, decodeCursor, type Page, toPage } from './pagination';
import { DataProtection } from './protection/data-protection';
import { ArchiveStore } from './storage/archive-store';

/** An answer that revealed people's data: who asked, by what route, and whom it was about. */
export interface AccessToRecord {
  apiKey: string;
  method: string;
  route: string;
  requestId: string | null;
  status: number;
  /** The people it revealed (duplicates are recorded once). */
  phones: readonly string[];
  at?: Date;
}

export interface AccessQuery {
  phone?: string;
  from?: Date;
  to?: Date;
  limit?: number;
  cursor?: string;
}

/**
 * The access audit: who read whose data. One row per person an answer revealed, written before
 * the answer goes out (an answer that cannot be recorded is not given). The person is kept as
 * their phone's keyed hash; found by phone through the same hash.
 */
@Injectable()
export class AccessAuditService {
  constructor(
    private readonly store: ArchiveStore,
    private readonly protection: DataProtection,
    @Optional() @Inject(HEALTH_ARCHIVE_OPTIONS) private readonly options: HealthArchiveOptions | null = null,
  ) {}

  /** How long rows are kept (the option `auditRetentionMs`); null: for ever. */
  get retentionMs(): number | null {
    const retention = this.options?.auditRetentionMs;
    return retention === undefined || retention === null || retention <= 0 ? null : retention;
  }

  async record(access: AccessToRecord): Promise<void> {
    const at = access.at ?? new Date();
    const hashes = [...new Set(access.phones.map((phone) => this.protection.phoneHash(phone)))];
    await this.store.recordAccess(
      hashes.map((phoneHash) => ({ at, apiKey: access.apiKey, method: access.method, route: access.route.slice(0, 200), phoneHash, requestId: access.requestId?.slice(0, 128) ?? null, status: access.status })),
    );
  }

  /** Newest first; `phone` any form the caller canonicalised. */
  async list(query: AccessQuery = {}): Promise<Page<AccessRecord>> {
    const limit = clampLimit(query.limit);
    const rows = await this.store.listAccess({
      phoneHash: query.phone === undefined ? undefined : this.protection.phoneHash(query.phone),
      from: query.from,
      to: query.to,
      afterId: decodeCursor(query.cursor),
      take: limit + 1,
    });
    return toPage(rows, limit);
  }

  /** Deletes what is older than the retention; how many. */
  async purge(now = new Date()): Promise<number> {
    const retention = this.retentionMs;
    return retention === null ? 0 : this.store.purgeAccess(new Date(now.getTime() - retention));
  }
}
