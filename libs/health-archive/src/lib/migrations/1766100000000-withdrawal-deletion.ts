import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { columnTypes, dialectOf } from '../database/dialect';

/**
 * Deletion on withdrawal: `user_authorization.data_deleted_for` is the revocation (its
 * `revoked_at`) whose person's data has been deleted. A revoked person whose current revocation
 * is not that one, and whose grace period is over, is due; a re-authorization and a later
 * revocation make them due again, for what was kept in between.
 */
export class WithdrawalDeletion1766100000000 implements MigrationInterface {
  name = 'WithdrawalDeletion1766100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const t = columnTypes(dialectOf(queryRunner.connection));
    await queryRunner.addColumn('user_authorization', new TableColumn({ name: 'data_deleted_for', type: t.instant, isNullable: true }));
    // The sweep's look-up: revoked rows by when they changed.
    await queryRunner.createIndex('user_authorization', new TableIndex({ name: 'IDX_user_authorization_status_updated_at', columnNames: ['status', 'updated_at'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('user_authorization', 'IDX_user_authorization_status_updated_at');
    await queryRunner.dropColumn('user_authorization', 'data_deleted_for');
  }
}
