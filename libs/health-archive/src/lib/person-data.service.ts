import { Injectable } from '@nestjs/common';
import type { ViatomCallOptions } from '@health-bridge/viatom-client';
import { AuthorizationService, type AuthorizationCallOptions } from './authorization.service';
import { AuthorizationStatus, type Authorization } from './entities/authorization';
import type { ConsentRecord } from './entities/consent-record';
import type { Measurement } from './entities/measurement';
import type { PushLogEntry } from './entities/push-log-entry';
import { ArchiveStore } from './storage/archive-store';
import type { PersonDataDeleted } from './storage/person-deletion';
import { WithdrawalDeletion } from './withdrawal-deletion';

/** Rows read per query while a person's record is gathered. */
const READ_BATCH = 1000;

/** Everything the archive holds about one person (PIPL art. 45): their copy of it. */
export interface PersonRecord {
  authorization: Authorization;
  /** The consent ledger, oldest first. */
  consents: ConsentRecord[];
  /** The measurements of their account, oldest first. */
  measurements: Measurement[];
  /** Every push that names them, or that carried one of their measurements, oldest first. */
  pushes: PushLogEntry[];
}

/** What an erasure on request did. */
export interface PersonErased {
  phone: string;
  /** True when their authorization was still granted and Viatom cancelled it for this erasure. */
  cancelledAtViatom: boolean;
  /** What was deleted now; null when nothing was left (their data was already deleted after an earlier withdrawal). */
  deleted: PersonDataDeleted | null;
}

/** The person re-authorized while their erasure ran: their data was not deleted, and they are authorized again. */
export class PersonReauthorizedError extends Error {
  override readonly name = 'PersonReauthorizedError';
}

/**
 * A person's rights over what the archive holds about them: a copy of all of it (export), and its
 * erasure on request (the authorization cancelled at Viatom first, then the deletion on withdrawal
 * done at once, without its grace period).
 */
@Injectable()
export class PersonDataService {
  constructor(
    private readonly store: ArchiveStore,
    private readonly authorizations: AuthorizationService,
    private readonly withdrawals: WithdrawalDeletion,
  ) {}

  /** Their whole record; null for a phone never seen. */
  async export(phone: string): Promise<PersonRecord | null> {
    const authorization = await this.store.findAuthorization(phone);
    if (!authorization) return null;
    const consents = await readAll((afterId) => this.store.listConsents({ phone, afterId, take: READ_BATCH }));
    const measurements = authorization.accountId ? await readAll((afterId) => this.store.listMeasurements({ accountId: authorization.accountId, afterId, take: READ_BATCH })) : [];
    const pushes = await readAll((afterId) => this.store.listPushLog({ phone, afterId, take: READ_BATCH }));
    // The pushes of measurements logged before their owner's phone was known.
    const known = new Set(pushes.map((p) => p.id));
    const missing = measurements.map((m) => m.pushId).filter((id) => !known.has(id));
    for (let i = 0; i < missing.length; i += READ_BATCH) {
      pushes.push(...(await this.store.listPushLog({ ids: missing.slice(i, i + READ_BATCH), afterId: null, take: READ_BATCH })));
    }
    return {
      authorization,
      consents: consents.reverse(),
      measurements: measurements.reverse(),
      pushes: pushes.sort((a, b) => a.id - b.id),
    };
  }

  /**
   * Erases the person's data at once: cancels their authorization at Viatom when it is still
   * granted (a refusal or a failure propagates and changes nothing), then deletes as the deletion
   * on withdrawal does. Null for a phone never seen.
   */
  async erase(phone: string, options: AuthorizationCallOptions & ViatomCallOptions = {}): Promise<PersonErased | null> {
    const authorization = await this.store.findAuthorization(phone);
    if (!authorization) return null;
    let cancelledAtViatom = false;
    if (authorization.status === AuthorizationStatus.Authorized) {
      await this.authorizations.cancel(phone, options);
      cancelledAtViatom = true;
    }
    const now = new Date();
    const deleted = await this.withdrawals.deletePerson(phone, now, now);
    if (!deleted) {
      const after = await this.store.findAuthorization(phone);
      if (after?.status === AuthorizationStatus.Authorized) throw new PersonReauthorizedError('the person authorized again while their erasure ran: nothing was deleted');
    }
    return { phone, cancelledAtViatom, deleted };
  }
}

/** Every row of a newest-first list, read a page at a time (newest first). */
async function readAll<T extends { id: number }>(page: (afterId: number | null) => Promise<T[]>): Promise<T[]> {
  const rows: T[] = [];
  let afterId: number | null = null;
  for (;;) {
    const batch = await page(afterId);
    rows.push(...batch);
    if (batch.length < READ_BATCH) return rows;
    afterId = batch[batch.length - 1].id;
  }
}
