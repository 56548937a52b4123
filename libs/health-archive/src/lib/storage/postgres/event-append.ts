import type { ConsentEntry } from '../../authorization-rules';
import type { NewEvent } from '../../outbox/events';
import type { PgClient } from '../typeorm-internals';
import type { PhonesOfWrite, RowSealer } from '../sealing';
import type { PipelineStep } from './pipeline';

/**
 * The per-person sequence numbers of a set of new events, in SQL: given a CTE `ev` of the events
 * (columns `subject` and `ord`, their order), `sc` counts them by subject and `s` moves each
 * subject's counter on by its count (ON CONFLICT … DO UPDATE locks the subject's row until the
 * commit, so two writers for one person number one after the other; subjects are taken in order,
 * so two writers cannot deadlock on them). `SEQUENCE_OF_EV` is then an event's number.
 */
export const APPEND_EVENTS_CTES = `
sc AS (SELECT subject, count(*) AS cnt FROM ev GROUP BY subject),
s AS (
  INSERT INTO "event_subject" ("subject", "last_sequence")
  SELECT subject, cnt FROM sc ORDER BY subject
  ON CONFLICT ("subject") DO UPDATE SET "last_sequence" = "event_subject"."last_sequence" + EXCLUDED."last_sequence"
  RETURNING "subject", "last_sequence"
)`;

export const SEQUENCE_OF_EV = 's.last_sequence - sc.cnt + row_number() OVER (PARTITION BY ev.subject ORDER BY ev.ord)';

/** The events as given to the statements (phone, subject and data as stored: see RowSealer.event). */
const EVENT_COLUMNS = 'ord integer, event_id varchar, type varchar, phone_hash varchar, phone_enc text, subject varchar, stored_at timestamptz, data text';
const INSERT_EVENTS = `INSERT INTO "event" ("event_id", "type", "phone_hash", "phone_enc", "sequence", "stored_at", "data")
SELECT ev.event_id, ev.type, ev.phone_hash, ev.phone_enc, ${SEQUENCE_OF_EV}, ev.stored_at, ev.data
FROM ev JOIN sc ON sc.subject = ev.subject JOIN s ON s.subject = ev.subject
ORDER BY ev.ord`;

/** Events with their own data (not a measurement's), written in the caller's transaction. */
const APPEND_EVENTS_SQL = `
WITH ev AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(${EVENT_COLUMNS})
),
${APPEND_EVENTS_CTES}
${INSERT_EVENTS}`;

const APPEND_EVENTS_STATEMENT = 'health_bridge_append_events_v2';

export async function appendEvents(client: PgClient, sealer: RowSealer, events: NewEvent[], phones: PhonesOfWrite = sealer.phonesOfWrite()): Promise<void> {
  const step = appendEventsStep(sealer, phones, events);
  if (step) await client.query(step);
}

function appendEventsStep(sealer: RowSealer, phones: PhonesOfWrite, events: NewEvent[]): Required<PipelineStep> | null {
  if (events.length === 0) return null;
  return { name: APPEND_EVENTS_STATEMENT, text: APPEND_EVENTS_SQL, values: [JSON.stringify(eventRows(sealer, phones, events))] };
}

function eventRows(sealer: RowSealer, phones: PhonesOfWrite, events: NewEvent[]) {
  return events.map((e, ord) => ({ ord, event_id: e.eventId, type: e.type, stored_at: e.storedAt, ...sealer.event(e, phones) }));
}

/** The consent ledger's rows and the events of one batch of authorization changes, in one statement of the caller's transaction. */
const APPEND_CHANGES_SQL = `
WITH c AS (
  INSERT INTO "consent_record" ("phone_hash", "action", "actor", "source_at", "received_at", "outcome", "push_id", "request_id")
  SELECT phone_hash, action, actor, source_at, received_at, outcome, push_id, request_id
  FROM jsonb_to_recordset($2::jsonb) AS t(ord integer, phone_hash varchar, action varchar, actor varchar, source_at timestamptz, received_at timestamptz,
                                          outcome varchar, push_id bigint, request_id varchar)
  ORDER BY ord
),
ev AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(${EVENT_COLUMNS})
),
${APPEND_EVENTS_CTES}
${INSERT_EVENTS}`;

const APPEND_CHANGES_STATEMENT = 'health_bridge_append_changes_v2';

/**
 * The statement that writes a batch's consent records and events (every event of a change has its
 * record: none without the other is empty but the events); null when there is nothing to write.
 * The caller runs it in its transaction (pipelined with the COMMIT).
 */
export function appendChangesStep(sealer: RowSealer, phones: PhonesOfWrite, events: NewEvent[], consents: ConsentEntry[]): PipelineStep | null {
  if (consents.length === 0) return appendEventsStep(sealer, phones, events);
  const consentRows = consents.map((c, ord) => ({
    ord,
    phone_hash: phones(c.phone).hash,
    action: c.action,
    actor: c.actor,
    source_at: c.sourceAt,
    received_at: c.receivedAt,
    outcome: c.outcome,
    push_id: c.pushId,
    request_id: c.requestId,
  }));
  return { name: APPEND_CHANGES_STATEMENT, text: APPEND_CHANGES_SQL, values: [JSON.stringify(eventRows(sealer, phones, events)), JSON.stringify(consentRows)] };
}
