import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DEFAULT_MAX_CLOCK_SKEW_MS, maskPhone, pushOrdering, PushType, type ViatomPush } from '@health-bridge/viatom-protocol';
import { DataSource, EntityManager } from 'typeorm';
import { applyAuthorizationChange } from './authorization-state';
import { insertOrIgnore, selectRows } from './database/insert-or-ignore';
import type { MeasurementPushRecord } from './database/measurement-record';
import { PostgresMeasurementBatcher } from './database/postgres-measurement-batch';
import { writeMeasurementOnSqlite } from './database/sqlite-measurement';
import { TransactionRunner } from './database/transaction-runner';
import { HEALTH_ARCHIVE_OPTIONS, type HealthArchiveOptions } from './health-archive.options';
import { indexableId, pushDedupeKey } from './dedupe-key';
import { AuthorizationStatus, RevokedBy } from './entities/authorization';
import { PushLogEntry, PushOutcome } from './entities/push-log-entry';
import {
  AuthorizationGrantedEvent,
  AuthorizationRevokedEvent,
  eventNameOf,
  HealthArchiveEvent,
  MeasurementReceivedEvent,
} from './events';

/** A push as it arrived here: its dedupe key, when, and the time it is ordered by. */
interface Received {
  dedupeKey: string;
  receivedAt: Date;
  ordering: ReturnType<typeof pushOrdering>;
}

export interface IngestResult {
  /** The push log entry's id (the first delivery's, for a duplicate). */
  pushId: number;
  outcome: PushOutcome;
  /** True when this delivery was a repeat of a push already stored: nothing changed. */
  duplicate: boolean;
}

/**
 * Takes a validated push into the archive atomically — in one transaction (a savepoint of
 * SQLite's group commit), or for a measurement on PostgreSQL in one statement shared with the
 * other measurements of the moment: claim its dedupe key in the push log (a unique constraint:
 * a second delivery is a no-op), apply what it says, commit; the promise settles and the
 * domain events go out only after the commit.
 */
@Injectable()
export class PushIngestService {
  private readonly logger = new Logger(PushIngestService.name);
  private readonly measurementBatches: PostgresMeasurementBatcher | null;
  private readonly maxClockSkewMs: number;

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly events: EventEmitter2,
    private readonly dataSource: DataSource,
    @Optional() @Inject(HEALTH_ARCHIVE_OPTIONS) options: HealthArchiveOptions | null = null,
  ) {
    this.measurementBatches = transactions.dialect === 'postgres' ? new PostgresMeasurementBatcher(dataSource) : null;
    this.maxClockSkewMs = options?.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS;
  }

  async ingest(given: ViatomPush, receivedAt: Date = new Date()): Promise<IngestResult> {
    const accountId = indexableId(given.accountId);
    const push = accountId === given.accountId ? given : { ...given, accountId };
    const dedupeKey = pushDedupeKey(push.dataTag, push.raw);
    const ordering = pushOrdering(push, receivedAt, this.maxClockSkewMs);
    const received: Received = { dedupeKey, receivedAt, ordering };
    const { result, events } =
      push.type === PushType.Measurement
        ? await this.archiveMeasurement(received, push)
        : await this.transactions.run((manager) => this.ingestInTransaction(manager, received, push));

    this.logger.debug(
      `push ${result.pushId} type ${push.type}${push.phone ? ` for ${maskPhone(push.phone)}` : ''}: ${result.outcome}${result.duplicate ? ' (duplicate)' : ''}`,
    );
    for (const event of events) this.emit(event);
    return result;
  }

  private async ingestInTransaction(manager: EntityManager, received: Received, push: ViatomPush) {
    const events: HealthArchiveEvent[] = [];
    const result =
      push.type === PushType.UserAuthorized || push.type === PushType.UserCancelled
        ? await this.ingestAuthorizationChange(manager, received, push, events)
        : await this.logPush(manager, received, push, PushOutcome.Ignored);
    return { result, events };
  }

  /**
   * Claims the push's dedupe key with its log row, in one statement. A repeat finds the key
   * taken and gets the first delivery's answer.
   */
  private async logPush(manager: EntityManager, received: Received, push: ViatomPush, outcome: PushOutcome): Promise<IngestResult> {
    const { dedupeKey, receivedAt } = received;
    const pushId = await insertOrIgnore(manager, 'push_log', {
      dedupe_key: dedupeKey,
      data_tag: push.dataTag,
      type: push.type,
      account_id: push.accountId,
      member_id: push.memberId,
      device_sn: push.deviceSn,
      phone: push.phone,
      source_created_at: push.createTime,
      source_updated_at: push.updateTime,
      received_at: receivedAt,
      outcome,
      raw_message: push.rawText,
      ordered_by: received.ordering.basis,
    });
    return pushId !== null ? { pushId, outcome, duplicate: false } : this.firstAnswer(manager, dedupeKey);
  }

  /** A repeat gets the first delivery's answer. */
  private async firstAnswer(manager: EntityManager, dedupeKey: string): Promise<IngestResult> {
    const [first] = await selectRows<{ id: number | string; outcome: PushOutcome }>(manager, 'SELECT id, outcome FROM push_log WHERE dedupe_key = ?', [dedupeKey]);
    return { pushId: Number(first.id), outcome: first.outcome, duplicate: true };
  }

  /**
   * Type 2/3. The dedupe key is claimed first (a repeat must not be applied twice); the
   * outcome is known only once the change met the phone's current authorization.
   */
  private async ingestAuthorizationChange(manager: EntityManager, received: Received, push: ViatomPush, events: HealthArchiveEvent[]): Promise<IngestResult> {
    // Provisional outcome, replaced below in this same transaction.
    const logged = await this.logPush(manager, received, push, PushOutcome.Ignored);
    if (logged.duplicate) return logged;

    const authorized = push.type === PushType.UserAuthorized;
    const change = await applyAuthorizationChange(
      manager,
      {
        phone: push.phone as string,
        status: authorized ? AuthorizationStatus.Authorized : AuthorizationStatus.Revoked,
        at: received.ordering.at,
        orderAt: received.ordering.orderAt,
        accountId: push.accountId,
        memberId: push.memberId,
        revokedBy: authorized ? null : RevokedBy.User,
      },
      received.receivedAt,
    );
    const outcome = change.applied ? PushOutcome.Applied : PushOutcome.Stale;
    await manager.getRepository(PushLogEntry).update({ id: logged.pushId }, { outcome });
    if (change.applied) {
      const a = change.authorization;
      if (change.transition === 'granted') {
        events.push(new AuthorizationGrantedEvent(a.phone, a.accountId, a.memberId, a.authorizedAt as Date));
      } else if (change.transition === 'revoked') {
        events.push(new AuthorizationRevokedEvent(a.phone, a.revokedBy as RevokedBy, a.revokedAt as Date));
      }
    }
    return { ...logged, outcome };
  }

  /**
   * Type 1, the hot path. The outcome depends only on the account's authorizations: a
   * measurement is refused when the account is known and none of its authorizations is
   * authorized (acknowledged and logged `ignored`, its data not kept); otherwise it is
   * archived. The account's phone goes into the log so that it can be filtered by phone.
   * PostgreSQL writes the measurements of one moment with one statement
   * (PostgresMeasurementBatcher); SQLite in prepared statements inside its group commit.
   */
  private async archiveMeasurement(received: Received, push: ViatomPush) {
    const { dedupeKey, receivedAt } = received;
    const record: MeasurementPushRecord = {
      dedupeKey,
      dataTag: push.dataTag,
      accountId: push.accountId,
      memberId: push.memberId,
      deviceSn: push.deviceSn,
      phone: push.phone,
      sourceCreatedAt: push.createTime,
      sourceUpdatedAt: push.updateTime,
      receivedAt,
      rawMessage: push.rawText,
      orderedBy: received.ordering.basis,
      dataType: push.dataType,
      measuredAt: push.measuredAt,
      data: push.measurementData,
    };
    const written = this.measurementBatches
      ? await this.measurementBatches.write(record)
      : await this.transactions.runSqlite((db) => writeMeasurementOnSqlite(db, record));
    // A repeat whose first delivery committed while the statement ran: its answer is read now.
    if (!written) return { result: await this.firstAnswer(this.dataSource.manager, dedupeKey), events: [] };
    const result: IngestResult = { pushId: written.pushId, outcome: written.outcome as PushOutcome, duplicate: written.duplicate };
    const events = written.measurementId !== null ? [this.measurementEvent(written.measurementId, push)] : [];
    return { result, events };
  }

  private measurementEvent(measurementId: number, push: ViatomPush): MeasurementReceivedEvent {
    return new MeasurementReceivedEvent(measurementId, push.accountId, push.memberId, push.dataType, push.measuredAt, push.data);
  }

  private emit(event: HealthArchiveEvent): void {
    try {
      this.events.emit(eventNameOf(event), event);
    } catch (error) {
      // A listener's failure must not turn a committed push into an error answer.
      this.logger.error(`listener of ${eventNameOf(event)} failed: ${(error as Error).message}`);
    }
  }
}
