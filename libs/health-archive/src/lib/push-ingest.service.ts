import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { decodeMeasurement, DEFAULT_MAX_CLOCK_SKEW_MS, maskPhone, pushOrdering, PushType, type ViatomPush } from '@health-bridge/viatom-protocol';
import { ignoredRawMessage } from './authorization-rules';
import { indexableId, pushDedupeKey } from './dedupe-key';
import { AuthorizationStatus, RevokedBy } from './entities/authorization';
import type { PushOutcome } from './entities/push-log-entry';
import {
  AuthorizationGrantedEvent,
  AuthorizationRevokedEvent,
  eventNameOf,
  type HealthArchiveEvent,
  MeasurementReceivedEvent,
} from './events';
import { HEALTH_ARCHIVE_OPTIONS, type HealthArchiveOptions } from './health-archive.options';
import { newEventId } from './outbox/events';
import { DataProtection } from './protection/data-protection';
import { ArchiveStore, type ChangeOutcome, type PushRecord } from './storage/archive-store';

export interface IngestResult {
  /** The push log entry's id (the first delivery's, for a duplicate). */
  pushId: number;
  outcome: PushOutcome;
  /** True when this delivery was a repeat of a push already stored: nothing changed. */
  duplicate: boolean;
}

/**
 * Takes a validated push into the archive: the store logs it under its dedupe key (a second
 * delivery is a no-op that gets the first one's answer) and applies what it says, atomically;
 * the promise settles, and the domain events go out, only after the commit.
 */
@Injectable()
export class PushIngestService {
  private readonly logger = new Logger(PushIngestService.name);
  private readonly maxClockSkewMs: number;

  constructor(
    private readonly store: ArchiveStore,
    private readonly events: EventEmitter2,
    private readonly protection: DataProtection,
    @Optional() @Inject(HEALTH_ARCHIVE_OPTIONS) options: HealthArchiveOptions | null = null,
  ) {
    this.maxClockSkewMs = options?.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS;
  }

  async ingest(given: ViatomPush, receivedAt: Date = new Date()): Promise<IngestResult> {
    const accountId = indexableId(given.accountId);
    const push = accountId === given.accountId ? given : { ...given, accountId };
    const ordering = pushOrdering(push, receivedAt, this.maxClockSkewMs);
    const record: PushRecord = {
      dedupeKey: pushDedupeKey(push.dataTag, push.raw, (purpose, text) => this.protection.keyedHash(purpose, text)),
      dataTag: push.dataTag,
      type: push.type,
      accountId: push.accountId,
      memberId: push.memberId,
      deviceSn: push.deviceSn,
      phone: push.phone,
      sourceCreatedAt: push.createTime,
      sourceUpdatedAt: push.updateTime,
      receivedAt,
      rawMessage: push.rawText,
      orderedBy: ordering.basis,
    };

    let result: IngestResult;
    const events: HealthArchiveEvent[] = [];
    if (push.type === PushType.Measurement) {
      // The hot path. Refused (logged `ignored`, its data not kept) when the account is known and none of its authorizations is authorized.
      const observations = decodeMeasurement(push.measurementData)?.observations ?? [];
      const written = await this.store.recordMeasurement({
        ...record,
        ignoredRawMessage: ignoredRawMessage(push.raw),
        dataType: push.dataType,
        measuredAt: push.measuredAt,
        data: push.measurementData,
        observations,
        eventId: newEventId(receivedAt.getTime()),
      });
      result = { pushId: written.pushId, outcome: written.outcome, duplicate: written.duplicate };
      if (written.measurementId !== null) {
        events.push(new MeasurementReceivedEvent(written.measurementId, push.accountId, push.memberId, push.dataType, push.measuredAt, push.data, observations));
      }
    } else if (push.type === PushType.UserAuthorized || push.type === PushType.UserCancelled) {
      const authorized = push.type === PushType.UserAuthorized;
      const written = await this.store.recordAuthorizationChange(record, {
        phone: push.phone as string,
        status: authorized ? AuthorizationStatus.Authorized : AuthorizationStatus.Revoked,
        at: ordering.at,
        orderAt: ordering.orderAt,
        accountId: push.accountId,
        memberId: push.memberId,
        revokedBy: authorized ? null : RevokedBy.User,
        now: receivedAt,
      });
      result = { pushId: written.pushId, outcome: written.outcome, duplicate: written.duplicate };
      if (written.change) events.push(...changeEvents(written.change));
    } else {
      result = await this.store.recordIgnoredPush(record);
    }

    this.logger.debug(
      `push ${result.pushId} type ${push.type}${push.phone ? ` for ${maskPhone(push.phone)}` : ''}: ${result.outcome}${result.duplicate ? ' (duplicate)' : ''}`,
    );
    for (const event of events) emitSafely(this.events, event, this.logger);
    return result;
  }
}

/** The events of an authorization change: one when it granted or revoked, none otherwise. */
export function changeEvents(change: ChangeOutcome): HealthArchiveEvent[] {
  if (!change.applied) return [];
  const a = change.authorization;
  if (change.transition === 'granted') return [new AuthorizationGrantedEvent(a.phone, a.accountId, a.memberId, a.authorizedAt as Date)];
  if (change.transition === 'revoked') return [new AuthorizationRevokedEvent(a.phone, a.revokedBy as RevokedBy, a.revokedAt as Date)];
  return [];
}

/** A listener's failure must not turn a committed write into an error answer. */
export function emitSafely(events: EventEmitter2, event: HealthArchiveEvent, logger: Logger): void {
  try {
    events.emit(eventNameOf(event), event);
  } catch (error) {
    logger.error(`listener of ${eventNameOf(event)} failed: ${(error as Error).message}`);
  }
}
