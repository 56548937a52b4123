import type { PushTimeBasis } from '@health-bridge/viatom-protocol';

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
  /** The push's type; null when it was an integer too large to keep (the raw message has it). */
  type!: number | null;
  accountId!: string;
  memberId!: string;
  deviceSn!: string;
  /** Kept sealed (AES-256-GCM); found by `phoneHash`. */
  phone!: string | null;
  /** The phone's keyed hash, null without a phone. */
  phoneHash!: string | null;
  /** `create_time` read in Viatom's zone, as a UTC instant. */
  sourceCreatedAt!: Date | null;
  sourceUpdatedAt!: Date | null;
  receivedAt!: Date;
  outcome!: PushOutcome;
  /** The message's text exactly as received (kept sealed). For an ignored measurement, its JSON without `data`; '' once dropped. */
  rawMessage!: string;
  /**
   * What the push's time was read from when it was ordered against other changes: its source
   * time (update_time, else create_time), or its received time when it had no usable source
   * time or that time was too far ahead of the clock here.
   */
  orderedBy!: PushTimeBasis;
}
