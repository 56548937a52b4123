import { EntityManager } from 'typeorm';
import { Authorization, AuthorizationStatus, RevokedBy } from './entities/authorization';

/** A change to a phone's authorization, from a push or from the integrator's cancel. */
export interface AuthorizationChange {
  phone: string;
  status: AuthorizationStatus;
  /** Source time of the change: the push's update_time (else create_time), or the cancel's time. */
  at: Date;
  accountId: string;
  memberId: string;
  revokedBy: RevokedBy | null;
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
  const isPostgres = manager.connection.options.type === 'postgres';
  const lockedRow = () =>
    repo
      .createQueryBuilder('a')
      .where('a.phone = :phone', { phone: change.phone })
      .setLock(isPostgres ? 'pessimistic_write' : undefined as never)
      .getOne();
  let current = await (isPostgres ? lockedRow() : repo.findOneBy({ phone: change.phone }));

  if (!current) {
    const created = repo.create({
      phone: change.phone,
      status: change.status,
      accountId: change.accountId,
      memberId: change.memberId,
      authorizedAt: change.status === AuthorizationStatus.Authorized ? change.at : null,
      revokedAt: change.status === AuthorizationStatus.Revoked ? change.at : null,
      revokedBy: change.status === AuthorizationStatus.Revoked ? change.revokedBy : null,
      lastChangeAt: change.at,
      createdAt: now,
      updatedAt: now,
    });
    const inserted = await repo.createQueryBuilder().insert().values(created).orIgnore().execute();
    if (insertedCount(inserted.raw, inserted.identifiers) > 0) {
      const saved = await repo.findOneByOrFail({ phone: change.phone });
      return { applied: true, authorization: saved, transition: change.status === AuthorizationStatus.Authorized ? 'granted' : 'revoked' };
    }
    // Another transaction created the row first: decide against it.
    current = await lockedRow();
    if (!current) throw new Error('authorization row vanished while being changed');
  }

  if (isStale(current, change)) return { applied: false, authorization: current };

  const wasStatus = current.status;
  const accountId = change.accountId || current.accountId;
  const memberId = change.memberId || current.memberId;
  let transition: 'granted' | 'revoked' | 'unchanged' = 'unchanged';
  if (change.status === AuthorizationStatus.Authorized) {
    if (wasStatus !== AuthorizationStatus.Authorized) transition = 'granted';
    Object.assign(current, {
      status: AuthorizationStatus.Authorized,
      authorizedAt: wasStatus === AuthorizationStatus.Authorized ? current.authorizedAt : change.at,
      revokedAt: null,
      revokedBy: null,
    });
  } else if (wasStatus !== AuthorizationStatus.Revoked) {
    // An already revoked authorization keeps who revoked it and when: the type-3 push
    // Viatom sends after the integrator's own cancel is an echo, not a new revocation.
    transition = 'revoked';
    Object.assign(current, { status: AuthorizationStatus.Revoked, revokedAt: change.at, revokedBy: change.revokedBy });
  }
  Object.assign(current, { accountId, memberId, lastChangeAt: change.at, updatedAt: now });
  await repo.update({ id: current.id }, {
    status: current.status,
    accountId: current.accountId,
    memberId: current.memberId,
    authorizedAt: current.authorizedAt,
    revokedAt: current.revokedAt,
    revokedBy: current.revokedBy,
    lastChangeAt: current.lastChangeAt,
    updatedAt: current.updatedAt,
  });
  return { applied: true, authorization: current, transition };
}

/** How many rows an INSERT … ON CONFLICT DO NOTHING wrote, on either engine. */
export function insertedCount(raw: unknown, identifiers: unknown[]): number {
  if (Array.isArray(raw)) return raw.length; // PostgreSQL: RETURNING rows
  if (raw && typeof raw === 'object' && 'changes' in raw) return Number((raw as { changes: number }).changes); // better-sqlite3
  return identifiers.filter((id) => id && Object.values(id as object).some((v) => v !== undefined)).length;
}
