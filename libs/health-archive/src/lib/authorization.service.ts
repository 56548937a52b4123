import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { maskPhone } from '@health-bridge/viatom-protocol';
import { ViatomClient, type ViatomCallOptions } from '@health-bridge/viatom-client';
import { Authorization, AuthorizationStatus, RevokedBy } from './entities/authorization';
import type { ConsentRecord } from './entities/consent-record';
import { clampLimit, decodeCursor, Page, toPage } from './pagination';
import { changeEvents, emitSafely } from './push-ingest.service';
import { ArchiveStore } from './storage/archive-store';

export interface ConsentListQuery {
  limit?: number;
  cursor?: string;
}

/** Where a call that changes an authorization came from, for the consent ledger. */
export interface AuthorizationCallOptions extends ViatomCallOptions {
  /** The request id of the API call (the ledger's `requestId`). */
  requestId?: string;
}

export interface AuthorizationListQuery {
  status?: AuthorizationStatus;
  limit?: number;
  cursor?: string;
}

/** The authorizations users gave to share their health archive, and the integrator's side of them. */
@Injectable()
export class AuthorizationService {
  private readonly logger = new Logger(AuthorizationService.name);

  constructor(
    private readonly viatom: ViatomClient,
    private readonly store: ArchiveStore,
    private readonly events: EventEmitter2,
  ) {}

  /** The URL of Viatom's consent page to show the user, exactly as Viatom sent it. */
  requestAuthorizationUrl(options: ViatomCallOptions = {}): Promise<string> {
    return this.viatom.getAuthorizationUrl(options);
  }

  /**
   * Asks Viatom to cancel the authorization of this phone. Only when Viatom said yes is the
   * stored authorization revoked (by the integrator), atomically; a refusal or a transport
   * failure propagates (`ViatomApiError`, `ViatomTransportError`) and changes nothing.
   */
  async cancel(phone: string, options: AuthorizationCallOptions = {}): Promise<Authorization> {
    const { requestId, ...call } = options;
    await this.viatom.cancelAuthorization(phone, call);
    const now = new Date();
    const change = await this.store.applyAuthorizationChange({
      phone,
      status: AuthorizationStatus.Revoked,
      at: now,
      accountId: '',
      memberId: '',
      revokedBy: RevokedBy.Integrator,
      confirmedNow: true,
      now,
      requestId: requestId ?? null,
    });
    this.logger.log(`authorization of ${maskPhone(phone)} cancelled by the integrator`);
    for (const event of changeEvents(change)) emitSafely(this.events, event, this.logger);
    return change.authorization;
  }

  findByPhone(phone: string): Promise<Authorization | null> {
    return this.store.findAuthorization(phone);
  }

  /** The person FHIR names `Patient/<fhirPatientId>`. */
  findByFhirPatientId(fhirPatientId: string): Promise<Authorization | null> {
    return this.store.findAuthorizationByFhirPatientId(fhirPatientId);
  }

  /** Whose measurements an account's are: its authorizations, an authorized one first (none for an account never seen). */
  ownersOfAccount(accountId: string): Promise<Authorization[]> {
    return this.store.findAuthorizationsOfAccount(accountId);
  }

  /** The person's consent ledger: every grant and withdrawal, applied or stale, newest first (by id). */
  async consents(phone: string, query: ConsentListQuery = {}): Promise<Page<ConsentRecord>> {
    const limit = clampLimit(query.limit);
    const rows = await this.store.listConsents({ phone, afterId: decodeCursor(query.cursor), take: limit + 1 });
    return toPage(rows, limit);
  }

  /** Newest first (by id); `cursor` is the previous page's `nextCursor`. */
  async list(query: AuthorizationListQuery = {}): Promise<Page<Authorization>> {
    const limit = clampLimit(query.limit);
    const rows = await this.store.listAuthorizations({ status: query.status, afterId: decodeCursor(query.cursor), take: limit + 1 });
    return toPage(rows, limit);
  }
}
