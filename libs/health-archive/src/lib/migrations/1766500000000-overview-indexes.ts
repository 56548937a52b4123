import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';
import { dialectOf } from '../database/dialect';

const INDEXES = [
  { table: 'push_log', name: 'IDX_push_log_received_at_type_outcome', columns: ['received_at', 'type', 'outcome'] },
  { table: 'webhook_attempt', name: 'IDX_webhook_attempt_attempted_at_status_code', columns: ['attempted_at', 'status_code'] },
];

/**
 * The operator console's overview reads a window of recent time: the pushes received in it, by
 * minute, type and outcome, and the webhook attempts made in it. Both tables grow for as long as
 * they are kept (the push log for ever), so each window is read as one range of an index by time
 * that holds every column the count needs (no row is visited): the work is the window's rows,
 * never the table's.
 *
 * On PostgreSQL each index is built CONCURRENTLY, outside a transaction: a plain CREATE INDEX
 * holds off every write to its table until it is built, and on a push log of millions of rows
 * that would hold Viatom's pushes and the webhook attempts for the whole build. A build that
 * failed half-way leaves an invalid index behind: it is dropped and built again.
 */
export class OverviewIndexes1766500000000 implements MigrationInterface {
  name = 'OverviewIndexes1766500000000';
  transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    if (dialectOf(queryRunner.connection) !== 'postgres') {
      for (const { table, name, columns } of INDEXES) await queryRunner.createIndex(table, new TableIndex({ name, columnNames: columns }));
      return;
    }
    for (const { table, name, columns } of INDEXES) {
      const [existing] = await queryRunner.query(
        'SELECT i.indisvalid AS "valid" FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = $1 AND pg_table_is_visible(c.oid)',
        [name],
      );
      if (existing?.valid) continue;
      if (existing) await queryRunner.query(`DROP INDEX CONCURRENTLY "${name}"`);
      await queryRunner.query(`CREATE INDEX CONCURRENTLY "${name}" ON "${table}" (${columns.map((c) => `"${c}"`).join(', ')})`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const { table, name } of [...INDEXES].reverse()) await queryRunner.dropIndex(table, name);
  }
}
