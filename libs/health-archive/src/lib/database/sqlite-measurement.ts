import type { Database, Statement } from 'better-sqlite3';
import { sqliteDatetime } from './insert-or-ignore';
import type { MeasurementPushRecord, MeasurementWriteResult } from './measurement-record';

/** Prepared statements, per connection: prepared once, run many times. */
const prepared = new WeakMap<Database, Map<string, Statement>>();

function statement(db: Database, sql: string): Statement {
  let statements = prepared.get(db);
  if (!statements) prepared.set(db, (statements = new Map()));
  let stmt = statements.get(sql);
  if (!stmt) statements.set(sql, (stmt = db.prepare(sql)));
  return stmt;
}

const OWNERS_SQL = 'SELECT "phone", "status" FROM "user_authorization" WHERE "account_id" = ?';
const INSERT_PUSH_SQL =
  'INSERT INTO "push_log" ("dedupe_key", "data_tag", "type", "account_id", "member_id", "device_sn", "phone", ' +
  '"source_created_at", "source_updated_at", "received_at", "outcome", "raw_message", "ordered_by") ' +
  'VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING "id"';
const FIRST_ANSWER_SQL = 'SELECT "id", "outcome" FROM "push_log" WHERE "dedupe_key" = ?';
const INSERT_MEASUREMENT_SQL =
  'INSERT INTO "measurement" ("push_id", "data_tag", "account_id", "member_id", "device_sn", "data_type", "measured_at", "data", "received_at") ' +
  'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING "id"';

const instant = (value: Date | null) => (value === null ? null : sqliteDatetime(value));

/**
 * SQLite's measurement hot path, run synchronously inside TransactionRunner's group commit
 * (`runSqlite`): the same rules as PostgreSQL's batch statement, in prepared statements. The
 * outcome comes from the account's authorizations (refused when it is known and none is
 * authorized: logged `ignored`, its data not kept); the dedupe key is claimed by the log row;
 * a repeat gets its first delivery's answer.
 */
export function writeMeasurementOnSqlite(db: Database, record: MeasurementPushRecord): NonNullable<MeasurementWriteResult> {
  const owners = record.accountId ? (statement(db, OWNERS_SQL).all(record.accountId) as Array<{ phone: string; status: string }>) : [];
  const owner = owners.find((a) => a.status === 'authorized') ?? owners[0];
  const refused = owner?.status === 'revoked';
  const outcome = refused ? 'ignored' : 'archived';
  const inserted = statement(db, INSERT_PUSH_SQL).get(
    record.dedupeKey,
    record.dataTag,
    record.accountId,
    record.memberId,
    record.deviceSn,
    record.phone ?? owner?.phone ?? null,
    instant(record.sourceCreatedAt),
    instant(record.sourceUpdatedAt),
    sqliteDatetime(record.receivedAt),
    outcome,
    refused ? JSON.stringify({ ...JSON.parse(record.rawMessage), data: null }) : record.rawMessage,
    record.orderedBy,
  ) as { id: number } | undefined;
  if (!inserted) {
    const first = statement(db, FIRST_ANSWER_SQL).get(record.dedupeKey) as { id: number; outcome: string };
    return { pushId: first.id, outcome: first.outcome, measurementId: null, duplicate: true };
  }
  if (refused) return { pushId: inserted.id, outcome, measurementId: null, duplicate: false };
  const measurement = statement(db, INSERT_MEASUREMENT_SQL).get(
    inserted.id,
    record.dataTag,
    record.accountId,
    record.memberId,
    record.deviceSn,
    record.dataType,
    instant(record.measuredAt),
    JSON.stringify(record.data),
    sqliteDatetime(record.receivedAt),
  ) as { id: number };
  return { pushId: inserted.id, outcome, measurementId: measurement.id, duplicate: false };
}
