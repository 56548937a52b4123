import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { columnTypes, dialectOf } from '../database/dialect';

/**
 * The first schema: push log, user authorizations, measurements.
 * Written with TypeORM's Table API so that one migration runs on SQLite and PostgreSQL.
 */
export class InitialSchema1764300000000 implements MigrationInterface {
  name = 'InitialSchema1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const t = columnTypes(dialectOf(queryRunner.connection));
    const id = { name: 'id', type: t.id, isPrimary: true, isGenerated: true, generationStrategy: 'increment' as const };
    const text = (name: string, length: number, isNullable = false) => ({ name, type: 'varchar', length: String(length), isNullable });
    const instant = (name: string, isNullable = false) => ({ name, type: t.instant, isNullable });

    await queryRunner.createTable(
      new Table({
        name: 'push_log',
        columns: [
          id,
          text('dedupe_key', 300),
          text('data_tag', 256),
          { name: 'type', type: 'integer' },
          text('account_id', 256),
          text('member_id', 256),
          text('device_sn', 256),
          text('phone', 32, true),
          instant('source_created_at', true),
          instant('source_updated_at', true),
          instant('received_at'),
          text('outcome', 16),
          { name: 'raw_message', type: 'text' },
        ],
        uniques: [{ name: 'UQ_push_log_dedupe_key', columnNames: ['dedupe_key'] }],
        indices: [
          new TableIndex({ name: 'IDX_push_log_phone_id', columnNames: ['phone', 'id'] }),
          new TableIndex({ name: 'IDX_push_log_type_id', columnNames: ['type', 'id'] }),
          new TableIndex({ name: 'IDX_push_log_outcome_id', columnNames: ['outcome', 'id'] }),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'user_authorization',
        columns: [
          id,
          text('phone', 32),
          text('status', 16),
          text('account_id', 256),
          text('member_id', 256),
          instant('authorized_at', true),
          instant('revoked_at', true),
          text('revoked_by', 16, true),
          instant('last_change_at'),
          instant('created_at'),
          instant('updated_at'),
        ],
        uniques: [{ name: 'UQ_user_authorization_phone', columnNames: ['phone'] }],
        indices: [
          new TableIndex({ name: 'IDX_user_authorization_status_id', columnNames: ['status', 'id'] }),
          new TableIndex({ name: 'IDX_user_authorization_account_id', columnNames: ['account_id'] }),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'measurement',
        columns: [
          id,
          { name: 'push_id', type: t.id },
          text('data_tag', 256),
          text('account_id', 256),
          text('member_id', 256),
          text('device_sn', 256),
          { name: 'data_type', type: 'integer', isNullable: true },
          instant('measured_at', true),
          { name: 'data', type: t.json === 'jsonb' ? 'jsonb' : 'text' },
          instant('received_at'),
        ],
        uniques: [{ name: 'UQ_measurement_push_id', columnNames: ['push_id'] }],
        indices: [
          new TableIndex({ name: 'IDX_measurement_account_id_id', columnNames: ['account_id', 'id'] }),
          new TableIndex({ name: 'IDX_measurement_account_id_data_type_id', columnNames: ['account_id', 'data_type', 'id'] }),
        ],
      }),
    );
    await queryRunner.createForeignKey(
      'measurement',
      new TableForeignKey({
        name: 'FK_measurement_push_id',
        columnNames: ['push_id'],
        referencedTableName: 'push_log',
        referencedColumnNames: ['id'],
        onDelete: 'CASCADE',
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('measurement', true, true, true);
    await queryRunner.dropTable('user_authorization', true, true, true);
    await queryRunner.dropTable('push_log', true, true, true);
  }
}
