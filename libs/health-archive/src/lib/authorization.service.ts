import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { maskPhone } from '@health-bridge/viatom-protocol';
import { ViatomClient, type ViatomCallOptions } from '@health-bridge/viatom-client';
import { DataSource } from 'typeorm';
import { applyAuthorizationChange } from './authorization-state';
import { TransactionRunner } from './database/transaction-runner';
import { Authorization, AuthorizationStatus, RevokedBy } from './entities/authorization';
import { AuthorizationRevokedEvent } from './events';
import { clampLimit, decodeCursor, Page, toPage } from './pagination';

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
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly events: EventEmitter2,
  ) {}

  /** The URL of Viatom's consent page to show the user, exactly as Viatom sent it. */
  requestAuthorizationUrl(options: ViatomCallOptions = {}): Promise<string> {
    return this.viatom.getAuthorizationUrl(options);
  }

  /**
   * Asks Viatom to cancel the authorization of this phone. Only when Viatom said yes is the
   * stored authorization revoked (by the integrator), in one transaction; a refusal or a
   * transport failure propagates (`ViatomApiError`, `ViatomTransportError`) and changes nothing.
   */
  async cancel(phone: string, options: ViatomCallOptions = {}): Promise<Authorization> {
    await this.viatom.cancelAuthorization(phone, options);
    const now = new Date();
    const change = await this.transactions.run((manager) =>
      applyAuthorizationChange(
        manager,
        { phone, status: AuthorizationStatus.Revoked, at: now, accountId: '', memberId: '', revokedBy: RevokedBy.Integrator, confirmedNow: true },
        now,
      ),
    );
    this.logger.log(`authorization of ${maskPhone(phone)} cancelled by the integrator`);
    if (change.applied && change.transition === 'revoked') {
      const a = change.authorization;
      this.events.emit(AuthorizationRevokedEvent.eventName, new AuthorizationRevokedEvent(a.phone, a.revokedBy as RevokedBy, a.revokedAt as Date));
    }
    return change.authorization;
  }

  findByPhone(phone: string): Promise<Authorization | null> {
    return this.dataSource.getRepository(Authorization).findOneBy({ phone });
  }

  /** Newest first (by id); `cursor` is the previous page's `nextCursor`. */
  async list(query: AuthorizationListQuery = {}): Promise<Page<Authorization>> {
    const limit = clampLimit(query.limit);
    const after = decodeCursor(query.cursor);
    const qb = this.dataSource.getRepository(Authorization).createQueryBuilder('a').orderBy('a.id', 'DESC').take(limit + 1);
    if (query.status) qb.andWhere('a.status = :status', { status: query.status });
    if (after !== null) qb.andWhere('a.id < :after', { after });
    return toPage(await qb.getMany(), limit);
  }
}
