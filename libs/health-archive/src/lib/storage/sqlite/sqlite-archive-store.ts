import type { Database, Statement } from 'better-sqlite3';
import type { DataSource } from 'typeorm';
import { consentEntryOf, decideAuthorizationChange, isMeasurementRefused, loggedOwner, type AuthorizationChange } from '../../authorization-rules';
import { PushOutcome } from '../../entities/push-log-entry';
import { authorizationEvent, eventSubject, EventType, type NewEvent, type OutboxEvent, type OutboxEventHeader } from '../../outbox/events';
import { FEED_START, type FeedPosition } from '../../outbox/feed-cursor';
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
import { authorizationFromRow, EVENT_MEASUREMENT_COLUMNS, eventFromRow, eventHeaderFromRow, withId, type AuthorizationRow, type EventHeaderRow, type EventRow } from '../rows';
import { personDeletionSql, type PersonDataDeleted } from '../person-deletion';
import { TypeOrmArchiveStore } from '../typeorm-archive-store';
import type { PhonesOfWrite, RowSealer, StoredPhone } from '../sealing';
import { sqliteConnectionOf } from '../typeorm-internals';
import { SqliteGroupCommit } from './sqlite-group-commit';

const INSERT_PUSH_SQL =
  'INSERT INTO "push_log" ("dedupe_key", "data_tag", "type", "account_id", "member_id", "device_sn", "phone_hash", "phone_enc", ' +
  '"source_created_at", "source_updated_at", "received_at", "outcome", "raw_message", "ordered_by") ' +
  'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING "id"';
const FIRST_ANSWER_SQL = 'SELECT "id", "outcome" FROM "push_log" WHERE "dedupe_key" = ?';
const SET_OUTCOME_SQL = 'UPDATE "push_log" SET "outcome" = ? WHERE "id" = ?';
const OWNERS_SQL = 'SELECT "phone_hash", "phone_enc", "status" FROM "user_authorization" WHERE "account_id" = ?';
const INSERT_MEASUREMENT_SQL =
  'INSERT INTO "measurement" ("push_id", "data_tag", "account_id", "member_id", "device_sn", "data_type", "measured_at", "data", "observations", ' +
  '"received_at") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING "id"';
const AUTHORIZATION_SQL = 'SELECT * FROM "user_authorization" WHERE "phone_hash" = ?';
const INSERT_AUTHORIZATION_SQL =
  'INSERT INTO "user_authorization" ("phone_hash", "phone_enc", "status", "account_id", "member_id", "authorized_at", "revoked_at", "revoked_by", ' +
  '"last_change_at", "created_at", "updated_at", "fhir_patient_id") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING "id"';
const UPDATE_AUTHORIZATION_SQL =
  'UPDATE "user_authorization" SET "status" = ?, "account_id" = ?, "member_id" = ?, "authorized_at" = ?, "revoked_at" = ?, ' +
  '"revoked_by" = ?, "last_change_at" = ?, "updated_at" = ? WHERE "id" = ?';
const INSERT_CONSENT_SQL =
  'INSERT INTO "consent_record" ("phone_hash", "action", "actor", "source_at", "received_at", "outcome", "push_id", "request_id") VALUES (?, ?, ?, ?, ?, ?, ?, ?)';
const NEXT_SEQUENCE_SQL =
  'INSERT INTO "event_subject" ("subject", "last_sequence") VALUES (?, 1) ' +
  'ON CONFLICT ("subject") DO UPDATE SET "last_sequence" = "last_sequence" + 1 RETURNING "last_sequence"';
const INSERT_EVENT_SQL =
  'INSERT INTO "event" ("event_id", "type", "phone_hash", "phone_enc", "sequence", "stored_at", "measurement_id", "data") VALUES (?, ?, ?, ?, ?, ?, ?, ?)';
/** Events after an id, oldest first (ids are given in commit order: one writer at a time, AUTOINCREMENT). */
const readEventsSql = (types: number) =>
  `SELECT e.*, ${EVENT_MEASUREMENT_COLUMNS} FROM "event" e LEFT JOIN "measurement" m ON m."id" = e."measurement_id" ${feedPage(types)}`;
/** The same rows' headers: no join, nothing to open. */
const readEventHeadersSql = (types: number) => `SELECT e."id", e."event_id", e."type", e."stored_at" FROM "event" e ${feedPage(types)}`;
/** A page of the feed: after an id, of `types` types (0: all), a limit at most, in id order. */
const feedPage = (types: number) =>
  `WHERE e."id" > ?${types > 0 ? ` AND e."type" IN (${Array(types).fill('?').join(', ')})` : ''} ORDER BY e."id" LIMIT ?`;
/**
 * The push log by minute of receipt, type and outcome. `received_at` is UTC text
 * (`YYYY-MM-DD HH:mm:ss.SSS`, see instantText), so its first 16 characters are its minute, and the
 * window (`?` from, `?` to, then the types) is one range of the index by received time, which holds
 * the three columns: SQLite reads the index alone.
 */
export const countPushesByMinuteSql = (types: number) =>
  'SELECT "minute", "type", "outcome", "count" FROM (' +
  `SELECT substr("received_at", 1, 16) AS "minute", CASE WHEN "type" IN (${types > 0 ? Array(types).fill('?').join(', ') : 'NULL'}) THEN "type" END AS "type", ` +
  '"outcome", COUNT(*) AS "count" FROM "push_log" WHERE "received_at" >= ? AND "received_at" <= ? GROUP BY 1, 2, 3' +
  ') c ORDER BY "minute", "type" IS NULL, "type", "outcome"';
const DELETION = personDeletionSql(() => '?');
/** Oldest first, a slice at a time: one long DELETE would hold the write lock for as long. */
const PURGE_EVENTS_SQL = 'DELETE FROM "event" WHERE "id" IN (SELECT "id" FROM "event" WHERE "stored_at" < ? ORDER BY "id" LIMIT 1000)';

/**
 * SQLite's adapter. Every write is synchronous statements on better-sqlite3's connection
 * (prepared once per connection), committed in groups (`SqliteGroupCommit`): a push costs a few
 * microseconds of statements and a share of one disk sync. Reads go through TypeORM.
 */
export class SqliteArchiveStore extends TypeOrmArchiveStore {
  private readonly writes: SqliteGroupCommit;
  private readonly prepared = new WeakMap<Database, Map<string, Statement>>();

  constructor(dataSource: DataSource, sealer: RowSealer) {
    super(dataSource, sealer);
    this.writes = new SqliteGroupCommit(() => sqliteConnectionOf(dataSource));
  }

  recordIgnoredPush(push: PushRecord): Promise<StoredPush> {
    return this.writes.run((db) => {
      const pushId = this.logPush(db, push, PushOutcome.Ignored, push.rawMessage, this.sealer.phone(push.phone));
      return pushId === null ? this.firstAnswer(db, push.dedupeKey) : { pushId, outcome: PushOutcome.Ignored, duplicate: false };
    });
  }

  recordAuthorizationChange(push: PushRecord, change: AuthorizationChange): Promise<AuthorizationChangeWritten> {
    return this.writes.run((db) => {
      // The key is claimed first (a repeat must not be applied twice); the outcome follows the change.
      const phones = this.sealer.phonesOfWrite();
      const pushId = this.logPush(db, push, PushOutcome.Ignored, push.rawMessage, phones(push.phone));
      if (pushId === null) return { ...this.firstAnswer(db, push.dedupeKey), change: null };
      const outcome = this.applyChange(db, change, pushId, phones);
      const logged = outcome.applied ? PushOutcome.Applied : PushOutcome.Stale;
      this.statement(db, SET_OUTCOME_SQL).run(logged, pushId);
      return { pushId, outcome: logged, duplicate: false, change: outcome };
    });
  }

  applyAuthorizationChange(change: AuthorizationChange): Promise<ChangeOutcome> {
    return this.writes.run((db) => this.applyChange(db, change, null, this.sealer.phonesOfWrite()));
  }

  recordMeasurement(push: MeasurementPushRecord): Promise<MeasurementWritten> {
    return this.writes.run((db) => {
      const owners = push.accountId ? (this.statement(db, OWNERS_SQL).all(push.accountId) as Array<{ phone_hash: string; phone_enc: string; status: string }>) : [];
      const refused = isMeasurementRefused(owners);
      const outcome = refused ? PushOutcome.Ignored : PushOutcome.Archived;
      // The push's own phone, or its owner's as the owner's row keeps it (copied sealed, never opened here).
      const owner = push.phone === null ? loggedOwner(owners) : null;
      const phone: StoredPhone = owner ? { hash: owner.phone_hash, enc: owner.phone_enc } : this.sealer.phone(push.phone);
      const pushId = this.logPush(db, push, outcome, refused ? push.ignoredRawMessage : push.rawMessage, phone);
      if (pushId === null) return { ...this.firstAnswer(db, push.dedupeKey), measurementId: null };
      if (refused) return { pushId, outcome, duplicate: false, measurementId: null };
      const measurement = this.statement(db, INSERT_MEASUREMENT_SQL).get(
        pushId,
        push.dataTag,
        push.accountId,
        push.memberId,
        push.deviceSn,
        push.dataType,
        instantText(push.measuredAt),
        this.sealer.measurementData(push.data),
        JSON.stringify(push.observations),
        instantText(push.receivedAt),
      ) as { id: number };
      this.appendStoredEventIn(db, { eventId: push.eventId, type: EventType.MeasurementArchived, storedAt: push.receivedAt, measurementId: measurement.id, data: null }, phone, phone.hash ?? eventSubject(null, push.accountId));
      return { pushId, outcome, duplicate: false, measurementId: measurement.id };
    });
  }

  async countPushesByMinute(query: PushCountQuery): Promise<PushMinuteCount[]> {
    const rows: Array<{ minute: string; type: number | null; outcome: PushOutcome; count: number }> = await this.dataSource.query(countPushesByMinuteSql(query.types.length), [
      ...query.types,
      instantText(query.from),
      instantText(query.to),
    ]);
    return rows.map((row) => ({ minute: instantFromText(`${row.minute}:00.000`) as Date, type: row.type, outcome: row.outcome, count: Number(row.count) }));
  }

  async readEvents(query: EventFeedQuery): Promise<OutboxEvent[]> {
    const types = query.types ?? [];
    const rows: EventRow[] = await this.dataSource.query(readEventsSql(types.length), [(query.after ?? FEED_START).id, ...types, query.limit]);
    return rows.map((row) => eventFromRow(row, instantFromText, this.sealer));
  }

  async readEventHeaders(query: EventFeedQuery): Promise<OutboxEventHeader[]> {
    const types = query.types ?? [];
    const rows: EventHeaderRow[] = await this.dataSource.query(readEventHeadersSql(types.length), [(query.after ?? FEED_START).id, ...types, query.limit]);
    return rows.map((row) => eventHeaderFromRow(row, instantFromText));
  }

  async findEvents(eventIds: readonly string[]): Promise<OutboxEvent[]> {
    if (eventIds.length === 0) return [];
    const rows: EventRow[] = await this.dataSource.query(
      `SELECT e.*, ${EVENT_MEASUREMENT_COLUMNS} FROM "event" e LEFT JOIN "measurement" m ON m."id" = e."measurement_id" ` +
        `WHERE e."event_id" IN (${eventIds.map(() => '?').join(', ')}) ORDER BY e."id"`,
      [...eventIds],
    );
    return rows.map((row) => eventFromRow(row, instantFromText, this.sealer));
  }

  async latestEventPosition(): Promise<FeedPosition> {
    const [row] = await this.dataSource.query('SELECT MAX("id") AS "id" FROM "event"');
    return { tx: '0', id: Number(row?.id ?? 0) };
  }

  appendEvent(event: NewEvent): Promise<void> {
    return this.writes.run((db) => this.appendEventIn(db, event));
  }

  async purgeEvents(before: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await this.writes.run((db) => this.statement(db, PURGE_EVENTS_SQL).run(instantText(before)).changes);
      total += deleted;
      if (deleted === 0) return total;
    }
  }

  protected observationCondition(alias: string, hasMin: boolean, hasMax: boolean): string {
    const value = `json_extract(o.value, '$.value')`;
    return (
      `EXISTS (SELECT 1 FROM json_each(${alias}.observations) o WHERE json_extract(o.value, '$.name') = :obsName` +
      `${hasMin ? ` AND ${value} >= :obsMin` : ''}${hasMax ? ` AND ${value} <= :obsMax` : ''})`
    );
  }

  async dueForDeletion(changedBefore: Date, limit: number): Promise<string[]> {
    const rows: Array<{ phone_enc: string }> = await this.dataSource.query(DELETION.due, [instantText(changedBefore), limit]);
    return rows.map((row) => this.sealer.openPhone(row.phone_enc) as string);
  }

  deletePersonData(phone: string, changedBefore: Date, event: { eventId: string; storedAt: Date }): Promise<PersonDataDeleted | null> {
    const phoneHash = this.sealer.phoneHash(phone);
    return this.writes.run((db) => {
      const person = this.statement(db, DELETION.person).get(phoneHash, instantText(changedBefore)) as { id: number; account_id: string; revoked_at: string } | undefined;
      if (!person) return null;
      const shared = person.account_id !== '' && this.statement(db, DELETION.otherOwner).get(person.account_id, phoneHash) !== undefined;
      let measurementsDeleted = 0;
      let payloadsDeleted = 0;
      if (person.account_id !== '' && !shared) {
        payloadsDeleted += this.statement(db, DELETION.clearMeasurementPayloads).run(person.account_id).changes;
        measurementsDeleted = this.statement(db, DELETION.deleteMeasurements).run(person.account_id).changes;
      }
      payloadsDeleted += this.statement(db, DELETION.clearPhonePayloads).run(phoneHash).changes;
      this.statement(db, DELETION.markDone).run(person.id);
      const deleted: PersonDataDeleted = {
        phone,
        accountId: person.account_id,
        revokedAt: (instantFromText(person.revoked_at) as Date).toISOString(),
        measurementsDeleted,
        payloadsDeleted,
        measurementsKeptForSharedAccount: shared,
      };
      this.appendEventIn(db, { ...event, type: EventType.PersonDataDeleted, phone, subject: phone, data: JSON.stringify(deleted), measurementId: null });
      return deleted;
    });
  }

  protected placeholder(): string {
    return '?';
  }

  protected instantOf(value: unknown): Date | null {
    return instantFromText(value);
  }

  protected instantValue(instant: Date): unknown {
    return instantText(instant);
  }

  /** In the group commit, as every write here (one writer: a write outside it would wait on SQLite's lock); not kept prepared (its text varies). */
  protected runWrite(sql: string, values: unknown[]): Promise<number> {
    return this.writes.run((db) => db.prepare(sql).run(...values).changes);
  }

  poolState(): PoolState | null {
    return null;
  }

  /** The phone's row read, the change decided by the rules, the row and the ledger written: inside the caller's transaction. */
  private applyChange(db: Database, change: AuthorizationChange, pushId: number | null, phones: PhonesOfWrite): ChangeOutcome {
    const phone = phones(change.phone);
    const row = this.statement(db, AUTHORIZATION_SQL).get(phone.hash) as AuthorizationRow | undefined;
    const current = row ? authorizationFromRow(row, instantFromText, this.sealer) : null;
    const decision = decideAuthorizationChange(current, change);
    const entry = consentEntryOf(change, decision.applied, pushId);
    this.statement(db, INSERT_CONSENT_SQL).run(
      phone.hash,
      entry.action,
      entry.actor,
      instantText(entry.sourceAt),
      instantText(entry.receivedAt),
      entry.outcome,
      entry.pushId,
      entry.requestId,
    );
    if (!decision.applied) return { applied: false, authorization: current as NonNullable<typeof current> };
    const s = decision.state;
    const fields = [s.status, s.accountId, s.memberId, instantText(s.authorizedAt), instantText(s.revokedAt), s.revokedBy, instantText(s.lastChangeAt)];
    let id: number;
    if (current) {
      this.statement(db, UPDATE_AUTHORIZATION_SQL).run(...fields, instantText(s.updatedAt), current.id);
      id = current.id;
    } else {
      id = (this.statement(db, INSERT_AUTHORIZATION_SQL).get(phone.hash, phone.enc, ...fields, instantText(s.createdAt), instantText(s.updatedAt), s.fhirPatientId) as { id: number }).id;
    }
    const event = authorizationEvent(decision.transition, s, change.now);
    if (event) this.appendEventIn(db, event, phones);
    return { applied: true, authorization: withId(id, s, phone.hash as string), transition: decision.transition };
  }

  /** The event, with the next number of its subject's sequence, in the caller's transaction. */
  private appendEventIn(db: Database, event: NewEvent, phones?: PhonesOfWrite): void {
    const sealed = this.sealer.event(event, phones);
    this.appendStoredEventIn(db, { ...event, data: sealed.data }, { hash: sealed.phone_hash, enc: sealed.phone_enc }, sealed.subject);
  }

  /** An event whose phone, subject and data are already as stored. */
  private appendStoredEventIn(
    db: Database,
    event: Pick<NewEvent, 'eventId' | 'type' | 'storedAt' | 'measurementId' | 'data'>,
    phone: StoredPhone,
    subject: string,
  ): void {
    const { last_sequence: sequence } = this.statement(db, NEXT_SEQUENCE_SQL).get(subject) as { last_sequence: number };
    this.statement(db, INSERT_EVENT_SQL).run(event.eventId, event.type, phone.hash, phone.enc, sequence, instantText(event.storedAt), event.measurementId, event.data);
  }

  /** Claims the push's dedupe key with its log row: its id, or null when the key is taken (a repeat). */
  private logPush(db: Database, push: PushRecord, outcome: PushOutcome, rawMessage: string, phone: StoredPhone): number | null {
    const inserted = this.statement(db, INSERT_PUSH_SQL).get(
      push.dedupeKey,
      push.dataTag,
      push.type,
      push.accountId,
      push.memberId,
      push.deviceSn,
      phone.hash,
      phone.enc,
      instantText(push.sourceCreatedAt),
      instantText(push.sourceUpdatedAt),
      instantText(push.receivedAt),
      outcome,
      this.sealer.rawMessage(rawMessage),
      push.orderedBy,
    ) as { id: number } | undefined;
    return inserted ? inserted.id : null;
  }

  private firstAnswer(db: Database, dedupeKey: string): StoredPush {
    const first = this.statement(db, FIRST_ANSWER_SQL).get(dedupeKey) as { id: number; outcome: PushOutcome };
    return { pushId: first.id, outcome: first.outcome, duplicate: true };
  }

  /** Prepared once per connection, run many times. */
  async runStatement(sql: string, params: readonly unknown[]): Promise<Array<Record<string, unknown>>> {
    // A read runs at once (it sees what is committed: a group runs whole, BEGIN to COMMIT, within one call);
    // a write waits for the next group. Prepared anew each time: these texts vary with their lists' lengths.
    const prepared = sqliteConnectionOf(this.dataSource).prepare(sql);
    if (prepared.readonly) return prepared.all(...params) as Array<Record<string, unknown>>;
    // The statement prepared serves its group too, unless the connection was replaced meanwhile.
    return this.writes.run((db) => runOn(prepared.database === db ? prepared : db.prepare(sql), params));
  }

  runStatements(statements: ReadonlyArray<{ sql: string; params: readonly unknown[] }>): Promise<Array<Array<Record<string, unknown>>>> {
    return this.writes.run((db) => statements.map(({ sql, params }) => runOn(db.prepare(sql), params)));
  }

  private statement(db: Database, sql: string): Statement {
    let statements = this.prepared.get(db);
    if (!statements) this.prepared.set(db, (statements = new Map()));
    let stmt = statements.get(sql);
    if (!stmt) statements.set(sql, (stmt = db.prepare(sql)));
    return stmt;
  }
}

function runOn(stmt: Statement, params: readonly unknown[]): Array<Record<string, unknown>> {
  if (stmt.reader) return stmt.all(...params) as Array<Record<string, unknown>>;
  stmt.run(...params);
  return [];
}

/** The text TypeORM writes for a `datetime` column on SQLite: `YYYY-MM-DD HH:mm:ss.SSS`, UTC. */
export function instantText(instant: Date | null): string | null {
  if (instant === null) return null;
  const iso = instant.toISOString(); // YYYY-MM-DDTHH:mm:ss.sssZ (±YYYYYY beyond year 9999)
  return iso.length === 24 ? `${iso.slice(0, 10)} ${iso.slice(11, 23)}` : iso.replace('T', ' ').replace('Z', '');
}

function instantFromText(value: unknown): Date | null {
  return typeof value === 'string' ? new Date(`${value.replace(' ', 'T')}Z`) : null;
}
