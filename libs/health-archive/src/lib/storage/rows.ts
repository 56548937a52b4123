import { Authorization, AuthorizationStatus, RevokedBy } from '../entities/authorization';
import type { AuthorizationState } from '../authorization-rules';

/** A `user_authorization` row as the drivers return it (SQLite: instants as text; PostgreSQL: ids as text). */
export interface AuthorizationRow {
  id: number | string;
  phone: string;
  status: string;
  account_id: string;
  member_id: string;
  authorized_at: unknown;
  revoked_at: unknown;
  revoked_by: string | null;
  last_change_at: unknown;
  created_at: unknown;
  updated_at: unknown;
}

/** The row as an entity; `instant` reads the engine's form of an instant. */
export function authorizationFromRow(row: AuthorizationRow, instant: (value: unknown) => Date | null): Authorization {
  return Object.assign(new Authorization(), {
    id: Number(row.id),
    phone: row.phone,
    status: row.status as AuthorizationStatus,
    accountId: row.account_id,
    memberId: row.member_id,
    authorizedAt: instant(row.authorized_at),
    revokedAt: instant(row.revoked_at),
    revokedBy: row.revoked_by as RevokedBy | null,
    lastChangeAt: instant(row.last_change_at) as Date,
    createdAt: instant(row.created_at) as Date,
    updatedAt: instant(row.updated_at) as Date,
  });
}

export function withId(id: number, state: AuthorizationState): Authorization {
  return Object.assign(new Authorization(), { id, ...state });
}
