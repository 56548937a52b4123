/** What became of a push. */
export enum PushOutcome {
  /** Changed (or confirmed) a phone's authorization. */
  Applied = 'applied',
  /** Older than the authorization's last change: logged, changed nothing. */
  Stale = 'stale',
  /** Kept as a measurement. */
  Archived = 'archived',
  /** Acknowledged and logged, nothing else: unknown type, or a measurement of a revoked account. */
  Ignored = 'ignored',
}

/** One push received from Viatom, kept whatever it said. */
export class PushLogEntry {
  id!: number;
  /** `tag:<data_tag>`, or `sha256:<hash of the content>` when Viatom sent no data_tag. Unique. */
  dedupeKey!: string;
  dataTag!: string;
  type!: number;
  accountId!: string;
  memberId!: string;
  deviceSn!: string;
  phone!: string | null;
  /** `create_time` read in Viatom's zone, as a UTC instant. */
  sourceCreatedAt!: Date | null;
  sourceUpdatedAt!: Date | null;
  receivedAt!: Date;
  outcome!: PushOutcome;
  /** The message as received (JSON text). For an ignored measurement, without its `data`. */
  rawMessage!: string;
}
