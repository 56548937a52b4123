import { Injectable } from '@nestjs/common';
import { ArchiveStore, type PoolState } from './storage/archive-store';

/** The archive's database, as health checks and metrics see it. */
@Injectable()
export class ArchiveHealth {
  private allApplied = false;

  constructor(private readonly store: ArchiveStore) {}

  /** Whether every migration of this build has been seen applied (by `pendingMigrations`), which stays true. */
  get migrationsSeenApplied(): boolean {
    return this.allApplied;
  }

  /** Resolves when the database answers; rejects with the driver's error when it does not. */
  ping(): Promise<void> {
    return this.store.ping();
  }

  /**
   * The migrations this build needs that the database lacks (empty when none). Migrations are
   * not taken back while a build runs: once all are seen applied, that is remembered.
   */
  async pendingMigrations(): Promise<string[]> {
    if (this.allApplied) return [];
    const pending = await this.store.pendingMigrations();
    this.allApplied = pending.length === 0;
    return pending;
  }

  /** The connection pool (PostgreSQL), for metrics; null on SQLite. */
  poolState(): PoolState | null {
    return this.store.poolState();
  }
}
