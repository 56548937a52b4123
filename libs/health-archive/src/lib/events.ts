import type { Observation } from '@health-bridge/viatom-protocol';
import { RevokedBy } from './entities/authorization';

/**
 * Domain events, emitted with `@nestjs/event-emitter` after the transaction that caused
 * them committed. Listen with `@OnEvent(AuthorizationGrantedEvent.eventName)` etc.
 */
export class AuthorizationGrantedEvent {
  static readonly eventName = 'health-archive.authorization.granted';
  constructor(
    readonly phone: string,
    readonly accountId: string,
    readonly memberId: string,
    readonly authorizedAt: Date,
  ) {}
}

export class AuthorizationRevokedEvent {
  static readonly eventName = 'health-archive.authorization.revoked';
  constructor(
    readonly phone: string,
    readonly revokedBy: RevokedBy,
    readonly revokedAt: Date,
  ) {}
}

export class MeasurementReceivedEvent {
  static readonly eventName = 'health-archive.measurement.received';
  constructor(
    readonly measurementId: number,
    readonly accountId: string,
    readonly memberId: string,
    readonly dataType: number | null,
    readonly measuredAt: Date | null,
    readonly data: Record<string, unknown>,
    /** The typed observations decoded from `data` and stored with it. */
    readonly observations: Observation[] = [],
  ) {}
}

export type HealthArchiveEvent = AuthorizationGrantedEvent | AuthorizationRevokedEvent | MeasurementReceivedEvent;

export function eventNameOf(event: HealthArchiveEvent): string {
  return (event.constructor as unknown as { eventName: string }).eventName;
}
