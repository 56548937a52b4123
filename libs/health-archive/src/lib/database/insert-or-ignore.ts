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
 * PostgreSQL only: a push's log row and its measurement in one statement, atomic without an
 * explicit transaction (one round trip instead of BEGIN, two INSERTs, COMMIT). When the push's
 * dedupe key is taken, neither row is written and the first delivery's row is read in the same
 * statement when it was committed before it began (`duplicateOf`); otherwise null for both.
 */
export async function insertPushWithMeasurementOnPostgres(
  manager: EntityManager,
  push: Record<string, unknown> & { dedupe_key: string },
  measurement: Record<string, unknown>,
): Promise<{ pushId: number; measurementId: number } | { duplicateOf: { id: number; outcome: string } | null }> {
  const pushColumns = Object.keys(push);
  const measurementColumns = Object.keys(measurement);
  const params = [...pushColumns.map((c) => toParameter(push[c], 'postgres')), ...measurementColumns.map((c) => toParameter(measurement[c], 'postgres'))];
  // In INSERT … SELECT the parameters take no type from the target columns: each is cast.
  const measurementValues = measurementColumns.map((c, i) => `$${pushColumns.length + i + 1}::${MEASUREMENT_COLUMN_TYPES[c]}`);
  const dedupeKeyParam = `$${pushColumns.indexOf('dedupe_key') + 1}`;
  const sql =
    `WITH p AS (INSERT INTO "push_log" (${pushColumns.map((c) => `"${c}"`).join(', ')}) ` +
    `VALUES (${pushColumns.map((_, i) => `$${i + 1}`).join(', ')}) ON CONFLICT DO NOTHING RETURNING "id"), ` +
    `m AS (INSERT INTO "measurement" ("push_id", ${measurementColumns.map((c) => `"${c}"`).join(', ')}) ` +
    `SELECT p."id", ${measurementValues.join(', ')} FROM p RETURNING "id", "push_id") ` +
    `SELECT m."push_id", m."id" AS "measurement_id", NULL AS "outcome" FROM m ` +
    `UNION ALL SELECT l."id", NULL, l."outcome" FROM "push_log" l WHERE l."dedupe_key" = ${dedupeKeyParam}::varchar AND NOT EXISTS (SELECT 1 FROM p)`;
  const rows: Array<{ push_id: string | number; measurement_id: string | number | null; outcome: string | null }> = await manager.query(sql, params);
  const row = rows[0];
  if (row?.measurement_id != null) return { pushId: Number(row.push_id), measurementId: Number(row.measurement_id) };
  return { duplicateOf: row ? { id: Number(row.push_id), outcome: row.outcome as string } : null };
}

const MEASUREMENT_COLUMN_TYPES: Record<string, string> = {
  data_tag: 'varchar',
  account_id: 'varchar',
  member_id: 'varchar',
  device_sn: 'varchar',
  data_type: 'integer',
  measured_at: 'timestamptz',
  data: 'jsonb',
  received_at: 'timestamptz',
};

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
  return instant.toISOString().replace('T', ' ').replace('Z', '');
}
