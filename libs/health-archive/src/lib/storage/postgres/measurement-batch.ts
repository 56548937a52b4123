import { PushOutcome } from '../../entities/push-log-entry';
import type { MeasurementPushRecord, MeasurementWritten } from '../archive-store';
import type { PgPool } from '../typeorm-internals';
import type { RowSealer } from '../sealing';
import { APPEND_EVENTS_CTES, SEQUENCE_OF_EV } from './event-append';
import { isDataError, isStalePlan, MAX_BATCH, MAX_BATCH_CHARS, TurnBatcher, whileHeld, type Unit } from './pool';

/**
 * PostgreSQL's measurement hot path: the measurement pushes that arrive in one turn of the
 * event loop are written by one statement — one round trip and one commit (one WAL flush) for
 * all of them instead of a few per push. The statement decides each push's outcome from the
 * account's authorizations (the rule of `isMeasurementRefused`, in SQL: the contract suite holds
 * the two to the same answers), claims the dedupe keys (ON CONFLICT DO NOTHING: a repeat writes
 * nothing), writes the measurements, and answers each push. Atomic per statement; every promise
 * settles after the commit.
 *
 * The statement is a named prepared statement on each pooled connection: parsed and analysed
 * once per connection instead of once per batch.
 *
 * A batch that fails on a data error (SQLSTATE class 22 or 23) is written again push by push,
 * so one bad push fails alone; any other failure (the database unavailable…) fails the batch.
 */
export class PostgresMeasurementBatcher {
  private readonly batcher = new TurnBatcher<MeasurementPushRecord, MeasurementWritten | null>(
    // Each raw message is sent three times, sealed (base64: a third longer): as received, without its data (in case it is
    // refused), and as its `data`.
    (record) => record.rawMessage.length * 4,
    MAX_BATCH,
    MAX_BATCH_CHARS,
    (batch) => this.writeBatch(batch, true),
  );

  constructor(
    private readonly pool: () => PgPool,
    private readonly sealer: RowSealer,
  ) {}

  /** The push's answer; null for a repeat whose first delivery committed while the statement ran (its answer is read afterwards). */
  write(record: MeasurementPushRecord): Promise<MeasurementWritten | null> {
    return this.batcher.add(record);
  }

  private async writeBatch(batch: Array<Unit<MeasurementPushRecord, MeasurementWritten | null>>, mayRetryAlone: boolean): Promise<void> {
    // The same push twice in one batch: the first is written, the other is its repeat.
    const firstOfKey = new Map<string, number>();
    const records: MeasurementPushRecord[] = [];
    for (const { input } of batch) {
      if (!firstOfKey.has(input.dedupeKey)) {
        firstOfKey.set(input.dedupeKey, records.length);
        records.push(input);
      }
    }
    let results: Array<MeasurementWritten | null>;
    try {
      results = await writeMeasurementBatch(this.pool(), this.sealer, records);
    } catch (error) {
      if (mayRetryAlone && batch.length > 1 && isDataError(error)) {
        for (const unit of batch) void this.writeBatch([unit], false);
      } else {
        for (const unit of batch) unit.reject(error);
      }
      return;
    }
    const answered = new Set<number>();
    for (const unit of batch) {
      const index = firstOfKey.get(unit.input.dedupeKey) as number;
      const result = results[index];
      unit.resolve(answered.has(index) && result ? { ...result, measurementId: null, duplicate: true } : result);
      answered.add(index);
    }
  }
}

/**
 * One statement for many measurement pushes, given as one JSON array of rows (`ord` = position).
 * Dedupe keys are claimed in key order, so that two batches sharing keys cannot deadlock.
 * A repeat's first answer is read from the rows committed before the statement began.
 *
 * A prepared statement keeps the plan it was given when its connection first ran it (the
 * generic plan), perhaps on an empty table: every lookup of push_log is therefore written so
 * that the dedupe key's index is the only sensible plan (a LATERAL … LIMIT 1 by key, which
 * cannot become a hash join over a sequential scan of push_log once the table has grown).
 */
export const WRITE_MEASUREMENTS_SQL = `
WITH i AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(
    ord integer, dedupe_key varchar, data_tag varchar, account_id varchar, member_id varchar, device_sn varchar, phone_hash varchar, phone_enc text,
    source_created_at timestamptz, source_updated_at timestamptz, received_at timestamptz, raw_message text, ignored_raw_message text, ordered_by varchar,
    data_type integer, measured_at timestamptz, data text, observations jsonb, event_id varchar)
),
d AS (
  -- The push's own phone, else its owner's, both as stored (the owner's sealed phone is copied, not opened).
  SELECT i.*, COALESCE(i.phone_hash, o.phone_hash) AS log_phone_hash, CASE WHEN i.phone_hash IS NULL THEN o.phone_enc ELSE i.phone_enc END AS log_phone_enc,
         COALESCE(o.status <> 'authorized', false) AS refused
  FROM i LEFT JOIN LATERAL (
    SELECT a.phone_hash, a.phone_enc, a.status FROM "user_authorization" a
    WHERE a.account_id = i.account_id AND i.account_id <> ''
    ORDER BY a.status = 'authorized' DESC
    LIMIT 1
  ) o ON true
),
p AS (
  INSERT INTO "push_log" ("dedupe_key", "data_tag", "type", "account_id", "member_id", "device_sn", "phone_hash", "phone_enc",
                          "source_created_at", "source_updated_at", "received_at", "outcome", "raw_message", "ordered_by")
  SELECT dedupe_key, data_tag, 1, account_id, member_id, device_sn, log_phone_hash, log_phone_enc, source_created_at, source_updated_at, received_at,
         CASE WHEN refused THEN 'ignored' ELSE 'archived' END,
         CASE WHEN refused THEN ignored_raw_message ELSE raw_message END,
         ordered_by
  FROM d ORDER BY dedupe_key
  ON CONFLICT DO NOTHING
  RETURNING "id", "dedupe_key", "outcome"
),
m AS (
  INSERT INTO "measurement" ("push_id", "data_tag", "account_id", "member_id", "device_sn", "data_type", "measured_at", "data", "observations",
                             "received_at")
  SELECT p.id, d.data_tag, d.account_id, d.member_id, d.device_sn, d.data_type, d.measured_at, d.data, d.observations, d.received_at
  FROM p JOIN d ON d.dedupe_key = p.dedupe_key
  WHERE p.outcome = 'archived'
  ORDER BY p.id
  RETURNING "id", "push_id"
),
ev AS (
  SELECT d.event_id, d.log_phone_hash, d.log_phone_enc, d.received_at, m.id AS measurement_id, COALESCE(d.log_phone_hash, 'account:' || d.account_id) AS subject, d.ord
  FROM m JOIN p ON p.id = m.push_id JOIN d ON d.dedupe_key = p.dedupe_key
),
${APPEND_EVENTS_CTES},
e AS (
  -- Executed to completion although nothing reads it (as every data-modifying WITH is).
  INSERT INTO "event" ("event_id", "type", "phone_hash", "phone_enc", "sequence", "stored_at", "measurement_id")
  SELECT ev.event_id, 'measurement.archived', ev.log_phone_hash, ev.log_phone_enc, ${SEQUENCE_OF_EV}, ev.received_at, ev.measurement_id
  FROM ev JOIN sc ON sc.subject = ev.subject JOIN s ON s.subject = ev.subject
  ORDER BY ev.ord
)
SELECT d.ord, p.id AS push_id, p.outcome, m.id AS measurement_id, l.id AS first_id, l.outcome AS first_outcome
FROM d
LEFT JOIN p ON p.dedupe_key = d.dedupe_key
LEFT JOIN m ON m.push_id = p.id
LEFT JOIN LATERAL (
  SELECT l.id, l.outcome FROM "push_log" l WHERE p.id IS NULL AND l.dedupe_key = d.dedupe_key LIMIT 1
) l ON true
ORDER BY d.ord`;

/** The prepared statement's name on each connection (one text per name, as PostgreSQL requires). */
const WRITE_MEASUREMENTS_STATEMENT = 'health_bridge_write_measurements_v6';

type Id = string | number;
type BatchRow = { push_id: Id | null; outcome: string | null; measurement_id: Id | null; first_id: Id | null; first_outcome: string | null };

/**
 * Runs the named statement on a pooled connection. A connection whose query failed is not
 * reused (as node-postgres' own pool.query does). When a migration has changed the type of a
 * column the statement returns, PostgreSQL refuses the statement prepared before it, on each
 * such connection, for as long as the connection lives: the refused execution wrote nothing,
 * its connection is dropped, and the batch runs again on another, until one prepares it anew
 * (at most one try per pooled connection, and one more).
 */
async function queryNamed(pool: PgPool, values: unknown[]): Promise<BatchRow[]> {
  const tries = (pool.options?.max ?? 10) + 1;
  const statement = { name: WRITE_MEASUREMENTS_STATEMENT, text: WRITE_MEASUREMENTS_SQL, values };
  for (let attempt = 1; ; attempt++) {
    try {
      return await whileHeld(pool, async (client) => (await client.query<BatchRow>(statement)).rows);
    } catch (error) {
      if (!isStalePlan(error) || attempt >= tries) throw error;
    }
  }
}

/** Writes the pushes (distinct dedupe keys) in one statement; one result per push, in order. */
export async function writeMeasurementBatch(pool: PgPool, sealer: RowSealer, records: MeasurementPushRecord[]): Promise<Array<MeasurementWritten | null>> {
  const batch = records.map((r, ord) => {
    const phone = sealer.phone(r.phone);
    return {
    ord,
    dedupe_key: r.dedupeKey,
    data_tag: r.dataTag,
    account_id: r.accountId,
    member_id: r.memberId,
    device_sn: r.deviceSn,
    phone_hash: phone.hash,
    phone_enc: phone.enc,
    source_created_at: r.sourceCreatedAt,
    source_updated_at: r.sourceUpdatedAt,
    received_at: r.receivedAt,
    raw_message: sealer.rawMessage(r.rawMessage),
    ignored_raw_message: sealer.rawMessage(r.ignoredRawMessage),
    ordered_by: r.orderedBy,
    data_type: r.dataType,
    measured_at: r.measuredAt,
    data: sealer.measurementData(r.data),
    observations: r.observations,
    event_id: r.eventId,
    };
  });
  const rows = await queryNamed(pool, [JSON.stringify(batch)]);
  return rows.map((row) => {
    if (row.push_id !== null) {
      return {
        pushId: Number(row.push_id),
        outcome: row.outcome as PushOutcome,
        measurementId: row.measurement_id === null ? null : Number(row.measurement_id),
        duplicate: false,
      };
    }
    if (row.first_id !== null) return { pushId: Number(row.first_id), outcome: row.first_outcome as PushOutcome, measurementId: null, duplicate: true };
    return null;
  });
}
