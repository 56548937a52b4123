import { decideAuthorizationChange, type AuthorizationChange } from '../../authorization-rules';
import type { Authorization } from '../../entities/authorization';
import { PushOutcome } from '../../entities/push-log-entry';
import type { ChangeOutcome, PushRecord, StoredPush } from '../archive-store';
import { authorizationFromRow, withId, type AuthorizationRow } from '../rows';
import type { PgClient, PgPool } from '../typeorm-internals';
import { isDataError, isTransient, TurnBatcher, whileHeld, type Unit } from './pool';

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

const MAX_BATCH = 200;
const MAX_BATCH_CHARS = 8_000_000;
/**
 * Batches written at once by this process. Two: one is written while the next fills. More would
 * make smaller batches that, for one phone, only queue on its row's lock one after the other.
 */
const MAX_IN_FLIGHT = 2;
/** How often a batch that met a deadlock (or a serialization failure) is run again before it fails. */
const MAX_TRANSIENT_RETRIES = 5;

/**
 * PostgreSQL's writes of type-2/3 pushes, other logged pushes and the integrator's cancels: the
 * ones that arrive in one turn of the event loop share one transaction of a few statements,
 * whatever their number (claim the dedupe keys, lock the phones' rows, create the new ones,
 * write the changes and outcomes), instead of a transaction of four statements each.
 *
 * The rule is the archive's own (`decideAuthorizationChange`), applied here in TypeScript to
 * rows locked FOR UPDATE (in phone order): concurrent batches for one phone are decided one after
 * the other against the latest committed state; the changes of one batch for one phone, in the
 * order they arrived. A deadlock between batches (possible when two create rows for the same new
 * phones) is run again; a data error runs the batch again push by push, so one bad push fails
 * alone; any other failure fails the batch. Every promise settles after the COMMIT.
 */
export class PostgresPushWriter {
  private readonly batcher = new TurnBatcher<PushWrite, PushWritten>(
    (write) => write.push?.rawMessage.length ?? 0,
    MAX_BATCH,
    MAX_BATCH_CHARS,
    (batch) => this.writeBatch(batch, true),
    MAX_IN_FLIGHT,
  );

  constructor(private readonly pool: () => PgPool) {}

  write(write: PushWrite): Promise<PushWritten> {
    return this.batcher.add(write);
  }

  private async writeBatch(batch: Array<Unit<PushWrite, PushWritten>>, mayRetryAlone: boolean): Promise<void> {
    let results: PushWritten[];
    for (let attempt = 1; ; attempt++) {
      try {
        results = await whileHeld(this.pool(), (client) => writeInTransaction(client, batch.map((unit) => unit.input)));
        break;
      } catch (error) {
        if (isTransient(error) && attempt <= MAX_TRANSIENT_RETRIES) continue;
        if (mayRetryAlone && batch.length > 1 && isDataError(error)) {
          await Promise.all(batch.map((unit) => this.writeBatch([unit], false)));
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
  phone varchar, source_created_at timestamptz, source_updated_at timestamptz, received_at timestamptz, outcome varchar, raw_message text,
  ordered_by varchar`;

/**
 * One round trip: claim the pushes' dedupe keys (their log rows; a key already taken writes
 * nothing) and lock the rows of the phones the batch changes, in phone order (two batches lock
 * alike: they cannot deadlock on these rows). A locked row is read as it is once its lock is
 * had, whatever the statement's snapshot.
 */
const CLAIM_AND_LOCK_SQL = `
WITH claimed AS (
  INSERT INTO "push_log" ("dedupe_key", "data_tag", "type", "account_id", "member_id", "device_sn", "phone",
                          "source_created_at", "source_updated_at", "received_at", "outcome", "raw_message", "ordered_by")
  SELECT dedupe_key, data_tag, type, account_id, member_id, device_sn, phone, source_created_at, source_updated_at, received_at,
         outcome, raw_message, ordered_by
  FROM jsonb_to_recordset($1::jsonb) AS t(${PUSH_LOG_COLUMNS})
  ORDER BY dedupe_key
  ON CONFLICT DO NOTHING
  RETURNING "id", "dedupe_key"
),
locked AS (
  SELECT * FROM "user_authorization" WHERE "phone" = ANY($2::varchar[]) ORDER BY "phone" FOR UPDATE
)
SELECT c.id, c.dedupe_key, NULL::json AS authorization FROM claimed c
UNION ALL
SELECT NULL, NULL, row_to_json(l) FROM locked l`;

const FIRST_ANSWERS_SQL = 'SELECT "id", "dedupe_key", "outcome" FROM "push_log" WHERE "dedupe_key" = ANY($1::varchar[])';

const LOCK_SQL = 'SELECT * FROM "user_authorization" WHERE "phone" = ANY($1::varchar[]) ORDER BY "phone" FOR UPDATE';

const STATE_COLUMNS = `status varchar, account_id varchar, member_id varchar, authorized_at timestamptz, revoked_at timestamptz,
  revoked_by varchar, last_change_at timestamptz, updated_at timestamptz`;

/**
 * One round trip: create the rows of new phones (in phone order; a phone another transaction
 * created meanwhile is not inserted, and answered so), write the changed rows, and the pushes'
 * outcomes.
 */
const WRITE_SQL = `
WITH created AS (
  INSERT INTO "user_authorization" ("phone", "status", "account_id", "member_id", "authorized_at", "revoked_at", "revoked_by",
                                    "last_change_at", "created_at", "updated_at")
  SELECT phone, status, account_id, member_id, authorized_at, revoked_at, revoked_by, last_change_at, created_at, updated_at
  FROM jsonb_to_recordset($1::jsonb) AS t(phone varchar, created_at timestamptz, ${STATE_COLUMNS})
  ORDER BY phone
  ON CONFLICT DO NOTHING
  RETURNING "id", "phone"
),
updated AS (
  UPDATE "user_authorization" u
  SET "status" = t.status, "account_id" = t.account_id, "member_id" = t.member_id, "authorized_at" = t.authorized_at,
      "revoked_at" = t.revoked_at, "revoked_by" = t.revoked_by, "last_change_at" = t.last_change_at, "updated_at" = t.updated_at
  FROM jsonb_to_recordset($2::jsonb) AS t(id bigint, ${STATE_COLUMNS})
  WHERE u.id = t.id
  RETURNING u.id
),
outcomes AS (
  UPDATE "push_log" p SET "outcome" = t.outcome
  FROM jsonb_to_recordset($3::jsonb) AS t(id bigint, outcome varchar)
  WHERE p.id = t.id
  RETURNING p.id
)
SELECT "id", "phone" FROM created`;

/** One phone's authorization while the batch is decided: its id once it has one, its state. */
interface Working {
  id: number | null;
  state: Authorization | null;
  /** Changed by this batch, so written at its end. */
  dirty: boolean;
}

/** The whole batch in one transaction on `client`; one answer per write, in order. */
async function writeInTransaction(client: PgClient, writes: PushWrite[]): Promise<PushWritten[]> {
  await client.query('BEGIN');
  const results = await writeAll(client, writes);
  await client.query('COMMIT');
  return results;
}

async function writeAll(client: PgClient, writes: PushWrite[]): Promise<PushWritten[]> {
  const results: PushWritten[] = writes.map(() => ({ stored: null, change: null }));

  // 1. Claim the dedupe keys (one log row per key; the same key twice in the batch: the first)
  // and lock the rows of every phone the batch may change.
  const firstOfKey = new Map<string, number>();
  for (const [i, { push }] of writes.entries()) if (push && !firstOfKey.has(push.dedupeKey)) firstOfKey.set(push.dedupeKey, i);
  const phones = [...new Set(writes.flatMap(({ change }) => (change ? [change.phone] : [])))].sort();
  const working = new Map<string, Working>(phones.map((phone) => [phone, { id: null, state: null, dirty: false }]));
  const rows = [...firstOfKey.values()].map((i) => logRow(writes[i].push as PushRecord));
  const claimed = new Map<string, number>();
  const answer = await client.query<{ id: string | null; dedupe_key: string | null; authorization: AuthorizationJson | null }>(CLAIM_AND_LOCK_SQL, [
    JSON.stringify(rows),
    phones,
  ]);
  for (const row of answer.rows) {
    if (row.authorization) setLocked(working, authorizationFromRow(row.authorization, instantFromJson));
    else claimed.set(row.dedupe_key as string, Number(row.id));
  }
  const repeats = [...firstOfKey.keys()].filter((key) => !claimed.has(key));
  const firstAnswers = new Map<string, StoredPush>();
  if (repeats.length > 0) {
    // Committed by another transaction (ON CONFLICT waited for it): this statement sees it.
    for (const row of (await client.query<{ id: string; dedupe_key: string; outcome: PushOutcome }>(FIRST_ANSWERS_SQL, [repeats])).rows) {
      firstAnswers.set(row.dedupe_key, { pushId: Number(row.id), outcome: row.outcome, duplicate: true });
    }
  }

  // The writes whose change is applied now: a cancel, or the first delivery of a claimed push.
  const applying: number[] = [];
  for (const [i, { push, change }] of writes.entries()) {
    if (!push) applying.push(i);
    else if (firstOfKey.get(push.dedupeKey) !== i) continue;
    else if (claimed.has(push.dedupeKey)) {
      results[i].stored = { pushId: claimed.get(push.dedupeKey) as number, outcome: PushOutcome.Ignored, duplicate: false };
      if (change) applying.push(i);
    } else {
      results[i].stored = firstAnswers.get(push.dedupeKey) ?? null;
    }
  }

  if (applying.length > 0) {
    // 2. Decide, in arrival order, by the archive's rules. 3. Write, in one round trip; a phone
    // another transaction created meanwhile is locked and decided again against that row.
    decide(writes, applying, working, results);
    let pending = applying;
    let creating = true;
    for (;;) {
      const created = creating ? [...working.entries()].filter(([, w]) => w.id === null && w.state !== null) : [];
      const inserted = (await client.query<{ id: string; phone: string }>(WRITE_SQL, writeParameters(writes, pending, working, results, created))).rows;
      for (const row of inserted) (working.get(row.phone) as Working).id = Number(row.id);
      const raced = created.map(([phone]) => phone).filter((phone) => (working.get(phone) as Working).id === null);
      if (raced.length === 0) break;
      for (const phone of raced) working.set(phone, { id: null, state: null, dirty: false });
      await lock(client, raced, working);
      pending = applying.filter((i) => raced.includes((writes[i].change as AuthorizationChange).phone));
      decide(writes, pending, working, results);
      creating = false; // the raced rows exist now: they are updated
    }
    for (const i of applying) {
      const change = results[i].change;
      if (change) change.authorization.id = (working.get(change.authorization.phone) as Working).id as number;
    }
  }

  // A repeat within the batch: its first's answer.
  for (const [i, { push }] of writes.entries()) {
    const first = push ? (firstOfKey.get(push.dedupeKey) as number) : i;
    if (first !== i) results[i] = { stored: results[first].stored && { ...results[first].stored, duplicate: true }, change: null };
  }
  return results;
}

/** The parameters of WRITE_SQL: the rows to create, the rows changed (then no longer dirty), the outcomes of `indexes`' pushes. */
function writeParameters(writes: PushWrite[], indexes: number[], working: Map<string, Working>, results: PushWritten[], created: Array<[string, Working]>) {
  const creates = created.map(([, w]) => {
    const state = w.state as Authorization;
    w.dirty = false;
    return { ...stateRow(state), phone: state.phone, created_at: state.createdAt };
  });
  const updates = [...working.values()]
    .filter((w) => w.dirty && w.id !== null)
    .map((w) => {
      w.dirty = false;
      return { id: w.id, ...stateRow(w.state as Authorization) };
    });
  const outcomes = indexes
    .filter((i) => writes[i].push)
    .map((i) => {
      const stored = results[i].stored as StoredPush;
      stored.outcome = results[i].change?.applied ? PushOutcome.Applied : PushOutcome.Stale;
      return { id: stored.pushId, outcome: stored.outcome };
    });
  return [JSON.stringify(creates), JSON.stringify(updates), JSON.stringify(outcomes)];
}

/** A `user_authorization` row as row_to_json gives it (instants as ISO text). */
type AuthorizationJson = AuthorizationRow;

function instantFromJson(value: unknown): Date | null {
  return typeof value === 'string' ? new Date(value) : null;
}

function setLocked(working: Map<string, Working>, state: Authorization): void {
  working.set(state.phone, { id: state.id, state, dirty: false });
}

async function lock(client: PgClient, phones: string[], working: Map<string, Working>): Promise<void> {
  for (const row of (await client.query<AuthorizationRow>(LOCK_SQL, [phones])).rows) {
    setLocked(working, authorizationFromRow(row, (value) => (value instanceof Date ? value : null)));
  }
}

/** Applies the rule to each write's change, in order, on the phones' working states. */
function decide(writes: PushWrite[], indexes: number[], working: Map<string, Working>, results: PushWritten[]): void {
  for (const i of indexes) {
    const change = writes[i].change as AuthorizationChange;
    const w = working.get(change.phone) as Working;
    const decision = decideAuthorizationChange(w.state, change);
    if (!decision.applied) {
      results[i].change = { applied: false, authorization: withId(w.id ?? 0, (w.state as Authorization)) };
      continue;
    }
    w.state = withId(w.id ?? 0, decision.state);
    w.dirty = true;
    // A copy: later changes in the batch must not alter what this one answers.
    results[i].change = { applied: true, authorization: withId(w.id ?? 0, decision.state), transition: decision.transition };
  }
}

function logRow(push: PushRecord) {
  return {
    dedupe_key: push.dedupeKey,
    data_tag: push.dataTag,
    type: push.type,
    account_id: push.accountId,
    member_id: push.memberId,
    device_sn: push.deviceSn,
    phone: push.phone,
    source_created_at: push.sourceCreatedAt,
    source_updated_at: push.sourceUpdatedAt,
    received_at: push.receivedAt,
    // Final for a push that changes nothing; for a change, provisional until it is decided.
    outcome: PushOutcome.Ignored,
    raw_message: push.rawMessage,
    ordered_by: push.orderedBy,
  };
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
