import type { DataSource } from 'typeorm';

/** The two engines this project runs on: SQLite (embedded default) and PostgreSQL (production). */
export type Dialect = 'sqlite' | 'postgres';

export function dialectOf(dataSource: DataSource): Dialect {
  const type = dataSource.options.type;
  if (type === 'better-sqlite3') return 'sqlite';
  if (type === 'postgres') return 'postgres';
  throw new Error(`Unsupported database type "${type}": health-archive runs on better-sqlite3 or postgres`);
}

/** Column types that differ between the engines; everything else is shared. */
export function columnTypes(dialect: Dialect) {
  return dialect === 'postgres'
    ? ({ instant: 'timestamptz', json: 'jsonb', id: 'bigint' } as const)
    : ({ instant: 'datetime', json: 'simple-json', id: 'integer' } as const);
}
