import type { Database } from 'better-sqlite3';
import type { DataSource } from 'typeorm';

/**
 * The one place that reaches behind TypeORM's public API: the drivers' own connections, which
 * the storage adapters use for their hot-path statements (better-sqlite3's prepared statements
 * and savepoints; node-postgres' pool for named statements and batched transactions). Both
 * properties are private to TypeORM: `typeorm` is pinned exactly in package.json, and the
 * contract suite fails at once if an upgrade moves them.
 */

/** better-sqlite3's connection behind a SQLite DataSource. */
export function sqliteConnectionOf(dataSource: DataSource): Database {
  const db = (dataSource.driver as unknown as { databaseConnection?: Database }).databaseConnection;
  if (!db) throw new Error('the SQLite DataSource has no open connection (TypeORM driver.databaseConnection)');
  return db;
}

/** node-postgres' pool behind a PostgreSQL DataSource; undefined while the DataSource is closed. */
export function postgresPoolOf(dataSource: DataSource): PgPool | undefined {
  return (dataSource.driver as unknown as { master?: PgPool }).master;
}

/** What the adapters use of node-postgres' pool and its clients. */
export interface PgPool {
  options?: { max?: number };
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  connect(): Promise<PgClient>;
}

export interface PgClient {
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[]; rowCount?: number | null }>;
  query<R = Record<string, unknown>>(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: R[] }>;
  release(error?: Error): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
}
