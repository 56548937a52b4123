import { MigrationInterface, QueryRunner } from 'typeorm';

/** What the delivery log's error said of a redirect, before and after this migration. */
export const REDIRECT_NOTE = ' (redirects are not followed: change the endpoint URL)';

/**
 * The delivery log no longer keeps what a failing receiver answered: a receiver may echo the
 * event it was sent (a phone, a reading), and `webhook_attempt` is to hold no personal data. An
 * attempt's error is its status alone (`HTTP 500`); this rewrites the errors stored before, which
 * kept the first 256 characters of the answer after the status (`HTTP 500: <answer>`). Network
 * errors (`connection refused`…) never held an answer and are left as they are.
 * Not reversible: `down` changes nothing (what was cut is gone, as it should be).
 */
export class ReceiverAnswersNotKept1766700000000 implements MigrationInterface {
  name = 'ReceiverAnswersNotKept1766700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // `HTTP ` and three digits are 8 characters; LIKE's `_` is one character on both engines.
    const status = 'HTTP ___';
    await queryRunner.query(`UPDATE "webhook_attempt" SET "error" = substr("error", 1, ${8 + REDIRECT_NOTE.length}) WHERE "error" LIKE '${status}${REDIRECT_NOTE}: %'`);
    await queryRunner.query(`UPDATE "webhook_attempt" SET "error" = substr("error", 1, 8) WHERE "error" LIKE '${status}: %'`);
  }

  async down(): Promise<void> {
    // Nothing to undo: the answers are not to be kept.
  }
}
