import { randomBytesPooled } from './random';
import { Authorization, AuthorizationStatus, RevokedBy } from './entities/authorization';
import { ConsentAction, ConsentOutcome, type ConsentRecord } from './entities/consent-record';

/**
 * The archive's rules, as pure functions: what a change does to a phone's authorization, and
 * whether a measurement is kept. The storage adapters apply them inside their transactions;
 * nothing here knows how anything is stored.
 */

/** A change to a phone's authorization, from a push or from the integrator's cancel. */
export interface AuthorizationChange {
  phone: string;
  status: AuthorizationStatus;
  /** Source time of the change: the push's update_time (else create_time), or the cancel's time. */
  at: Date;
  /** The time it is ordered by against other changes, when not `at` (see `pushOrdering`). */
  orderAt?: Date;
  accountId: string;
  memberId: string;
  revokedBy: RevokedBy | null;
  /**
   * For a change Viatom has just confirmed (the integrator's cancel): it happens now, after
   * whatever was applied before, even when an earlier push carried a later time (Viatom's
   * clock ahead of ours). Its time becomes the later of `at` and the last change applied.
   */
  confirmedNow?: boolean;
  /** When the change is written (updatedAt, and createdAt of a new record). */
  now: Date;
  /** The request id of the API call that carried a change that is not a push (the cancel), for the consent ledger. */
  requestId?: string | null;
}

export type Transition = 'granted' | 'revoked' | 'unchanged';

/** An authorization's fields, before the store has given it an id. */
export type AuthorizationState = Omit<Authorization, 'id' | 'phoneHash'>;

export type Decision = { applied: true; state: AuthorizationState; transition: Transition } | { applied: false };

/**
 * The ordering rule: a change applies when its source time is not older than the last
 * change applied; at equal times a cancellation wins (a grant at the same instant as the
 * revocation already applied is stale).
 */
export function isStale(current: Pick<Authorization, 'lastChangeAt' | 'status'>, change: Pick<AuthorizationChange, 'at' | 'status'>): boolean {
  const last = current.lastChangeAt.getTime();
  const at = change.at.getTime();
  if (at < last) return true;
  return at === last && change.status === AuthorizationStatus.Authorized && current.status === AuthorizationStatus.Revoked;
}

/**
 * What `change` makes of the phone's authorization (`current`, null when the phone has none):
 * the new state and its transition, or not applied (stale). The caller holds the row's lock,
 * so that concurrent changes for one phone are decided one after the other.
 */
export function decideAuthorizationChange(current: AuthorizationState | null, change: AuthorizationChange): Decision {
  const authorized = change.status === AuthorizationStatus.Authorized;
  if (current === null) {
    return {
      applied: true,
      transition: authorized ? 'granted' : 'revoked',
      state: {
        phone: change.phone,
        status: change.status,
        accountId: change.accountId,
        memberId: change.memberId,
        authorizedAt: authorized ? change.at : null,
        revokedAt: authorized ? null : change.at,
        revokedBy: authorized ? null : change.revokedBy,
        lastChangeAt: change.orderAt ?? change.at,
        createdAt: change.now,
        updatedAt: change.now,
        fhirPatientId: newFhirPatientId(),
        dataDeletedFor: null,
      },
    };
  }

  const at = change.confirmedNow && change.at < current.lastChangeAt ? current.lastChangeAt : change.at;
  const orderAt = change.orderAt ?? at;
  if (isStale(current, { at: orderAt, status: change.status })) return { applied: false };

  // The record says what the newest applied event says, whatever order the events came in:
  // a grant sets authorizedAt to its time even when already authorized; a revocation sets
  // revokedAt, but an already revoked record keeps who revoked it (the type-3 push Viatom
  // sends after the integrator's own cancel is an echo of it, not a new revocation).
  const next: AuthorizationState = { ...current };
  let transition: Transition = 'unchanged';
  if (authorized) {
    if (current.status !== AuthorizationStatus.Authorized) transition = 'granted';
    next.status = AuthorizationStatus.Authorized;
    next.authorizedAt = at;
    next.revokedAt = null;
    next.revokedBy = null;
  } else {
    if (current.status !== AuthorizationStatus.Revoked) {
      transition = 'revoked';
      next.revokedBy = change.revokedBy;
    }
    next.status = AuthorizationStatus.Revoked;
    next.revokedAt = at;
  }
  next.accountId = change.accountId || current.accountId;
  next.memberId = change.memberId || current.memberId;
  next.lastChangeAt = orderAt;
  next.updatedAt = change.now;
  return { applied: true, state: next, transition };
}

/** A new person's pseudonymous FHIR id: 128 random bits in hex, so it says nothing of the phone and never collides. */
export function newFhirPatientId(): string {
  return randomBytesPooled(16).toString('hex');
}

/**
 * A measurement is refused (acknowledged and logged `ignored`, its data not kept) when its
 * account is known and none of the account's authorizations is authorized. `owners` are the
 * authorizations whose account is the measurement's.
 */
export function isMeasurementRefused(owners: ReadonlyArray<{ status: string }>): boolean {
  return owners.length > 0 && !owners.some((owner) => owner.status === AuthorizationStatus.Authorized);
}

/** Whose phone a measurement without its own is logged under: the authorized owner, else any owner (null: none). */
export function loggedOwner<T extends { status: string }>(owners: readonly T[]): T | null {
  return owners.find((owner) => owner.status === AuthorizationStatus.Authorized) ?? owners[0] ?? null;
}

/**
 * What the push log keeps of a refused measurement: its message with `data` null (re-serialised),
 * so that data the user has withdrawn is not kept in the log either.
 */
export function ignoredRawMessage(raw: Record<string, unknown>): string {
  return JSON.stringify({ ...raw, data: null });
}

/** A consent record before the store has given it an id, with the phone it is about (the store keeps its keyed hash). */
export type ConsentEntry = Omit<ConsentRecord, 'id' | 'phoneHash'> & { phone: string };

/** The consent ledger's row for a change that was decided (`applied` or stale), carried by the push `pushId` (null: a call). */
export function consentEntryOf(change: AuthorizationChange, applied: boolean, pushId: number | null): ConsentEntry {
  const granted = change.status === AuthorizationStatus.Authorized;
  return {
    phone: change.phone,
    action: granted ? ConsentAction.Granted : ConsentAction.Withdrawn,
    actor: granted ? RevokedBy.User : (change.revokedBy ?? RevokedBy.User),
    sourceAt: change.at,
    receivedAt: change.now,
    outcome: applied ? ConsentOutcome.Applied : ConsentOutcome.Stale,
    pushId,
    requestId: change.requestId ?? null,
  };
}
