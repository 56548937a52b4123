import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { maskPhone } from '@health-bridge/viatom-protocol';
import { HEALTH_ARCHIVE_OPTIONS, type HealthArchiveOptions } from './health-archive.options';
import { newEventId } from './outbox/events';
import { ArchiveStore } from './storage/archive-store';
import type { PersonDataDeleted } from './storage/person-deletion';

/** People deleted per look-up; a sweep goes on until none is due. */
const BATCH = 100;

/**
 * Deletion on withdrawal (PIPL art. 47): once a person's authorization has been revoked for the
 * grace period (`dataRetentionAfterWithdrawalMs`), their measurements and the raw payloads of
 * their pushes are deleted, one person per transaction, and a `person.data-deleted` event says
 * what went. What stays proves what happened: the authorization row and the push log's facts
 * (type, times, outcome, dedupe key) without their payloads. The work is found from the stored
 * state (revoked, grace over, not yet deleted), so a restart loses nothing: the next sweep does it.
 */
@Injectable()
export class WithdrawalDeletion {
  private readonly logger = new Logger('HealthArchive');

  constructor(
    private readonly store: ArchiveStore,
    @Optional() @Inject(HEALTH_ARCHIVE_OPTIONS) private readonly options: HealthArchiveOptions | null = null,
  ) {}

  /** The grace period, or null when the archive keeps data after a withdrawal (the option unset). */
  get graceMs(): number | null {
    const grace = this.options?.dataRetentionAfterWithdrawalMs;
    return grace === undefined || grace === null ? null : Math.max(0, grace);
  }

  /** Deletes the data of everyone due now; what each deletion did. */
  async sweep(now = new Date()): Promise<PersonDataDeleted[]> {
    const grace = this.graceMs;
    if (grace === null) return [];
    const changedBefore = new Date(now.getTime() - grace);
    const done: PersonDataDeleted[] = [];
    for (;;) {
      const phones = await this.store.dueForDeletion(changedBefore, BATCH);
      let progressed = false;
      for (const phone of phones) {
        const deleted = await this.deletePerson(phone, changedBefore, now);
        if (!deleted) continue;
        progressed = true;
        done.push(deleted);
      }
      if (phones.length < BATCH || !progressed) return done;
    }
  }

  /**
   * Deletes the person's data now if their authorization is revoked and was last changed at or
   * before `changedBefore`, and this revocation's data is not deleted yet (else null), with its
   * `person.data-deleted` event. The sweep's step, and the erasure on request's.
   */
  async deletePerson(phone: string, changedBefore: Date, now = new Date()): Promise<PersonDataDeleted | null> {
    const deleted = await this.store.deletePersonData(phone, changedBefore, { eventId: newEventId(now.getTime()), storedAt: now });
    if (deleted) {
      this.logger.log(
        `data of ${maskPhone(phone)} deleted after the withdrawal: ${deleted.measurementsDeleted} measurements, ${deleted.payloadsDeleted} push payloads` +
          (deleted.measurementsKeptForSharedAccount ? " (the account's measurements kept: another person sharing it still consents)" : ''),
      );
    }
    return deleted;
  }
}

/** Pushes looked at per statement by the retention of raw payloads. */
const PAYLOAD_BATCH = 500;

/**
 * The retention of raw payloads: a push's body as received (`push_log.raw_message`, which holds
 * the phone and, for a measurement, the reading) is emptied once it is older than
 * `rawPayloadRetentionMs`; the log's facts and its dedupe key stay (a repeat is still known as
 * one). Walks the log by id from where it last stopped (from the start after a restart), so a
 * sweep reads only the pushes that came since.
 */
@Injectable()
export class RawPayloadRetention {
  private readonly logger = new Logger('HealthArchive');
  private afterId = 0;

  constructor(
    private readonly store: ArchiveStore,
    @Optional() @Inject(HEALTH_ARCHIVE_OPTIONS) private readonly options: HealthArchiveOptions | null = null,
  ) {}

  get retentionMs(): number | null {
    const retention = this.options?.rawPayloadRetentionMs;
    return retention === undefined || retention === null || retention <= 0 ? null : retention;
  }

  /** Empties the payloads past the retention; how many. */
  async sweep(now = new Date()): Promise<number> {
    const retention = this.retentionMs;
    if (retention === null) return 0;
    const receivedBefore = new Date(now.getTime() - retention);
    let total = 0;
    for (;;) {
      const { dropped, lastId, reachedKept } = await this.store.dropRawPayloads(receivedBefore, this.afterId, PAYLOAD_BATCH);
      this.afterId = lastId;
      total += dropped;
      if (reachedKept) break;
    }
    if (total > 0) this.logger.log(`emptied ${total} push payloads older than the retention`);
    return total;
  }
}
