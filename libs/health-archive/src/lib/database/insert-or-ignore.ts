import { EntityManager } from 'typeorm';
import { dialectOf } from './dialect';

/**
 * `INSERT … ON CONFLICT DO NOTHING RETURNING id` on either engine: the new row's id, or
 * null when a unique constraint said the row already exists. One statement, so that
 * "is it a duplicate?" is decided by the database, not by a read before the write.
 */
export async function insertOrIgnore(
  manager: EntityManager,
  table: string,
  values: Record<string, unknown>,
): Promise<number | null> {
  const dialect = dialectOf(manager);
  const columns = Object.keys(values);
  const placeholders = columns.map((_, i) => (dialect === 'postgres' ? `$${i + 1}` : '?'));
  const params = columns.map((column) => toParameter(values[column], dialect));
  const sql =
    `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${placeholders.join(', ')}) ` +
    'ON CONFLICT DO NOTHING RETURNING "id"';
  const rows: Array<{ id: number | string }> = await manager.query(sql, params);
  return rows.length > 0 ? Number(rows[0].id) : null;
}

/**
 * A plain read on the hot path, where TypeORM's query builder and entity mapping would cost
 * more than the query: `?` placeholders (numbered for PostgreSQL), rows as the driver gives them.
 */
export function selectRows<T>(manager: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  const dialect = dialectOf(manager);
  let n = 0;
  const text = dialect === 'postgres' ? sql.replace(/\?/g, () => `$${++n}`) : sql;
  return manager.query(text, params.map((value) => toParameter(value, dialect)));
}

/** Parameters as each driver stores them: SQLite keeps instants as TypeORM's UTC datetime text. */
function toParameter(value: unknown, dialect: 'sqlite' | 'postgres'): unknown {
  if (value instanceof Date) return dialect === 'sqlite' ? sqliteDatetime(value) : value;
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  if (typeof value === 'boolean' && dialect === 'sqlite') return value ? 1 : 0;
  return value;
}

/** The text TypeORM writes for a `datetime` column on SQLite: `YYYY-MM-DD HH:mm:ss.SSS`, UTC. */
export function sqliteDatetime(instant: Date): string {
  const iso = instant.toISOString(); // YYYY-MM-DDTHH:mm:ss.sssZ (±YYYYYY beyond year 9999)
  return iso.length === 24 ? `${iso.slice(0, 10)} ${iso.slice(11, 23)}` : iso.replace('T', ' ').replace('Z', '');
}
