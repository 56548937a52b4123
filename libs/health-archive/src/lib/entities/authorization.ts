export enum AuthorizationStatus {
  Authorized = 'authorized',
  Revoked = 'revoked',
}

/** Who ended an authorization. */
export enum RevokedBy {
  /** The user, on Viatom's side (type-3 push). */
  User = 'user',
  /** The integrator, through this service's cancel. */
  Integrator = 'integrator',
}

/** The authorization a phone's owner gave (or withdrew) to share their health archive. */
export class Authorization {
  id!: number;
  /** Kept sealed (AES-256-GCM); found by `phoneHash`. */
  phone!: string;
  /** The phone's keyed hash (HMAC-SHA256 under the archive's hash key): what look-ups by phone use. */
  phoneHash!: string;
  status!: AuthorizationStatus;
  accountId!: string;
  memberId!: string;
  authorizedAt!: Date | null;
  revokedAt!: Date | null;
  revokedBy!: RevokedBy | null;
  /** Source time of the last change applied: pushes older than this are stale. */
  lastChangeAt!: Date;
  createdAt!: Date;
  updatedAt!: Date;
  /** The person's pseudonymous id in FHIR (`Patient/<id>`): random, stable, never derived from the phone. */
  fhirPatientId!: string;
  /**
   * The revocation (its `revokedAt`) whose data was deleted, null if none was. Written only by the
   * deletion on withdrawal; the changes of pushes and cancels leave it as it is.
   */
  dataDeletedFor!: Date | null;
}
