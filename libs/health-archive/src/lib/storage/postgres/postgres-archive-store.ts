import type { DataSource } from 'typeorm';
import type { AuthorizationChange } from '../../authorization-rules';
import { EventType, type NewEvent, type OutboxEvent, type OutboxEventHeader } from '../../outbox/events';
import { FEED_START, type FeedPosition } from '../../outbox/feed-cursor';
import type { PushOutcome } from '../../entities/push-log-entry';
import type {
  AuthorizationChangeWritten,
  ChangeOutcome,
  EventFeedQuery,
  MeasurementPushRecord,
  MeasurementWritten,
  PoolState,
  PushCountQuery,
  PushMinuteCount,
  PushRecord,
  StoredPush,
} from '../archive-store';
import { EVENT_MEASUREMENT_COLUMNS, eventFromRow, eventHeaderFromRow, type EventHeaderRow, type EventRow } from '../rows';
import { personDeletionSql, type PersonDataDeleted } from '../person-deletion';
import { TypeOrmArchiveStore } from '../typeorm-archive-store';
import type { RowSealer } from '../sealing';
import { postgresPoolOf, type PgPool } from '../typeorm-internals';
import { PostgresPushWriter, type PushWritten } from './authorization-batch';
import { appendEvents } from './event-append';
import { pipeline } from './pipeline';
import { PostgresMeasurementBatcher } from './measurement-batch';
import { firstAnswers, whileHeld } from './pool';

/**
 * The transaction id below which every transaction that may write events has ended: the oldest
 * transaction in progress in the statement's snapshot, leaving out those that pg_stat_activity
 * shows running in another database (they cannot write here; a server's other databases and their
 * long transactions must not hold this feed back). One that ended between the snapshot and the look
 * at pg_stat_activity is kept in (it may have been ours); a session whose transaction id this role
 * may not see is kept in too (safe: it only delays). pg_stat_activity's ids are 32-bit: matched modulo 2^32.
 */
const SETTLED_BOUND = `(
  SELECT COALESCE(
    (SELECT min(x) FROM pg_snapshot_xip(snap.s) AS x
     WHERE NOT EXISTS (
       SELECT 1 FROM pg_stat_activity a
       WHERE a.datname IS DISTINCT FROM current_database() AND a.backend_xid IS NOT NULL
         AND a.backend_xid::text::bigint = (x::text::bigint % 4294967296))),
    pg_snapshot_xmax(snap.s))
  FROM (SELECT pg_current_snapshot() AS s) snap
)`;
const SETTLED = `e."tx_id" < ${SETTLED_BOUND}`;

/** A page of the feed: after the cursor ($1 tx, $2 id), settled, of the types $3 (null: all), $4 at most, in feed order. */
const FEED_PAGE = `
WHERE (e."tx_id", e."id") > ($1::xid8, $2::bigint) AND ${SETTLED} AND ($3::varchar[] IS NULL OR e."type" = ANY($3::varchar[]))
ORDER BY e."tx_id", e."id"
LIMIT $4`;

const READ_EVENTS_SQL = `
SELECT e."id", e."tx_id"::text AS tx_id, e."event_id", e."type", e."phone_enc", e."sequence", e."stored_at", e."measurement_id", e."data",
       ${EVENT_MEASUREMENT_COLUMNS}
FROM "event" e LEFT JOIN "measurement" m ON m."id" = e."measurement_id"${FEED_PAGE}`;

/** The same rows' headers: no join, nothing to open. */
const READ_EVENT_HEADERS_SQL = `
SELECT e."id", e."tx_id"::text AS tx_id, e."event_id", e."type", e."stored_at"
FROM "event" e${FEED_PAGE}`;

const FIND_EVENTS_SQL = `
SELECT e."id", e."tx_id"::text AS tx_id, e."event_id", e."type", e."phone_enc", e."sequence", e."stored_at", e."measurement_id", e."data",
       ${EVENT_MEASUREMENT_COLUMNS}
FROM "event" e LEFT JOIN "measurement" m ON m."id" = e."measurement_id"
WHERE e."event_id" = ANY($1::varchar[])
ORDER BY e."tx_id", e."id"`;

const LATEST_EVENT_SQL = `SELECT e."tx_id"::text AS tx_id, e."id" FROM "event" e WHERE ${SETTLED} ORDER BY e."tx_id" DESC, e."id" DESC LIMIT 1`;

/**
 * The push log by minute of receipt, type and outcome, over one range of the index by received time
 * (it holds the three columns: an index-only scan). The minute is truncated in UTC whatever the
 * session's time zone, and answered as an instant.
 */
export const COUNT_PUSHES_BY_MINUTE_SQL = `
SELECT "minute", "type", "outcome", "count" FROM (
  SELECT date_trunc('minute', "received_at" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS "minute",
         CASE WHEN "type" = ANY($3::integer[]) THEN "type" END AS "type", "outcome", count(*) AS "count"
  FROM "push_log" WHERE "received_at" >= $1 AND "received_at" <= $2
  GROUP BY 1, 2, 3
) c
ORDER BY "minute", "type" IS NULL, "type", "outcome"`;

/** Oldest first, a slice at a time, so that no statement holds many row locks for long. */
const DELETION = personDeletionSql((n) => `$${n}`);
const PURGE_EVENTS_SQL = 'DELETE FROM "event" WHERE "id" IN (SELECT "id" FROM "event" WHERE "stored_at" < $1 ORDER BY "id" LIMIT 1000)';

/**
 * PostgreSQL's adapter. Writes go to node-postgres' pool in batches: the measurements of one
 * turn of the event loop in one statement (`PostgresMeasurementBatcher`), the other pushes and
 * the cancels in one short transaction (`PostgresPushWriter`). Reads go through TypeORM.
 */
export class PostgresArchiveStore extends TypeOrmArchiveStore {
  private readonly measurements: PostgresMeasurementBatcher;
  private readonly pushes: PostgresPushWriter;

  constructor(dataSource: DataSource, sealer: RowSealer) {
    super(dataSource, sealer);
    this.measurements = new PostgresMeasurementBatcher(() => this.pool(), sealer);
    this.pushes = new PostgresPushWriter(() => this.pool(), sealer);
  }

  async recordAuthorizationChange(push: PushRecord, change: AuthorizationChange): Promise<AuthorizationChangeWritten> {
    const written = await this.pushes.write({ push, change });
    return { ...storedOf(written), change: written.change };
  }

  async applyAuthorizationChange(change: AuthorizationChange): Promise<ChangeOutcome> {
    return (await this.pushes.write({ push: null, change })).change as ChangeOutcome;
  }

  async recordIgnoredPush(push: PushRecord): Promise<StoredPush> {
    return storedOf(await this.pushes.write({ push, change: null }));
  }

  async recordMeasurement(push: MeasurementPushRecord): Promise<MeasurementWritten> {
    const written = await this.measurements.write(push);
    if (written) return written;
    // A repeat whose first delivery committed while the statement ran: its answer is read now.
    const first = (await whileHeld(this.pool(), (client) => firstAnswers(client, [push.dedupeKey]))).get(push.dedupeKey);
    if (!first) throw new Error('the push log lost the row of a push being written');
    return { ...first, measurementId: null };
  }

  async countPushesByMinute(query: PushCountQuery): Promise<PushMinuteCount[]> {
    const rows: Array<{ minute: Date; type: number | null; outcome: PushOutcome; count: string | number }> = await this.dataSource.query(COUNT_PUSHES_BY_MINUTE_SQL, [
      query.from,
      query.to,
      [...query.types],
    ]);
    return rows.map((row) => ({ minute: row.minute, type: row.type, outcome: row.outcome, count: Number(row.count) }));
  }

  async readEvents(query: EventFeedQuery): Promise<OutboxEvent[]> {
    const after = query.after ?? FEED_START;
    const types = query.types && query.types.length > 0 ? query.types : null;
    const rows: EventRow[] = await this.dataSource.query(READ_EVENTS_SQL, [after.tx, after.id, types, query.limit]);
    return rows.map((row) => eventFromRow(row, (value) => (value instanceof Date ? value : null), this.sealer));
  }

  async readEventHeaders(query: EventFeedQuery): Promise<OutboxEventHeader[]> {
    const after = query.after ?? FEED_START;
    const types = query.types && query.types.length > 0 ? query.types : null;
    const rows: EventHeaderRow[] = await this.dataSource.query(READ_EVENT_HEADERS_SQL, [after.tx, after.id, types, query.limit]);
    return rows.map((row) => eventHeaderFromRow(row, (value) => (value instanceof Date ? value : null)));
  }

  async findEvents(eventIds: readonly string[]): Promise<OutboxEvent[]> {
    if (eventIds.length === 0) return [];
    const rows: EventRow[] = await this.dataSource.query(FIND_EVENTS_SQL, [eventIds]);
    return rows.map((row) => eventFromRow(row, (value) => (value instanceof Date ? value : null), this.sealer));
  }

  async latestEventPosition(): Promise<FeedPosition> {
    const [row] = (await this.dataSource.query(LATEST_EVENT_SQL)) as Array<{ tx_id: string; id: string }>;
    return row ? { tx: row.tx_id, id: Number(row.id) } : FEED_START;
  }

  async appendEvent(event: NewEvent): Promise<void> {
    await whileHeld(this.pool(), (client) => appendEvents(client, this.sealer, [event]));
  }

  async purgeEvents(before: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const result = await whileHeld(this.pool(), (client) => client.query(PURGE_EVENTS_SQL, [before]));
      const deleted = result.rowCount ?? 0;
      total += deleted;
      if (deleted === 0) return total;
    }
  }

  async dueForDeletion(changedBefore: Date, limit: number): Promise<string[]> {
    const rows: Array<{ phone_enc: string }> = await this.dataSource.query(DELETION.due, [changedBefore, limit]);
    return rows.map((row) => this.sealer.openPhone(row.phone_enc) as string);
  }

  async deletePersonData(phone: string, changedBefore: Date, event: { eventId: string; storedAt: Date }): Promise<PersonDataDeleted | null> {
    const phoneHash = this.sealer.phoneHash(phone);
    return whileHeld(this.pool(), async (client) => {
      await client.query('BEGIN');
      try {
        // The row's lock: a change of this person (a re-authorization) waits for the deletion, or the deletion sees it.
        const [person] = (await client.query<{ id: string; account_id: string; revoked_at: Date }>(`${DELETION.person} FOR UPDATE`, [phoneHash, changedBefore])).rows;
        if (!person) {
          await client.query('ROLLBACK');
          return null;
        }
        const shared = person.account_id !== '' && (await client.query(DELETION.otherOwner, [person.account_id, phoneHash])).rows.length > 0;
        let measurementsDeleted = 0;
        let payloadsDeleted = 0;
        if (person.account_id !== '' && !shared) {
          payloadsDeleted += (await client.query(DELETION.clearMeasurementPayloads, [person.account_id])).rowCount ?? 0;
          measurementsDeleted = (await client.query(DELETION.deleteMeasurements, [person.account_id])).rowCount ?? 0;
        }
        payloadsDeleted += (await client.query(DELETION.clearPhonePayloads, [phoneHash])).rowCount ?? 0;
        await client.query(DELETION.markDone, [person.id]);
        const deleted: PersonDataDeleted = {
          phone,
          accountId: person.account_id,
          revokedAt: person.revoked_at.toISOString(),
          measurementsDeleted,
          payloadsDeleted,
          measurementsKeptForSharedAccount: shared,
        };
        await appendEvents(client, this.sealer, [{ ...event, type: EventType.PersonDataDeleted, phone, subject: phone, data: JSON.stringify(deleted), measurementId: null }]);
        await client.query('COMMIT');
        return deleted;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  protected placeholder(n: number): string {
    return `$${n}`;
  }

  protected instantOf(value: unknown): Date | null {
    return value instanceof Date ? value : null;
  }

  protected instantValue(instant: Date): unknown {
    return instant;
  }

  protected async runWrite(sql: string, values: unknown[]): Promise<number> {
    return (await whileHeld(this.pool(), (client) => client.query(sql, values))).rowCount ?? 0;
  }

  protected observationCondition(alias: string, hasMin: boolean, hasMax: boolean): string {
    const value = `(o ->> 'value')::float8`;
    return (
      `EXISTS (SELECT 1 FROM jsonb_array_elements(${alias}.observations) o WHERE o ->> 'name' = :obsName` +
      `${hasMin ? ` AND ${value} >= :obsMin` : ''}${hasMax ? ` AND ${value} <= :obsMax` : ''})`
    );
  }

  poolState(): PoolState | null {
    const pool = postgresPoolOf(this.dataSource);
    return pool ? { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } : null;
  }

  async runStatement(sql: string, params: readonly unknown[]): Promise<Array<Record<string, unknown>>> {
    return (await whileHeld(this.pool(), (client) => client.query(sql, [...params]))).rows;
  }

  /** One transaction in one round trip: BEGIN, the statements and COMMIT pipelined (a failure leaves it aborted, and the connection is discarded). */
  async runStatements(statements: ReadonlyArray<{ sql: string; params: readonly unknown[] }>): Promise<Array<Array<Record<string, unknown>>>> {
    const answers = await whileHeld(this.pool(), (client) =>
      pipeline(client, [{ text: 'BEGIN' }, ...statements.map(({ sql, params }) => ({ text: sql, values: [...params] })), { text: 'COMMIT' }]),
    );
    return answers.slice(1, -1);
  }

  private pool(): PgPool {
    const pool = postgresPoolOf(this.dataSource);
    if (!pool) throw new Error('the PostgreSQL DataSource is not connected');
    return pool;
  }
}

function storedOf(written: PushWritten): StoredPush {
  if (!written.stored) throw new Error('the push log lost the row of a push being written');
  return written.stored;
}
