import { EntityManager } from 'typeorm';
import { dialectOf } from './database/dialect';
import { insertOrIgnore } from './database/insert-or-ignore';
import { Authorization, AuthorizationStatus, RevokedBy } from './entities/authorization';

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
}

export type ChangeResult =
  | { applied: true; authorization: Authorization; transition: 'granted' | 'revoked' | 'unchanged' }
  | { applied: false; authorization: Authorization };

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
 * Applies a change to the phone's authorization inside the caller's transaction. The row
 * is locked first (PostgreSQL), so concurrent changes for one phone are decided one after
 * the other against the latest committed state.
 */
export async function applyAuthorizationChange(manager: EntityManager, change: AuthorizationChange, now: Date): Promise<ChangeResult> {
  const repo = manager.getRepository(Authorization);
  const lockedRow = () => {
    const query = repo.createQueryBuilder('a').where('a.phone = :phone', { phone: change.phone });
    return (dialectOf(manager) === 'postgres' ? query.setLock('pessimistic_write') : query).getOne();
  };

  let current = await lockedRow();
  if (!current) {
    const insertedId = await insertOrIgnore(manager, 'user_authorization', {
      phone: change.phone,
      status: change.status,
      account_id: change.accountId,
      member_id: change.memberId,
      authorized_at: change.status === AuthorizationStatus.Authorized ? change.at : null,
      revoked_at: change.status === AuthorizationStatus.Revoked ? change.at : null,
      revoked_by: change.status === AuthorizationStatus.Revoked ? change.revokedBy : null,
      last_change_at: change.orderAt ?? change.at,
      created_at: now,
      updated_at: now,
    });
    if (insertedId !== null) {
      const created = await repo.findOneByOrFail({ id: insertedId });
      return { applied: true, authorization: created, transition: change.status === AuthorizationStatus.Authorized ? 'granted' : 'revoked' };
    }
    // Another transaction created the row first: decide against it.
    current = await lockedRow();
    if (!current) throw new Error('authorization row vanished while being changed');
  }

  if (change.confirmedNow && change.at < current.lastChangeAt) change = { ...change, at: current.lastChangeAt };
  const orderAt = change.orderAt ?? change.at;
  if (isStale(current, { at: orderAt, status: change.status })) return { applied: false, authorization: current };

  // The record says what the newest applied event says, whatever order the events came in:
  // a grant sets authorizedAt to its time even when already authorized; a revocation sets
  // revokedAt, but an already revoked record keeps who revoked it (the type-3 push Viatom
  // sends after the integrator's own cancel is an echo of it, not a new revocation).
  const wasStatus = current.status;
  let transition: 'granted' | 'revoked' | 'unchanged' = 'unchanged';
  if (change.status === AuthorizationStatus.Authorized) {
    if (wasStatus !== AuthorizationStatus.Authorized) transition = 'granted';
    current.status = AuthorizationStatus.Authorized;
    current.authorizedAt = change.at;
    current.revokedAt = null;
    current.revokedBy = null;
  } else {
    if (wasStatus !== AuthorizationStatus.Revoked) {
      transition = 'revoked';
      current.revokedBy = change.revokedBy;
    }
    current.status = AuthorizationStatus.Revoked;
    current.revokedAt = change.at;
  }
  current.accountId = change.accountId || current.accountId;
  current.memberId = change.memberId || current.memberId;
  current.lastChangeAt = orderAt;
  current.updatedAt = now;
  await repo.update(
    { id: current.id },
    {
      status: current.status,
      accountId: current.accountId,
      memberId: current.memberId,
      authorizedAt: current.authorizedAt,
      revokedAt: current.revokedAt,
      revokedBy: current.revokedBy,
      lastChangeAt: current.lastChangeAt,
      updatedAt: current.updatedAt,
    },
  );
  return { applied: true, authorization: current, transition };
}
