import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * The operator console's overview reads a window of recent time: the pushes received in it, by
 * minute, type and outcome, and the webhook attempts made in it. Both tables grow for as long as
 * they are kept (the push log for ever), so each window is read as one range of an index by time
 * that holds every column the count needs (no row is visited): the work is the window's rows,
 * never the table's.
 */
export class OverviewIndexes1766500000000 implements MigrationInterface {
  name = 'OverviewIndexes1766500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('push_log', new TableIndex({ name: 'IDX_push_log_received_at_type_outcome', columnNames: ['received_at', 'type', 'outcome'] }));
    await queryRunner.createIndex('webhook_attempt', new TableIndex({ name: 'IDX_webhook_attempt_attempted_at_status_code', columnNames: ['attempted_at', 'status_code'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('webhook_attempt', 'IDX_webhook_attempt_attempted_at_status_code');
    await queryRunner.dropIndex('push_log', 'IDX_push_log_received_at_type_outcome');
  }
}
