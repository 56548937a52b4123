/** What a consent change asked for. */
export enum ConsentAction {
  /** The user granted access to their archive (type-2 push). */
  Granted = 'granted',
  /** The user (type-3 push) or the integrator (cancel) withdrew it. */
  Withdrawn = 'withdrawn',
}

/** What became of it: applied to the authorization, or older than the last change applied (stale). */
export enum ConsentOutcome {
  Applied = 'applied',
  Stale = 'stale',
}

/**
 * The consent ledger: one row for every grant and withdrawal the archive was told of, applied or
 * not, in the transaction that decided it. Kept when the person's data is deleted: it is what
 * proves what the person agreed to and when.
 */
export class ConsentRecord {
  id!: number;
  /** The person's phone, as its keyed hash: the ledger never holds the number. */
  phoneHash!: string;
  action!: ConsentAction;
  /** `user` (their push) or `integrator` (the enterprise's cancel). */
  actor!: string;
  /** The change's source time: the push's update_time (else create_time), or the cancel's time. */
  sourceAt!: Date;
  /** When this service received it. */
  receivedAt!: Date;
  outcome!: ConsentOutcome;
  /** The push that carried it (its push log id); null for a cancel. */
  pushId!: number | null;
  /** The request id of the API call that carried it (a cancel); null for a push. */
  requestId!: string | null;
}
