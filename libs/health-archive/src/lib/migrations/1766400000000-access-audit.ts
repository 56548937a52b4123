import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { columnTypes, dialectOf } from '../database/dialect';

/** The access audit (`access_audit`): who read whose data, when, through what route. */
export class AccessAudit1766400000000 implements MigrationInterface {
  name = 'AccessAudit1766400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const t = columnTypes(dialectOf(queryRunner.connection));
    await queryRunner.createTable(
      new Table({
        name: 'access_audit',
        columns: [
          { name: 'id', type: t.id, isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'at', type: t.instant },
          { name: 'api_key', type: 'varchar', length: '64' },
          { name: 'method', type: 'varchar', length: '8' },
          { name: 'route', type: 'varchar', length: '200' },
          { name: 'phone_hash', type: 'varchar', length: '64' },
          { name: 'request_id', type: 'varchar', length: '128', isNullable: true },
          { name: 'status', type: 'integer' },
        ],
        indices: [
          new TableIndex({ name: 'IDX_access_audit_phone_hash_id', columnNames: ['phone_hash', 'id'] }),
          new TableIndex({ name: 'IDX_access_audit_at', columnNames: ['at'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('access_audit', true);
  }
}
