import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { columnTypes, dialectOf } from '../database/dialect';

/**
 * The consent ledger (`consent_record`): every grant and withdrawal, applied or stale, with its
 * source time, its received time, who asked and what carried it. Built from what was kept
 * before it: the type-2/3 pushes of the push log (by the user), and the integrator's cancels that
 * are still the authorization's last revocation (earlier ones left no trace but their events).
 */
export class ConsentLedger1766200000000 implements MigrationInterface {
  name = 'ConsentLedger1766200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const t = columnTypes(dialectOf(queryRunner.connection));
    await queryRunner.createTable(
      new Table({
        name: 'consent_record',
        columns: [
          { name: 'id', type: t.id, isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'phone', type: 'varchar', length: '32' },
          { name: 'action', type: 'varchar', length: '16' },
          { name: 'actor', type: 'varchar', length: '16' },
          { name: 'source_at', type: t.instant },
          { name: 'received_at', type: t.instant },
          { name: 'outcome', type: 'varchar', length: '16' },
          { name: 'push_id', type: t.id, isNullable: true },
          { name: 'request_id', type: 'varchar', length: '128', isNullable: true },
        ],
        indices: [new TableIndex({ name: 'IDX_consent_record_phone_id', columnNames: ['phone', 'id'] })],
      }),
    );
    await queryRunner.query(`
      INSERT INTO "consent_record" ("phone", "action", "actor", "source_at", "received_at", "outcome", "push_id")
      SELECT phone, action, actor, source_at, received_at, outcome, push_id FROM (
        SELECT "phone" AS phone, CASE "type" WHEN 2 THEN 'granted' ELSE 'withdrawn' END AS action, 'user' AS actor,
               COALESCE("source_updated_at", "source_created_at", "received_at") AS source_at, "received_at" AS received_at,
               "outcome" AS outcome, "id" AS push_id
        FROM "push_log" WHERE "type" IN (2, 3) AND "outcome" IN ('applied', 'stale') AND "phone" IS NOT NULL
        UNION ALL
        SELECT "phone", 'withdrawn', 'integrator', "revoked_at", "revoked_at", 'applied', NULL
        FROM "user_authorization" WHERE "revoked_by" = 'integrator' AND "revoked_at" IS NOT NULL
      ) old ORDER BY received_at, push_id`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('consent_record', true);
  }
}
