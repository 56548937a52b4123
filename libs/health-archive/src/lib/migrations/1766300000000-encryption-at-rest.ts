import { MigrationInterface, QueryRunner, TableColumn, TableIndex, TableUnique } from 'typeorm';
import { dialectOf } from '../database/dialect';
import { DataProtection, type SealPurpose } from '../protection/data-protection';
import { dataProtectionOf } from '../protection/registry';
import { RowRewriter } from '../protection/row-rewriter';

/**
 * Encryption at rest (PIPL art. 51). Phones leave every table: each becomes its keyed hash
 * (`phone_hash`, HMAC-SHA256 under DATA_HASH_KEY: what look-ups use) and, where the number itself
 * must be shown again, its sealed form (`phone_enc`, AES-256-GCM under the current key of
 * DATA_ENCRYPTION_KEYS). The raw push payloads, the measurements' data and the events' data are
 * sealed in place (`measurement.data` becomes text on PostgreSQL). The per-person sequences are
 * keyed by the phone's hash. A dedupe key that was a plain SHA-256 of the content becomes a keyed
 * hash of that SHA-256 (`hmac:`), which the ingest now computes the same way, so a repeat is still
 * known as one. The rows stored before are rewritten here, a batch at a time, in the migration's
 * transaction: it needs the keys (the REST API gives them; the TypeORM CLI reads the same variables).
 * On SQLite, the pages that held clear text are zeroed as they are freed (secure_delete);
 * the file keeps no copy once the WAL is checkpointed.
 */
export class EncryptionAtRest1766300000000 implements MigrationInterface {
  name = 'EncryptionAtRest1766300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = dialectOf(queryRunner.connection) === 'postgres';
    const rows = new RowRewriter(queryRunner, postgres, () => dataProtectionOf(queryRunner.connection, `The migration ${this.name}, which encrypts the data stored before it,`));
    const hashColumn = (isNullable: boolean) => new TableColumn({ name: 'phone_hash', type: 'varchar', length: '64', isNullable });
    const sealedPhone = (isNullable: boolean) => new TableColumn({ name: 'phone_enc', type: 'text', isNullable });

    // The authorizations: found by the phone's hash, the number sealed.
    await queryRunner.addColumns('user_authorization', [hashColumn(true), sealedPhone(true)]);
    await rows.rewrite('user_authorization', ['phone'], (p, r) => ({ phone_hash: p.phoneHash(r.phone as string), phone_enc: p.seal('phone', r.phone as string) }));
    await queryRunner.dropUniqueConstraint('user_authorization', 'UQ_user_authorization_phone');
    await queryRunner.dropColumn('user_authorization', 'phone');
    await queryRunner.changeColumns('user_authorization', [
      { oldColumn: hashColumn(true), newColumn: hashColumn(false) },
      { oldColumn: sealedPhone(true), newColumn: sealedPhone(false) },
    ]);
    await queryRunner.createUniqueConstraint('user_authorization', new TableUnique({ name: 'UQ_user_authorization_phone_hash', columnNames: ['phone_hash'] }));

    // The push log: the phone, the raw payload, a content-hash dedupe key.
    await queryRunner.addColumns('push_log', [hashColumn(true), sealedPhone(true)]);
    await rows.rewrite('push_log', ['phone', 'raw_message', 'dedupe_key'], (p, r) => ({
      phone_hash: r.phone === null ? null : p.phoneHash(r.phone),
      phone_enc: r.phone === null ? null : p.seal('phone', r.phone),
      raw_message: sealedUnlessEmpty(p, 'push_log.raw_message', r.raw_message as string),
      dedupe_key: keyedDedupeKey(p, r.dedupe_key as string),
    }));
    await queryRunner.dropIndex('push_log', 'IDX_push_log_phone_id');
    await queryRunner.dropColumn('push_log', 'phone');
    await queryRunner.createIndex('push_log', new TableIndex({ name: 'IDX_push_log_phone_hash_id', columnNames: ['phone_hash', 'id'] }));

    // The measurements' data.
    if (postgres) await queryRunner.query('ALTER TABLE "measurement" ALTER COLUMN "data" TYPE text USING "data"::text');
    await rows.rewrite('measurement', ['data'], (p, r) => ({ data: p.sealUnlessSealed('measurement.data', r.data as string) }));

    // The outbox: the event's phone and data, the sequences' subjects. Raw SQL: the event table has no index on these
    // columns, so neither engine rebuilds it (and SQLite's AUTOINCREMENT stays as it was made).
    await queryRunner.query('ALTER TABLE "event" ADD COLUMN "phone_hash" varchar(64)');
    await queryRunner.query('ALTER TABLE "event" ADD COLUMN "phone_enc" text');
    await rows.rewrite('event', ['phone', 'data'], (p, r) => ({
      phone_hash: r.phone === null ? null : p.phoneHash(r.phone),
      phone_enc: r.phone === null ? null : p.seal('phone', r.phone),
      data: r.data === null ? null : p.sealUnlessSealed('event.data', r.data),
    }));
    await queryRunner.query('ALTER TABLE "event" DROP COLUMN "phone"');
    await rows.rewriteSubjects((p, subject) => (subject.startsWith('account:') || /^[0-9a-f]{64}$/.test(subject) ? null : p.phoneHash(subject)));

    // The consent ledger: the hash only.
    await queryRunner.addColumn('consent_record', hashColumn(true));
    await rows.rewrite('consent_record', ['phone'], (p, r) => ({ phone_hash: p.phoneHash(r.phone as string) }));
    await queryRunner.dropIndex('consent_record', 'IDX_consent_record_phone_id');
    await queryRunner.dropColumn('consent_record', 'phone');
    await queryRunner.changeColumn('consent_record', hashColumn(true), hashColumn(false));
    await queryRunner.createIndex('consent_record', new TableIndex({ name: 'IDX_consent_record_phone_hash_id', columnNames: ['phone_hash', 'id'] }));
  }

  /**
   * Opens everything again. The keyed dedupe keys stay keyed (a hash cannot be undone): after the
   * revert, a repeat of a push without a data_tag stored before it is stored again. The consent
   * ledger and the sequences keep their hashes where the phone cannot be known from another table.
   */
  async down(queryRunner: QueryRunner): Promise<void> {
    const postgres = dialectOf(queryRunner.connection) === 'postgres';
    const rows = new RowRewriter(queryRunner, postgres, () => dataProtectionOf(queryRunner.connection, `Reverting the migration ${this.name}`));
    const phone = (isNullable: boolean) => new TableColumn({ name: 'phone', type: 'varchar', length: '32', isNullable });

    // Who each hash is, from the authorizations (the only table that keeps every person's sealed phone).
    const phones = new Map<string, string>();
    for (const row of (await queryRunner.query('SELECT "phone_hash", "phone_enc" FROM "user_authorization"')) as Array<{ phone_hash: string; phone_enc: string }>) {
      phones.set(row.phone_hash, row.phone_enc);
    }
    const phoneOfHash = (p: DataProtection, hash: string) => (phones.has(hash) ? p.open('phone', phones.get(hash) as string) : null);

    await queryRunner.addColumn('consent_record', phone(true));
    await rows.rewrite('consent_record', ['phone_hash'], (p, r) => ({ phone: phoneOfHash(p, r.phone_hash as string) ?? (r.phone_hash as string).slice(0, 32) }));
    await queryRunner.dropIndex('consent_record', 'IDX_consent_record_phone_hash_id');
    await queryRunner.dropColumn('consent_record', 'phone_hash');
    await queryRunner.changeColumn('consent_record', phone(true), new TableColumn({ name: 'phone', type: 'varchar', length: '32' }));
    await queryRunner.createIndex('consent_record', new TableIndex({ name: 'IDX_consent_record_phone_id', columnNames: ['phone', 'id'] }));

    await queryRunner.query('ALTER TABLE "event" ADD COLUMN "phone" varchar(32)');
    await rows.rewrite('event', ['phone_enc', 'data'], (p, r) => ({
      phone: r.phone_enc === null ? null : p.open('phone', r.phone_enc),
      data: r.data === null ? null : p.open('event.data', r.data),
    }));
    await queryRunner.query('ALTER TABLE "event" DROP COLUMN "phone_hash"');
    await queryRunner.query('ALTER TABLE "event" DROP COLUMN "phone_enc"');
    await rows.rewriteSubjects((p, subject) => phoneOfHash(p, subject));

    await rows.rewrite('measurement', ['data'], (p, r) => ({ data: p.open('measurement.data', r.data as string) }));
    if (postgres) await queryRunner.query('ALTER TABLE "measurement" ALTER COLUMN "data" TYPE jsonb USING "data"::jsonb');

    await queryRunner.addColumn('push_log', phone(true));
    await rows.rewrite('push_log', ['phone_enc', 'raw_message'], (p, r) => ({
      phone: r.phone_enc === null ? null : p.open('phone', r.phone_enc),
      raw_message: p.open('push_log.raw_message', r.raw_message as string),
    }));
    await queryRunner.dropIndex('push_log', 'IDX_push_log_phone_hash_id');
    await queryRunner.dropColumns('push_log', ['phone_hash', 'phone_enc']);
    await queryRunner.createIndex('push_log', new TableIndex({ name: 'IDX_push_log_phone_id', columnNames: ['phone', 'id'] }));

    await queryRunner.addColumn('user_authorization', phone(true));
    await rows.rewrite('user_authorization', ['phone_enc'], (p, r) => ({ phone: p.open('phone', r.phone_enc as string) }));
    await queryRunner.dropUniqueConstraint('user_authorization', 'UQ_user_authorization_phone_hash');
    await queryRunner.dropColumns('user_authorization', ['phone_hash', 'phone_enc']);
    await queryRunner.changeColumn('user_authorization', phone(true), new TableColumn({ name: 'phone', type: 'varchar', length: '32' }));
    await queryRunner.createUniqueConstraint('user_authorization', new TableUnique({ name: 'UQ_user_authorization_phone', columnNames: ['phone'] }));
  }
}

function sealedUnlessEmpty(p: DataProtection, purpose: SealPurpose, value: string): string {
  return value === '' ? '' : p.sealUnlessSealed(purpose, value);
}

/** `sha256:<hex>` of a push's content, as the ingest keyed it before: `hmac:` of that hex, as the ingest keys it now. */
export function keyedDedupeKey(p: DataProtection, key: string): string {
  return key.startsWith('sha256:') ? `hmac:${p.keyedHash('dedupe', key.slice('sha256:'.length))}` : key;
}
