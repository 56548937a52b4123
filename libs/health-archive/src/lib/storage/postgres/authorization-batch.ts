import { consentEntryOf, decideAuthorizationChange, type AuthorizationChange } from '../../authorization-rules';
import type { Authorization } from '../../entities/authorization';
import { PushOutcome } from '../../entities/push-log-entry';
import { authorizationEvent } from '../../outbox/events';
import type { ChangeOutcome, PushRecord, StoredPush } from '../archive-store';
import { authorizationFromRow, withId, type AuthorizationRow } from '../rows';
import type { PgClient, PgPool } from '../typeorm-internals';
import { appendChangesStep } from './event-append';
import { pipeline, type PipelineStep } from './pipeline';
import type { PhonesOfWrite, RowSealer } from '../sealing';
import { firstAnswers, isDataError, isStalePlan, isTransient, MAX_BATCH, MAX_BATCH_CHARS, TurnBatcher, whileHeld, type Unit } from './pool';

/**
 * What one write asks: a push to log (`push`) and/or a change to a phone's authorization
 * (`change`). Both: a type-2/3 push. A push alone: one that changes nothing (an unknown type).
 * A change alone: the integrator's cancel.
 */
export interface PushWrite {
  push: PushRecord | null;
  change: AuthorizationChange | null;
}

export interface PushWritten {
  /** Null for a change without a push. */
  stored: StoredPush | null;
  /** What the change did; null when there was none, or the push was a repeat. */
  change: ChangeOutcome | null;
}

/**
 * Batches written at once by this process: a few are written while the next fills. Many would
 * make small batches that, for one phone, only queue on its row's lock one after the other.
 */
const MAX_IN_FLIGHT = 4;
/** How often a batch that met a deadlock, a serialization failure or a stale plan is run again before it fails. */
const MAX_TRANSIENT_RETRIES = 5;

/**
 * PostgreSQL's writes of type-2/3 pushes, other logged pushes and the integrator's cancels: the
 * ones that arrive in one turn of the event loop share one transaction of three round trips,
 * whatever their number, instead of a transaction of four statements each: BEGIN and lock the
 * phones' rows; decide; write the log rows (with their final outcomes), the new authorizations
 * and the changed ones; then the ledger and the events, and COMMIT (`pipeline`).
 *
 * The rule is the archive's own (`decideAuthorizationChange`), applied here in TypeScript to
 * rows locked FOR UPDATE (in phone order): concurrent batches for one phone are decided one after
 * the other against the latest committed state; the changes of one batch for one phone, in the
 * order they arrived. The log row claims the push's dedupe key: when the key turns out to be
 * taken (the push was a repeat) or another transaction created a phone's row meanwhile, that
 * phone's changes are decided again without the repeat, against the row, and written over, in the
 * same transaction. A deadlock is run again; a data error runs the batch again push by push, so
 * one bad push fails alone; any other failure fails the batch. Every promise settles after the
 * COMMIT.
 */
export class PostgresPushWriter {
  private readonly batcher = new TurnBatcher<PushWrite, PushWritten>(
    (write) => write.push?.rawMessage.length ?? 0,
    MAX_BATCH,
    MAX_BATCH_CHARS,
    (batch) => this.writeBatch(batch, true),
    MAX_IN_FLIGHT,
  );

  constructor(
    private readonly pool: () => PgPool,
    private readonly sealer: RowSealer,
  ) {}

  write(write: PushWrite): Promise<PushWritten> {
    return this.batcher.add(write);
  }

  private async writeBatch(batch: Array<Unit<PushWrite, PushWritten>>, mayRetryAlone: boolean): Promise<void> {
    let results: PushWritten[];
    for (let attempt = 1; ; attempt++) {
      try {
        results = await whileHeld(this.pool(), (client) => writeInTransaction(client, this.sealer, batch.map((unit) => unit.input)));
        break;
      } catch (error) {
        if ((isTransient(error) || isStalePlan(error)) && attempt <= MAX_TRANSIENT_RETRIES) continue;
        if (mayRetryAlone && batch.length > 1 && isDataError(error)) {
          // One after the other, in arrival order: one phone's changes are decided in the order they came, and the pool is not flooded.
          for (const unit of batch) await this.writeBatch([unit], false);
        } else {
          for (const unit of batch) unit.reject(error);
        }
        return;
      }
    }
    batch.forEach((unit, i) => unit.resolve(results[i]));
  }
}

const PUSH_LOG_COLUMNS = `dedupe_key varchar, data_tag varchar, type integer, account_id varchar, member_id varchar, device_sn varchar,
  phone_hash varchar, phone_enc text, source_created_at timestamptz, source_updated_at timestamptz, received_at timestamptz, outcome varchar, raw_message text,
  ordered_by varchar`;

const STATE_COLUMNS = `status varchar, account_id varchar, member_id varchar, authorized_at timestamptz, revoked_at timestamptz,
  revoked_by varchar, last_change_at timestamptz, updated_at timestamptz`;

/** The changed rows, given as parameter `$n` (a jsonb array of rows with their id), written by id. */
const updateAuthorizations = (n: number) => `
  UPDATE "user_authorization" u
  SET "status" = t.status, "account_id" = t.account_id, "member_id" = t.member_id, "authorized_at" = t.authorized_at,
      "revoked_at" = t.revoked_at, "revoked_by" = t.revoked_by, "last_change_at" = t.last_change_at, "updated_at" = t.updated_at
  FROM jsonb_to_recordset($${n}::jsonb) AS t(id bigint, ${STATE_COLUMNS})
  WHERE u.id = t.id
  RETURNING u.id`;

/** The phones' rows, locked in phone order (two batches lock alike: they cannot deadlock on them). */
export const LOCK_SQL =
  'SELECT "id", "phone_hash", "phone_enc", "status", "account_id", "member_id", "authorized_at", "revoked_at", "revoked_by", "last_change_at", "created_at", ' +
  '"updated_at", "fhir_patient_id", "data_deleted_for" FROM "user_authorization" WHERE "phone_hash" = ANY($1::varchar[]) ORDER BY "phone_hash" FOR UPDATE';

/**
 * One round trip: the log rows (a key already taken writes nothing and is not returned), the
 * rows of new phones (one another transaction created meanwhile is not inserted, nor returned),
 * the changed rows.
 */
export const WRITE_SQL = `
WITH logged AS (
  INSERT INTO "push_log" ("dedupe_key", "data_tag", "type", "account_id", "member_id", "device_sn", "phone_hash", "phone_enc",
                          "source_created_at", "source_updated_at", "received_at", "outcome", "raw_message", "ordered_by")
  SELECT dedupe_key, data_tag, type, account_id, member_id, device_sn, phone_hash, phone_enc, source_created_at, source_updated_at, received_at,
         outcome, raw_message, ordered_by
  FROM jsonb_to_recordset($1::jsonb) AS t(${PUSH_LOG_COLUMNS})
  ORDER BY dedupe_key
  ON CONFLICT DO NOTHING
  RETURNING "id", "dedupe_key"
),
created AS (
  INSERT INTO "user_authorization" ("phone_hash", "phone_enc", "status", "account_id", "member_id", "authorized_at", "revoked_at", "revoked_by",
                                    "last_change_at", "created_at", "updated_at", "fhir_patient_id")
  SELECT phone_hash, phone_enc, status, account_id, member_id, authorized_at, revoked_at, revoked_by, last_change_at, created_at, updated_at, fhir_patient_id
  FROM jsonb_to_recordset($2::jsonb) AS t(phone_hash varchar, phone_enc text, created_at timestamptz, fhir_patient_id varchar, ${STATE_COLUMNS})
  ORDER BY phone_hash
  ON CONFLICT DO NOTHING
  RETURNING "id", "phone_hash"
),
updated AS (${updateAuthorizations(3)})
SELECT "id", "dedupe_key", NULL AS "phone_hash" FROM logged
UNION ALL
SELECT "id", NULL, "phone_hash" FROM created`;

/** The rare second pass: rows and outcomes decided again (after a repeat or a phone created meanwhile). */
const CORRECT_SQL = `
WITH updated AS (${updateAuthorizations(1)})
UPDATE "push_log" p SET "outcome" = t.outcome
FROM jsonb_to_recordset($2::jsonb) AS t(id bigint, outcome varchar)
WHERE p.id = t.id`;

/** The two statements of every batch are prepared once per pooled connection (one text per name). */
const LOCK_STATEMENT = 'health_bridge_lock_authorizations_v2';
const WRITE_STATEMENT = 'health_bridge_write_pushes_v2';

/** A row this transaction created from a push that turned out to be a repeat, and nothing else: it was never to be. */
const DELETE_CREATED_SQL = 'DELETE FROM "user_authorization" WHERE "id" = ANY($1::bigint[])';

/**
 * The batch's transaction starts with the planner told to leave sequential scans aside. The named
 * statements are planned once per connection and that plan is kept (a generic plan): made while
 * `user_authorization` is still small (a new deployment, the first minute of a new schema), it is
 * a sequential scan, kept as the table grows until an ANALYZE happens to invalidate it, and each
 * batch then reads the whole table twice (the lock, and the UPDATE by id). Every row these
 * statements read is reached by a unique index (the phone's hash, the id), the right plan at any
 * size. Sent with the lock, in one round trip (`pipeline`).
 */
export const BEGIN_STEPS: PipelineStep[] = [{ text: 'BEGIN' }, { text: 'SET LOCAL enable_seqscan = off' }];

/**
 * The whole batch in one transaction on `client`; one answer per write, in order. Three round
 * trips in the ordinary case: BEGIN with the lock; the write; the ledger and the events with the COMMIT.
 */
async function writeInTransaction(client: PgClient, sealer: RowSealer, writes: PushWrite[]): Promise<PushWritten[]> {
  const phones = sealer.phonesOfWrite();
  const results = await new BatchWrite(client, sealer, phones, writes).run();
  // The ledger's record of every change decided (a repeat's is its first delivery's), and the events of those that granted or
  // revoked, in arrival order, in the same transaction.
  const append = appendChangesStep(
    sealer,
    phones,
    writes.flatMap(({ change }, i) => {
      const outcome = results[i].change;
      const event = change && outcome?.applied ? authorizationEvent(outcome.transition, outcome.authorization, change.now) : null;
      return event ? [event] : [];
    }),
    writes.flatMap(({ change }, i) => {
      const outcome = results[i].change;
      return change && outcome ? [consentEntryOf(change, outcome.applied, results[i].stored?.pushId ?? null)] : [];
    }),
  );
  await pipeline(client, [...(append ? [append] : []), { text: 'COMMIT' }]);
  return results;
}

/** One batch, decided and written: the phones' rows as locked, and what each write did. */
class BatchWrite {
  private readonly results: PushWritten[];
  /** Each phone's row as locked (null: none yet), by phone. */
  private readonly locked = new Map<string, Authorization | null>();
  /** Each phone's row id, once known. */
  private readonly ids = new Map<string, number>();
  /** The phones whose row this transaction created. */
  private readonly createdHere = new Set<string>();
  /** Each phone's state after the batch's changes, and whether the batch changed it. */
  private readonly finalState = new Map<string, { state: Authorization | null; changed: boolean }>();
  /** The writes applied now: cancels, and the first of each dedupe key in the batch. */
  private applying: number[] = [];
  private readonly firstOfKey = new Map<string, number>();

  /** Each phone of the batch by its keyed hash (what the created rows answer). */
  private readonly phoneOf = new Map<string, string>();

  constructor(
    private readonly client: PgClient,
    private readonly sealer: RowSealer,
    /** The batch's phones as stored: hashed and sealed once each, for its log rows, authorizations, events and ledger. */
    private readonly phones: PhonesOfWrite,
    private readonly writes: PushWrite[],
  ) {
    this.results = writes.map(() => ({ stored: null, change: null }));
    for (const [i, { push }] of writes.entries()) {
      if (push && !this.firstOfKey.has(push.dedupeKey)) this.firstOfKey.set(push.dedupeKey, i);
      if (!push || this.firstOfKey.get(push.dedupeKey) === i) this.applying.push(i);
    }
  }

  async run(): Promise<PushWritten[]> {
    const phones = [...new Set(this.writes.flatMap(({ change }) => (change ? [change.phone] : [])))].sort();
    for (const phone of phones) {
      this.locked.set(phone, null);
      this.phoneOf.set(this.hashOf(phone), phone);
    }
    // The transaction begins in the lock's round trip.
    await this.lock(phones, BEGIN_STEPS);
    this.decide(phones);

    // The log rows, with their outcomes; the new phones' rows; the changed ones.
    const logged = this.applying.filter((i) => this.writes[i].push);
    const created = phones.filter((phone) => !this.ids.has(phone) && this.finalState.get(phone)?.state);
    const answer = await this.client.query<{ id: string; dedupe_key: string | null; phone_hash: string | null }>({
      name: WRITE_STATEMENT,
      text: WRITE_SQL,
      values: [
        JSON.stringify(logged.map((i) => logRow(this.sealer, this.phones, this.writes[i].push as PushRecord, this.outcomeOf(i)))),
        JSON.stringify(created.map((phone) => createRow(this.phones, this.finalState.get(phone)?.state as Authorization))),
        JSON.stringify(this.updates(phones.filter((phone) => this.ids.has(phone)))),
      ],
    });
    const claimed = new Map<string, number>();
    for (const row of answer.rows) {
      if (row.dedupe_key !== null) claimed.set(row.dedupe_key, Number(row.id));
      else {
        const phone = this.phoneOf.get(row.phone_hash as string) as string;
        this.ids.set(phone, Number(row.id));
        this.createdHere.add(phone);
      }
    }
    for (const i of logged) {
      const key = (this.writes[i].push as PushRecord).dedupeKey;
      if (claimed.has(key)) this.results[i].stored = { pushId: claimed.get(key) as number, outcome: this.outcomeOf(i), duplicate: false };
    }

    // Rare: a push already stored (a repeat), a phone created meanwhile by another transaction.
    const repeats = logged.filter((i) => !claimed.has((this.writes[i].push as PushRecord).dedupeKey));
    const raced = created.filter((phone) => !this.ids.has(phone));
    if (repeats.length > 0 || raced.length > 0) await this.correct(repeats, raced);

    for (const i of this.applying) {
      const change = this.results[i].change;
      if (change) change.authorization.id = this.ids.get(change.authorization.phone) as number;
    }
    // A repeat within the batch: its first's answer.
    for (const [i, { push }] of this.writes.entries()) {
      const first = push ? (this.firstOfKey.get(push.dedupeKey) as number) : i;
      if (first !== i) this.results[i] = { stored: this.results[first].stored && { ...this.results[first].stored, duplicate: true }, change: null };
    }
    return this.results;
  }

  /** The repeats are answered with their first delivery; the phones they touch, and the raced ones, decided again and written over. */
  private async correct(repeats: number[], raced: string[]): Promise<void> {
    const keys = repeats.map((i) => (this.writes[i].push as PushRecord).dedupeKey);
    // Committed by another transaction (ON CONFLICT waited for it): this statement sees it.
    const first = keys.length > 0 ? await firstAnswers(this.client, keys) : new Map<string, StoredPush>();
    for (const i of repeats) this.results[i] = { stored: first.get((this.writes[i].push as PushRecord).dedupeKey) ?? null, change: null };
    this.applying = this.applying.filter((i) => !repeats.includes(i));

    if (raced.length > 0) await this.lock(raced);
    const phones = [...new Set([...raced, ...repeats.flatMap((i) => (this.writes[i].change ? [(this.writes[i].change as AuthorizationChange).phone] : []))])];
    if (phones.length === 0) return;
    this.decide(phones);
    const outcomes = this.applying
      .filter((i) => this.writes[i].push && this.writes[i].change && phones.includes((this.writes[i].change as AuthorizationChange).phone))
      .map((i) => {
        const stored = this.results[i].stored as StoredPush;
        stored.outcome = this.outcomeOf(i);
        return { id: stored.pushId, outcome: stored.outcome };
      });
    // Every row of these phones is written again, changed or not: the first pass may have written a repeat's change into it;
    // one it created from repeats alone goes (a push sharing a data_tag with another one, for another phone).
    await this.client.query(CORRECT_SQL, [JSON.stringify(this.updates(phones, true)), JSON.stringify(outcomes)]);
    const unborn = phones.filter((phone) => this.createdHere.has(phone) && !this.finalState.get(phone)?.state);
    if (unborn.length > 0) {
      await this.client.query(DELETE_CREATED_SQL, [unborn.map((phone) => this.ids.get(phone))]);
      for (const phone of unborn) this.ids.delete(phone);
    }
  }

  /** Locks these phones' rows (none: nothing to lock), after the statements `before` (BEGIN), in one round trip. */
  private async lock(phones: string[], before: PipelineStep[] = []): Promise<void> {
    // In the hashes' order (the lock order of every writer).
    const hashes = phones.map((phone) => this.hashOf(phone)).sort();
    const steps = phones.length > 0 ? [...before, { name: LOCK_STATEMENT, text: LOCK_SQL, values: [hashes] }] : before;
    if (steps.length === 0) return;
    const rows = ((await pipeline(this.client, steps))[before.length] ?? []) as unknown as AuthorizationRow[];
    for (const row of rows) {
      const state = authorizationFromRow(row, (value) => (value instanceof Date ? value : null), this.sealer);
      this.locked.set(state.phone, state);
      this.ids.set(state.phone, state.id);
    }
  }

  /** Applies the rule to the changes of these phones, in arrival order, from their locked rows. */
  private decide(phones: string[]): void {
    const current = new Map<string, Authorization | null>(phones.map((phone) => [phone, this.locked.get(phone) ?? null]));
    const changed = new Set<string>();
    for (const i of this.applying) {
      const change = this.writes[i].change;
      if (!change || !current.has(change.phone)) continue;
      const state = current.get(change.phone) ?? null;
      const decision = decideAuthorizationChange(state, change);
      const id = this.ids.get(change.phone) ?? 0;
      const hash = this.hashOf(change.phone);
      if (!decision.applied) {
        this.results[i].change = { applied: false, authorization: withId(id, state as Authorization, hash) };
        continue;
      }
      const next = withId(id, decision.state, hash);
      current.set(change.phone, next);
      changed.add(change.phone);
      // A copy: later changes in the batch must not alter what this one answers.
      this.results[i].change = { applied: true, authorization: withId(id, decision.state, hash), transition: decision.transition };
    }
    for (const phone of phones) this.finalState.set(phone, { state: current.get(phone) ?? null, changed: changed.has(phone) });
  }

  /** The rows of these phones that the batch changed (`all`: every one that has a row), for an UPDATE by id. */
  private updates(phones: string[], all = false) {
    return phones
      .filter((phone) => (all || this.finalState.get(phone)?.changed) && this.ids.has(phone) && this.finalState.get(phone)?.state)
      .map((phone) => ({ id: this.ids.get(phone), ...stateRow(this.finalState.get(phone)?.state as Authorization) }));
  }

  private hashOf(phone: string): string {
    return this.phones(phone).hash as string;
  }

  private outcomeOf(i: number): PushOutcome {
    const change = this.results[i].change;
    if (!this.writes[i].change) return PushOutcome.Ignored;
    return change?.applied ? PushOutcome.Applied : PushOutcome.Stale;
  }
}

function logRow(sealer: RowSealer, phones: PhonesOfWrite, push: PushRecord, outcome: PushOutcome) {
  const phone = phones(push.phone);
  return {
    dedupe_key: push.dedupeKey,
    data_tag: push.dataTag,
    type: push.type,
    account_id: push.accountId,
    member_id: push.memberId,
    device_sn: push.deviceSn,
    phone_hash: phone.hash,
    phone_enc: phone.enc,
    source_created_at: push.sourceCreatedAt,
    source_updated_at: push.sourceUpdatedAt,
    received_at: push.receivedAt,
    outcome,
    raw_message: sealer.rawMessage(push.rawMessage),
    ordered_by: push.orderedBy,
  };
}

function createRow(phones: PhonesOfWrite, state: Authorization) {
  const phone = phones(state.phone);
  return { ...stateRow(state), phone_hash: phone.hash, phone_enc: phone.enc, created_at: state.createdAt, fhir_patient_id: state.fhirPatientId };
}

function stateRow(state: Authorization) {
  return {
    status: state.status,
    account_id: state.accountId,
    member_id: state.memberId,
    authorized_at: state.authorizedAt,
    revoked_at: state.revokedAt,
    revoked_by: state.revokedBy,
    last_change_at: state.lastChangeAt,
    updated_at: state.updatedAt,
  };
}
