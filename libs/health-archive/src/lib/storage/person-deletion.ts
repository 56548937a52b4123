/**
 * The statements of the deletion on withdrawal, written once for both engines (`p(n)` is the
 * engine's placeholder: `?` on SQLite, `$n` on PostgreSQL). The adapters run them in one
 * transaction per person.
 */
export function personDeletionSql(p: (n: number) => string) {
  /** Revoked, last changed before the parameter `n` (the grace period is over), and this revocation's data not deleted yet. */
  const due = (n: number) => `"status" = 'revoked' AND "updated_at" <= ${p(n)} AND ("data_deleted_for" IS NULL OR "data_deleted_for" <> "revoked_at")`;
  return {
    /** The people due, the longest waiting first. */
    due: `SELECT "phone_enc" FROM "user_authorization" WHERE ${due(1)} ORDER BY "updated_at" LIMIT ${p(2)}`,
    /** The person, if still due (a re-authorization or a newer revocation since the look-up makes them not due). */
    person: `SELECT "id", "account_id", "revoked_at" FROM "user_authorization" WHERE "phone_hash" = ${p(1)} AND ${due(2)}`,
    /** Someone else who shares the account and still consents: its measurements are theirs too, and stay. */
    otherOwner: `SELECT 1 AS "x" FROM "user_authorization" WHERE "account_id" = ${p(1)} AND "status" = 'authorized' AND "phone_hash" <> ${p(2)} LIMIT 1`,
    /** The raw payloads of the account's measurement pushes (found through the measurements, by their index). */
    clearMeasurementPayloads:
      `UPDATE "push_log" SET "raw_message" = '' WHERE "raw_message" <> '' AND "id" IN (SELECT "push_id" FROM "measurement" WHERE "account_id" = ${p(1)})`,
    /**
     * The raw payloads of every other push that names the person (their grants and withdrawals, refused measurements),
     * but not of a measurement that stays (a shared account's: run after the person's own measurements are deleted).
     */
    clearPhonePayloads:
      `UPDATE "push_log" SET "raw_message" = '' WHERE "phone_hash" = ${p(1)} AND "raw_message" <> '' ` +
      `AND NOT EXISTS (SELECT 1 FROM "measurement" m WHERE m."push_id" = "push_log"."id")`,
    deleteMeasurements: `DELETE FROM "measurement" WHERE "account_id" = ${p(1)}`,
    markDone: `UPDATE "user_authorization" SET "data_deleted_for" = "revoked_at" WHERE "id" = ${p(1)}`,
  };
}

/** The retention of raw payloads by age: the next pushes by id from a position, and the payloads of some of them emptied. */
export function rawPayloadSql(p: (n: number) => string, ids: number) {
  return {
    next: `SELECT "id", "received_at" FROM "push_log" WHERE "id" > ${p(1)} ORDER BY "id" LIMIT ${p(2)}`,
    drop: `UPDATE "push_log" SET "raw_message" = '' WHERE "raw_message" <> '' AND "id" IN (${Array.from({ length: ids }, (_, i) => p(i + 1)).join(', ')})`,
  };
}

/** What one person's deletion did (the `person.data-deleted` event's data). */
export interface PersonDataDeleted {
  phone: string;
  accountId: string;
  revokedAt: string;
  measurementsDeleted: number;
  payloadsDeleted: number;
  /** True when the account's measurements stayed because another person sharing the account still consents. */
  measurementsKeptForSharedAccount: boolean;
}
