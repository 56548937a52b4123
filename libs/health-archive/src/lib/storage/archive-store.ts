import type { Observation } from '@health-bridge/viatom-protocol';
import type { Authorization, AuthorizationStatus } from '../entities/authorization';
import type { ConsentRecord } from '../entities/consent-record';
import type { AccessRecord } from '../entities/access-record';
import type { Measurement } from '../entities/measurement';
import type { PushLogEntry, PushOutcome } from '../entities/push-log-entry';
import type { AuthorizationChange, Transition } from '../authorization-rules';
import type { EventType, NewEvent, OutboxEvent, OutboxEventHeader } from '../outbox/events';
import type { FeedPosition } from '../outbox/feed-cursor';
import type { PersonDataDeleted } from './person-deletion';

/** A push as the push log keeps it (its outcome is decided by the store's write). */
export interface PushRecord {
  dedupeKey: string;
  dataTag: string;
  type: number | null;
  accountId: string;
  memberId: string;
  deviceSn: string;
  /** The push's own phone; for a measurement without one, the account's (if known) is logged. */
  phone: string | null;
  sourceCreatedAt: Date | null;
  sourceUpdatedAt: Date | null;
  receivedAt: Date;
  /** The push's text as received. */
  rawMessage: string;
  /** What the push's time was read from (PushTimeBasis). */
  orderedBy: string;
}

/** A type-1 push: its log record and the measurement it carries. */
export interface MeasurementPushRecord extends PushRecord {
  /** What the log keeps instead of `rawMessage` when the measurement is refused (`ignoredRawMessage`). */
  ignoredRawMessage: string;
  dataType: number | null;
  measuredAt: Date | null;
  /** The measurement's `data`, whatever it holds. */
  data: unknown;
  /** The quantities decoded from `data`, kept with it (empty when nothing decodes). */
  observations: Observation[];
  /** The id its `measurement.archived` event gets, if it is archived. */
  eventId: string;
}

/** The first delivery's answer, for a push that was already stored. */
export interface StoredPush {
  pushId: number;
  outcome: PushOutcome;
  /** True when this delivery was a repeat of a push already stored: nothing changed. */
  duplicate: boolean;
}

export interface MeasurementWritten extends StoredPush {
  /** The measurement's id; null for a repeat, or when the data was refused (consent withdrawn). */
  measurementId: number | null;
}

/** What a change did to a phone's authorization. */
export type ChangeOutcome =
  | { applied: true; authorization: Authorization; transition: Transition }
  | { applied: false; authorization: Authorization };

export interface AuthorizationChangeWritten extends StoredPush {
  /** Null for a repeat (the first delivery already applied it). */
  change: ChangeOutcome | null;
}

/** The filters of a list; `afterId` and `take` make the page (newest first, by id). */
interface Page {
  afterId: number | null;
  take: number;
}
export interface AuthorizationFilter extends Page {
  status?: AuthorizationStatus;
}
export interface MeasurementFilter extends Page {
  accountId?: string;
  dataType?: number;
  /** Only these data types (a kind filter, or the FHIR codes asked for). */
  dataTypes?: readonly number[];
  /** Only measurements with this observation, its value within [min, max] (both inclusive, either optional). */
  observation?: { name: string; min?: number; max?: number };
  from?: Date;
  to?: Date;
}
export interface ConsentFilter extends Page {
  phone: string;
}
export interface AccessFilter extends Page {
  phoneHash?: string;
  /** At or after. */
  from?: Date;
  /** Before. */
  to?: Date;
}
export interface PushLogFilter extends Page {
  /** Only these pushes (at most a thousand). */
  ids?: readonly number[];
  type?: number;
  phone?: string;
  outcome?: PushOutcome;
}

/** The push log counted over a window of received times, both ends included. */
export interface PushCountQuery {
  from: Date;
  to: Date;
  /** The types counted apart; every other type (and none) is counted as one, `type: null`. */
  types: readonly number[];
}

/** How many pushes of one type and outcome were received in one minute (UTC). */
export interface PushMinuteCount {
  /** The start of the minute. */
  minute: Date;
  /** One of the query's `types`; null for any other type, or none. */
  type: number | null;
  outcome: PushOutcome;
  /** More than 0: a minute, type and outcome without a push has no count. */
  count: number;
}

/** A read of the event feed: oldest first, after `after` (null: from the oldest kept). */
export interface EventFeedQuery {
  after: FeedPosition | null;
  /** Only these types; absent: every type. */
  types?: readonly EventType[];
  limit: number;
}

/** The connection pool's state, for metrics; null on an engine without a pool (SQLite). */
export interface PoolState {
  total: number;
  idle: number;
  waiting: number;
}

/**
 * The storage port: everything the health archive keeps (the push log, authorizations,
 * measurements) and nothing else. The services hold the rules and call this; one adapter per
 * engine holds every statement and its engine's performance work, and is chosen once, by the
 * module, from the database URL. Each write is atomic and its promise settles after its commit.
 * One contract suite (archive-store.contract.spec.ts) runs against both adapters.
 */
export abstract class ArchiveStore {
  /**
   * Logs a push and, when it is new, applies `change` to its phone's authorization, by the
   * ordering rule (`decideAuthorizationChange`), in one transaction. A repeat changes nothing
   * and gets its first delivery's answer.
   */
  abstract recordAuthorizationChange(push: PushRecord, change: AuthorizationChange): Promise<AuthorizationChangeWritten>;

  /** Applies a change that is not a push (the integrator's cancel) to the phone's authorization. */
  abstract applyAuthorizationChange(change: AuthorizationChange): Promise<ChangeOutcome>;

  /**
   * Logs a measurement push and keeps its measurement, unless it is refused by the rule of
   * `isMeasurementRefused` (then logged `ignored` with `ignoredRawMessage`, its data not kept).
   */
  abstract recordMeasurement(push: MeasurementPushRecord): Promise<MeasurementWritten>;

  /** Logs a push that changes nothing (an unknown type), outcome `ignored`. */
  abstract recordIgnoredPush(push: PushRecord): Promise<StoredPush>;

  abstract findAuthorization(phone: string): Promise<Authorization | null>;
  /** The person FHIR names by this pseudonymous id. */
  abstract findAuthorizationByFhirPatientId(fhirPatientId: string): Promise<Authorization | null>;
  /** The authorizations whose account is this one (who a measurement belongs to), authorized ones first. */
  abstract findAuthorizationsOfAccount(accountId: string): Promise<Authorization[]>;
  abstract findMeasurement(id: number): Promise<Measurement | null>;
  /** Whether any kept measurement came from the device with this serial number. */
  abstract hasDevice(deviceSn: string): Promise<boolean>;
  /** Newest first; at most `take` rows with id below `afterId`. */
  abstract listAuthorizations(filter: AuthorizationFilter): Promise<Authorization[]>;
  abstract listMeasurements(filter: MeasurementFilter): Promise<Measurement[]>;
  abstract listPushLog(filter: PushLogFilter): Promise<PushLogEntry[]>;
  /**
   * The pushes received in the window, counted by the minute they were received in, their type
   * and outcome: ordered by minute, then type (null last), then outcome. Grouped in the database,
   * over an index by received time: the work is the window's pushes, not the log's.
   */
  abstract countPushesByMinute(query: PushCountQuery): Promise<PushMinuteCount[]>;
  /** A person's consent ledger, newest first. */
  abstract listConsents(filter: ConsentFilter): Promise<ConsentRecord[]>;

  /** Adds rows to the access audit, in one statement; resolves after the commit. */
  abstract recordAccess(entries: ReadonlyArray<Omit<AccessRecord, 'id'>>): Promise<void>;
  /** The access audit, newest first. */
  abstract listAccess(filter: AccessFilter): Promise<AccessRecord[]>;
  /** Deletes the audit rows from before `before`; how many. */
  abstract purgeAccess(before: Date): Promise<number>;

  /**
   * The outbox, oldest first. On PostgreSQL only events whose transaction, and every one that
   * began before it, has ended are answered: a reader never passes an event that is committed
   * after it read (a later transaction may commit first).
   */
  abstract readEvents(query: EventFeedQuery): Promise<OutboxEvent[]>;
  /** The events `readEvents` answers for the same query, in order, without their person or data (nothing opened, no join). */
  abstract readEventHeaders(query: EventFeedQuery): Promise<OutboxEventHeader[]>;
  /** The events of these public ids that are still kept, in feed order. */
  abstract findEvents(eventIds: readonly string[]): Promise<OutboxEvent[]>;
  /** The position after the newest event a read can answer now: where a reader "from now" starts. */
  abstract latestEventPosition(): Promise<FeedPosition>;
  /** Adds an event that no push or cancel carries (`endpoint.disabled`), in its own transaction. */
  abstract appendEvent(event: NewEvent): Promise<void>;
  /** Deletes the events stored before `before` (and their deliveries); how many. */
  abstract purgeEvents(before: Date): Promise<number>;

  /**
   * Deletion on withdrawal: the phones of the people whose authorization is revoked, last changed
   * before `changedBefore` (the grace period is over), whose current revocation's data is not
   * deleted yet; the longest waiting first.
   */
  abstract dueForDeletion(changedBefore: Date, limit: number): Promise<string[]>;
  /**
   * In one transaction, if the person is still due (checked again under the row's lock): deletes
   * their account's measurements (unless another person sharing the account still consents),
   * empties the raw payloads of their pushes (the log's facts stay), marks the revocation done and
   * writes the `person.data-deleted` event. Null when they are no longer due.
   */
  abstract deletePersonData(phone: string, changedBefore: Date, event: { eventId: string; storedAt: Date }): Promise<PersonDataDeleted | null>;

  /**
   * The retention of raw payloads: from the push after `afterId` on, by id (the order they were
   * stored in), empties the payloads of the pushes received before `receivedBefore`, at most
   * `limit`, stopping at the first one received since. Answers how many were emptied, the id to go
   * on from, and whether it reached a push still within the retention (or the end).
   */
  abstract dropRawPayloads(receivedBefore: Date, afterId: number, limit: number): Promise<{ dropped: number; lastId: number; reachedKept: boolean }>;

  /** Resolves when the database answers a trivial query. */
  abstract ping(): Promise<void>;
  /**
   * One statement of a lib beside the archive (the delivery lib's tables), `$1, $2…` on
   * PostgreSQL and `?` on SQLite, on the archive's connection: on SQLite inside the group commit
   * (it shares the pushes' one disk sync instead of paying its own), on PostgreSQL from the pool.
   * Its rows come back (use RETURNING to learn what a write touched). Atomic alone.
   */
  abstract runStatement(sql: string, params: readonly unknown[]): Promise<Array<Record<string, unknown>>>;
  /** Several such statements, all or none (one savepoint of a group on SQLite, one transaction on PostgreSQL); each one's rows. */
  abstract runStatements(statements: ReadonlyArray<{ sql: string; params: readonly unknown[] }>): Promise<Array<Array<Record<string, unknown>>>>;
  /** The names of this build's migrations that the database has not applied. */
  abstract pendingMigrations(): Promise<string[]>;
  abstract poolState(): PoolState | null;
}
