import { Injectable } from '@nestjs/common';
import { ArchiveStore } from './storage/archive-store';

/**
 * Statements of the libs that keep their own tables in the archive's database (the delivery
 * lib's endpoints, deliveries and cursors), run on the archive's connection: on SQLite inside
 * the archive's group commit, so that they share the pushes' one disk sync per turn instead of
 * paying their own (and no transaction of theirs can interleave with the archive's writes); on
 * PostgreSQL from the pool. Placeholders are the engine's (`$1…` on PostgreSQL, `?` on SQLite);
 * each statement is atomic alone, and its rows come back.
 */
@Injectable()
export class ArchiveStatements {
  constructor(private readonly store: ArchiveStore) {}

  rows<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    return this.store.runStatement(sql, params) as Promise<R[]>;
  }

  /** Several statements, all or none; each one's rows, in order. */
  all(statements: ReadonlyArray<{ sql: string; params: readonly unknown[] }>): Promise<Array<Array<Record<string, unknown>>>> {
    return this.store.runStatements(statements);
  }
}
