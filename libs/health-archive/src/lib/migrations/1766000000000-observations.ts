import { decodeMeasurement } from '@health-bridge/viatom-protocol';
import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { dialectOf } from '../database/dialect';

/** Measurements decoded per statement while the old rows are backfilled. */
const BACKFILL_BATCH = 500;

/**
 * Measurements that mean something, and a person FHIR can name:
 * - `measurement.observations`: the typed observations (name, value, UCUM unit) decoded from
 *   `data` by the protocol lib, written by the same statement as the measurement. `[]` when
 *   nothing decodes. The rows stored before this migration are decoded here, a batch at a time.
 * - `user_authorization.fhir_patient_id`: a random, stable, pseudonymous id for the person (32
 *   hex characters), so that FHIR resources never carry the phone as an id. The rows already
 *   there get theirs here; a new row gets its own from the archive's rules when it is created.
 */
export class Observations1766000000000 implements MigrationInterface {
  name = 'Observations1766000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = dialectOf(queryRunner.connection) === 'postgres';
    if (postgres) {
      await queryRunner.query(`ALTER TABLE "measurement" ADD "observations" jsonb NOT NULL DEFAULT '[]'`);
      // A volatile default is evaluated per row: each row already there gets its own id. New rows get theirs from the service.
      await queryRunner.query(`ALTER TABLE "user_authorization" ADD "fhir_patient_id" varchar(32) NOT NULL DEFAULT replace(gen_random_uuid()::text, '-', '')`);
      await queryRunner.query(`ALTER TABLE "user_authorization" ALTER COLUMN "fhir_patient_id" DROP DEFAULT`);
    } else {
      await queryRunner.query(`ALTER TABLE "measurement" ADD COLUMN "observations" text NOT NULL DEFAULT '[]'`);
      // SQLite's ADD COLUMN takes no expression as a default: the column is added empty, filled row by row, then made
      // NOT NULL. Through TypeORM's API (which rebuilds the table each time), so that its cached view of the table, which the
      // migrations share, stays true.
      const column = (isNullable: boolean) => new TableColumn({ name: 'fhir_patient_id', type: 'varchar', length: '32', isNullable });
      await queryRunner.addColumn('user_authorization', column(true));
      await queryRunner.query(`UPDATE "user_authorization" SET "fhir_patient_id" = lower(hex(randomblob(16)))`);
      await queryRunner.changeColumn('user_authorization', column(true), column(false));
    }
    await queryRunner.createIndex('user_authorization', new TableIndex({ name: 'UQ_user_authorization_fhir_patient_id', columnNames: ['fhir_patient_id'], isUnique: true }));
    await backfillObservations(queryRunner, postgres);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('user_authorization', 'UQ_user_authorization_fhir_patient_id');
    await queryRunner.dropColumn('user_authorization', 'fhir_patient_id');
    await queryRunner.dropColumn('measurement', 'observations');
  }
}

/** Decodes the measurements stored before this migration (by id, a batch at a time: memory stays flat). */
async function backfillObservations(queryRunner: QueryRunner, postgres: boolean): Promise<void> {
  for (let after = 0; ; ) {
    const rows: Array<{ id: number | string; data: unknown }> = await queryRunner.query(
      `SELECT "id", "data" FROM "measurement" WHERE "id" > ${postgres ? '$1' : '?'} ORDER BY "id" LIMIT ${BACKFILL_BATCH}`,
      [after],
    );
    if (rows.length === 0) return;
    const decoded = rows
      .map((row) => ({ id: Number(row.id), observations: decodeMeasurement(typeof row.data === 'string' ? safeJson(row.data) : row.data)?.observations ?? [] }))
      .filter((row) => row.observations.length > 0);
    if (decoded.length > 0) {
      const values = JSON.stringify(decoded);
      await queryRunner.query(
        postgres
          ? `UPDATE "measurement" m SET "observations" = v."observations" FROM jsonb_to_recordset($1::jsonb) AS v("id" bigint, "observations" jsonb) WHERE m."id" = v."id"`
          : `UPDATE "measurement" SET "observations" = (SELECT json(v.value ->> '$.observations') FROM json_each(?) v WHERE v.value ->> '$.id' = "measurement"."id") ` +
              `WHERE "id" IN (SELECT v.value ->> '$.id' FROM json_each(?) v)`,
        postgres ? [values] : [values, values],
      );
    }
    after = Number(rows[rows.length - 1].id);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
