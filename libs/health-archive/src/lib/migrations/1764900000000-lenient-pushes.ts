import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { dialectOf } from '../database/dialect';

/** The widest id kept (MAX_ID_LENGTH of the wire protocol). */
const ID_LENGTH = '1024';

/**
 * Pushes of every form a real sender may send (issue "every push Viatom may send is kept"):
 * - ids up to 1,024 characters in every table (they were 256);
 * - `push_log.type` nullable: a type too large for an integer column is logged with no type;
 * - `push_log.ordered_by`: what a push's time was read from when it was ordered (its source
 *   time, or the received time when it had none or it was too far ahead);
 * - phones already stored in a form that is now read as another (`+8615312341234`) are
 *   rewritten to the canonical form, where that does not collide with a row already there.
 *
 * On SQLite, widening a column means rebuilding its table (TypeORM's changeColumns copies
 * the table). Dropping push_log while foreign keys are enforced would cascade into
 * measurement, so this migration runs outside TypeORM's per-migration transaction, turns
 * foreign keys off (which SQLite allows only outside a transaction), and runs in its own one.
 * On PostgreSQL widening a varchar and dropping NOT NULL change the catalogue only.
 */
export class LenientPushes1764900000000 implements MigrationInterface {
  name = 'LenientPushes1764900000000';
  transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    await this.inOneTransaction(queryRunner, async () => {
      await queryRunner.addColumn('push_log', new TableColumn({ name: 'ordered_by', type: 'varchar', length: '32', default: "'source'" }));
      await setType(queryRunner, { nullable: true });
      await setIdLength(queryRunner, ID_LENGTH);
      await canonicalPhones(queryRunner);
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await this.inOneTransaction(queryRunner, async () => {
      // Rows that only the new schema can hold (long ids, no type) cannot go back: refuse rather than truncate.
      const long = Object.entries(ID_COLUMNS)
        .flatMap(([table, columns]) => columns.map((column) => `(SELECT COUNT(*) FROM "${table}" WHERE length("${column}") > 256)`))
        .join(' + ');
      const [{ n }] = await queryRunner.query(`SELECT (SELECT COUNT(*) FROM push_log WHERE type IS NULL) + ${long} AS n`);
      if (Number(n) > 0) throw new Error(`${n} rows have ids over 256 characters or no type: the previous schema cannot hold them`);
      await setIdLength(queryRunner, '256');
      await setType(queryRunner, { nullable: false });
      await queryRunner.dropColumn('push_log', 'ordered_by');
    });
  }

  private async inOneTransaction(queryRunner: QueryRunner, work: () => Promise<void>): Promise<void> {
    const sqlite = isSqlite(queryRunner);
    if (sqlite) await queryRunner.query('PRAGMA foreign_keys = OFF');
    try {
      await queryRunner.startTransaction();
      try {
        await work();
        if (sqlite) {
          const broken = await queryRunner.query('PRAGMA foreign_key_check');
          if (broken.length > 0) throw new Error(`foreign keys broken by the table rebuild: ${JSON.stringify(broken.slice(0, 3))}`);
        }
        await queryRunner.commitTransaction();
      } catch (error) {
        await queryRunner.rollbackTransaction();
        throw error;
      }
    } finally {
      if (sqlite) await queryRunner.query('PRAGMA foreign_keys = ON');
    }
  }
}

const ID_COLUMNS: Record<string, string[]> = {
  push_log: ['data_tag', 'account_id', 'member_id', 'device_sn'],
  user_authorization: ['account_id', 'member_id'],
  measurement: ['data_tag', 'account_id', 'member_id', 'device_sn'],
};

const isSqlite = (queryRunner: QueryRunner) => dialectOf(queryRunner.connection) === 'sqlite';

/**
 * On PostgreSQL a plain ALTER (TypeORM's changeColumn would drop the column and add it again,
 * losing its data and indexes); on SQLite TypeORM's table rebuild, one per table.
 */
async function setIdLength(queryRunner: QueryRunner, length: string): Promise<void> {
  for (const [table, columns] of Object.entries(ID_COLUMNS)) {
    if (isSqlite(queryRunner)) {
      const changes = columns.map((name) => ({
        oldColumn: new TableColumn({ name, type: 'varchar', length: length === ID_LENGTH ? '256' : ID_LENGTH }),
        newColumn: new TableColumn({ name, type: 'varchar', length }),
      }));
      await queryRunner.changeColumns(table, changes);
    } else {
      await queryRunner.query(`ALTER TABLE "${table}" ${columns.map((c) => `ALTER COLUMN "${c}" TYPE varchar(${length})`).join(', ')}`);
    }
  }
}

async function setType(queryRunner: QueryRunner, { nullable }: { nullable: boolean }): Promise<void> {
  if (isSqlite(queryRunner)) {
    await queryRunner.changeColumn('push_log', 'type', new TableColumn({ name: 'type', type: 'integer', isNullable: nullable }));
  } else {
    await queryRunner.query(`ALTER TABLE "push_log" ALTER COLUMN "type" ${nullable ? 'DROP' : 'SET'} NOT NULL`);
  }
}

/**
 * `+86`, `0086` or `86` before a Chinese mobile number (`1[3-9]` and nine digits) is dropped
 * by the phone rule now; rows written before are brought to that form. An authorization whose
 * canonical phone already has a row of its own is left as it is (two records of one person
 * cannot be merged by a migration: the README says how to find them).
 */
async function canonicalPhones(queryRunner: QueryRunner): Promise<void> {
  const prefixes = [
    ['+86', 4],
    ['0086', 5],
    ['86', 3],
  ] as const;
  for (const [prefix, from] of prefixes) {
    const length = prefix.length + 11;
    const mobile = `length(phone) = ${length} AND phone LIKE '${prefix}1%' AND substr(phone, ${from + 1}, 1) BETWEEN '3' AND '9'`;
    await queryRunner.query(`UPDATE push_log SET phone = substr(phone, ${from}) WHERE ${mobile}`);
    await queryRunner.query(
      `UPDATE user_authorization SET phone = substr(phone, ${from}) WHERE ${mobile} ` +
        `AND NOT EXISTS (SELECT 1 FROM user_authorization other WHERE other.phone = substr(user_authorization.phone, ${from}))`,
    );
  }
}
