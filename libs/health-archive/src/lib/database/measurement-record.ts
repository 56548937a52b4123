/** A measurement push, ready for the push log and the measurement table. */
export interface MeasurementPushRecord {
  dedupeKey: string;
  dataTag: string;
  accountId: string;
  memberId: string;
  deviceSn: string;
  /** The push's own phone; when null, the account's (if known) goes into the log. */
  phone: string | null;
  sourceCreatedAt: Date | null;
  sourceUpdatedAt: Date | null;
  receivedAt: Date;
  /** The push's text as received. */
  rawMessage: string;
  /** What the push's time was read from (PushTimeBasis). */
  orderedBy: string;
  dataType: number | null;
  measuredAt: Date | null;
  /** The measurement's `data`, whatever it holds. */
  data: unknown;
}

/**
 * What became of one measurement push: written now (`duplicate` false; `measurementId` null
 * when the account's authorization is revoked and the data was not kept), or a repeat with its
 * first delivery's answer. `null`: a repeat whose first delivery committed while the statement
 * ran, so its answer is read afterwards.
 */
export type MeasurementWriteResult = { pushId: number; outcome: string; measurementId: number | null; duplicate: boolean } | null;
