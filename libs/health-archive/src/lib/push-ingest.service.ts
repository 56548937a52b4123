import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { maskPhone, PushType, pushSourceTime, type ViatomPush } from '@health-bridge/viatom-client';
import { EntityManager } from 'typeorm';
import { applyAuthorizationChange } from './authorization-state';
import { insertOrIgnore } from './database/insert-or-ignore';
import { TransactionRunner } from './database/transaction-runner';
import { pushDedupeKey } from './dedupe-key';
import { Authorization, AuthorizationStatus, RevokedBy } from './entities/authorization';
import { PushLogEntry, PushOutcome } from './entities/push-log-entry';
import {
  AuthorizationGrantedEvent,
  AuthorizationRevokedEvent,
  eventNameOf,
  HealthArchiveEvent,
  MeasurementReceivedEvent,
} from './events';

export interface IngestResult {
  /** The push log entry's id (the first delivery's, for a duplicate). */
  pushId: number;
  outcome: PushOutcome;
  /** True when this delivery was a repeat of a push already stored: nothing changed. */
  duplicate: boolean;
}

/**
 * Takes a validated push into the archive, in one transaction: claim its dedupe key in
 * the push log (a unique constraint: a second delivery is a no-op), apply what it says,
 * commit; domain events only after the commit.
 */
@Injectable()
export class PushIngestService {
  private readonly logger = new Logger(PushIngestService.name);

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly events: EventEmitter2,
  ) {}

  async ingest(push: ViatomPush, receivedAt: Date = new Date()): Promise<IngestResult> {
    const dedupeKey = pushDedupeKey(push.dataTag, push.raw);
    const { result, events } = await this.transactions.run(async (manager) => {
      const pending: HealthArchiveEvent[] = [];
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
        // Provisional until the push is applied below, in this same transaction.
        outcome: PushOutcome.Ignored,
        raw_message: JSON.stringify(push.raw),
      });
      if (pushId === null) {
        const first = await manager.getRepository(PushLogEntry).findOneByOrFail({ dedupeKey });
        return { result: { pushId: first.id, outcome: first.outcome, duplicate: true }, events: pending };
      }
      const { outcome, phone } = await this.apply(manager, pushId, push, receivedAt, pending);
      const update: Partial<PushLogEntry> = { outcome, phone };
      if (outcome === PushOutcome.Ignored && push.type === PushType.Measurement) {
        // A revoked account's measurement is acknowledged but its data is not kept.
        update.rawMessage = JSON.stringify({ ...push.raw, data: null });
      }
      await manager.getRepository(PushLogEntry).update({ id: pushId }, update);
      return { result: { pushId, outcome, duplicate: false }, events: pending };
    });

    this.logger.debug(
      `push ${result.pushId} type ${push.type}${push.phone ? ` for ${maskPhone(push.phone)}` : ''}: ${result.outcome}${result.duplicate ? ' (duplicate)' : ''}`,
    );
    for (const event of events) this.emit(event);
    return result;
  }

  private async apply(
    manager: EntityManager,
    pushId: number,
    push: ViatomPush,
    receivedAt: Date,
    events: HealthArchiveEvent[],
  ): Promise<{ outcome: PushOutcome; phone: string | null }> {
    const phone = push.phone;
    switch (push.type) {
      case PushType.UserAuthorized:
      case PushType.UserCancelled: {
        const authorized = push.type === PushType.UserAuthorized;
        const change = await applyAuthorizationChange(
          manager,
          {
            phone: push.phone as string,
            status: authorized ? AuthorizationStatus.Authorized : AuthorizationStatus.Revoked,
            at: pushSourceTime(push) as Date,
            accountId: push.accountId,
            memberId: push.memberId,
            revokedBy: authorized ? null : RevokedBy.User,
          },
          receivedAt,
        );
        if (!change.applied) return { outcome: PushOutcome.Stale, phone };
        const a = change.authorization;
        if (change.transition === 'granted') {
          events.push(new AuthorizationGrantedEvent(a.phone, a.accountId, a.memberId, a.authorizedAt as Date));
        } else if (change.transition === 'revoked') {
          events.push(new AuthorizationRevokedEvent(a.phone, a.revokedBy as RevokedBy, a.revokedAt as Date));
        }
        return { outcome: PushOutcome.Applied, phone };
      }
      case PushType.Measurement: {
        // The account's phone, so that the push log can be filtered by phone.
        const owners = push.accountId ? await manager.getRepository(Authorization).findBy({ accountId: push.accountId }) : [];
        const owner = owners.find((a) => a.status === AuthorizationStatus.Authorized) ?? owners[0];
        const ownerPhone = phone ?? owner?.phone ?? null;
        // Refused when the account is known and every authorization of it is revoked.
        if (owners.length > 0 && owner.status === AuthorizationStatus.Revoked) {
          return { outcome: PushOutcome.Ignored, phone: ownerPhone };
        }
        const measurementId = await insertOrIgnore(manager, 'measurement', {
          push_id: pushId,
          data_tag: push.dataTag,
          account_id: push.accountId,
          member_id: push.memberId,
          device_sn: push.deviceSn,
          data_type: push.dataType,
          measured_at: push.measuredAt,
          data: push.data,
          received_at: receivedAt,
        });
        if (measurementId !== null) {
          events.push(
            new MeasurementReceivedEvent(measurementId, push.accountId, push.memberId, push.dataType, push.measuredAt, push.data),
          );
        }
        return { outcome: PushOutcome.Archived, phone: ownerPhone };
      }
      default:
        return { outcome: PushOutcome.Ignored, phone };
    }
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
