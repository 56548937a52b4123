import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { columnTypes, dialectOf } from '../database/dialect';

/**
 * The outbox and what delivers it:
 * - `event`: every fact an enterprise may act on, written by the same transaction (or batch
 *   statement) as the push or the cancel that caused it. `id` is the feed's order; on PostgreSQL
 *   `tx_id` (the writing transaction's id) makes the order one that a reader can follow without
 *   missing a row committed late (see the feed's read). A measurement's event names its
 *   measurement row instead of copying the data (`measurement_id`); other events keep `data`.
 * - `event_subject`: the last per-person sequence number given, by subject (the phone, or
 *   `account:<id>` when the person's phone is unknown).
 * - `webhook_endpoint`, `webhook_delivery`, `webhook_attempt`: the endpoints, one delivery per
 *   event and endpoint (by the event's public id), each attempt of it.
 * - `outbox_cursor`: how far a reader of the feed inside the service (the webhook fan-out, the
 *   broker publisher) has gone, by name, and which replica holds it (a lease: no transaction is
 *   held open while it works, since on PostgreSQL an open transaction holds the feed back).
 * The archive owns the database's schema: one migration history, run under one lock; the
 * delivery lib keeps its statements on these tables.
 */
export class EventOutbox1765600000000 implements MigrationInterface {
  name = 'EventOutbox1765600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = dialectOf(queryRunner.connection) === 'postgres';
    const t = columnTypes(postgres ? 'postgres' : 'sqlite');
    const id = { name: 'id', type: t.id, isPrimary: true, isGenerated: true, generationStrategy: 'increment' as const };
    const text = (name: string, length: number, isNullable = false) => ({ name, type: 'varchar', length: String(length), isNullable });
    const instant = (name: string, isNullable = false) => ({ name, type: t.instant, isNullable });

    await queryRunner.createTable(
      new Table({
        name: 'event',
        columns: [
          id,
          text('event_id', 40),
          text('type', 64),
          text('phone', 32, true),
          { name: 'sequence', type: t.id },
          instant('stored_at'),
          { name: 'measurement_id', type: t.id, isNullable: true },
          { name: 'data', type: 'text', isNullable: true },
        ],
        uniques: [{ name: 'UQ_event_event_id', columnNames: ['event_id'] }],
        indices: [new TableIndex({ name: 'IDX_event_stored_at', columnNames: ['stored_at'] })],
      }),
    );
    if (postgres) {
      await queryRunner.query('ALTER TABLE "event" ADD "tx_id" xid8 NOT NULL DEFAULT pg_current_xact_id()');
      await queryRunner.query('CREATE INDEX "IDX_event_tx_id_id" ON "event" ("tx_id", "id")');
    } else {
      // SQLite reuses the largest rowid once the newest rows are gone (retention may empty the
      // table): AUTOINCREMENT never does, so a consumer's cursor stays behind every new event.
      await queryRunner.query('DROP TABLE "event"');
      await queryRunner.query(
        'CREATE TABLE "event" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "event_id" varchar(40) NOT NULL, "type" varchar(64) NOT NULL, ' +
          '"phone" varchar(32), "sequence" integer NOT NULL, "stored_at" datetime NOT NULL, "measurement_id" integer, "data" text, ' +
          'CONSTRAINT "UQ_event_event_id" UNIQUE ("event_id"))',
      );
      await queryRunner.query('CREATE INDEX "IDX_event_stored_at" ON "event" ("stored_at")');
    }

    await queryRunner.createTable(
      new Table({
        name: 'event_subject',
        columns: [{ name: 'subject', type: 'varchar', length: '1100', isPrimary: true }, { name: 'last_sequence', type: t.id }],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'webhook_endpoint',
        columns: [
          { name: 'id', type: 'varchar', length: '40', isPrimary: true },
          { name: 'url', type: 'text' },
          { name: 'description', type: 'text', isNullable: true },
          // A JSON array of event types; null = every type.
          { name: 'event_types', type: 'text', isNullable: true },
          { name: 'enabled', type: 'boolean', default: postgres ? 'true' : '1' },
          text('disabled_reason', 32, true),
          { name: 'secret', type: 'text' },
          { name: 'previous_secret', type: 'text', isNullable: true },
          instant('previous_secret_expires_at', true),
          instant('failing_since', true),
          instant('created_at'),
          instant('updated_at'),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'webhook_delivery',
        columns: [
          id,
          text('endpoint_id', 40),
          text('event_id', 40),
          text('status', 16),
          { name: 'attempts', type: 'integer', default: 0 },
          instant('next_attempt_at', true),
          instant('lease_until', true),
          instant('created_at'),
          instant('updated_at'),
        ],
        uniques: [{ name: 'UQ_webhook_delivery_endpoint_event', columnNames: ['endpoint_id', 'event_id'] }],
        indices: [
          // An endpoint's due deliveries, oldest first: the claim reads one range of it per endpoint.
          new TableIndex({ name: 'IDX_webhook_delivery_due', columnNames: ['endpoint_id', 'status', 'next_attempt_at', 'id'] }),
          new TableIndex({ name: 'IDX_webhook_delivery_endpoint_id', columnNames: ['endpoint_id', 'id'] }),
          new TableIndex({ name: 'IDX_webhook_delivery_event_id', columnNames: ['event_id'] }),
        ],
        foreignKeys: [
          new TableForeignKey({ name: 'FK_webhook_delivery_endpoint', columnNames: ['endpoint_id'], referencedTableName: 'webhook_endpoint', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
          new TableForeignKey({ name: 'FK_webhook_delivery_event', columnNames: ['event_id'], referencedTableName: 'event', referencedColumnNames: ['event_id'], onDelete: 'CASCADE' }),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'webhook_attempt',
        columns: [
          id,
          { name: 'delivery_id', type: t.id },
          instant('attempted_at'),
          { name: 'status_code', type: 'integer', isNullable: true },
          { name: 'duration_ms', type: 'integer' },
          { name: 'error', type: 'text', isNullable: true },
        ],
        indices: [new TableIndex({ name: 'IDX_webhook_attempt_delivery_id', columnNames: ['delivery_id', 'id'] })],
        foreignKeys: [
          new TableForeignKey({ name: 'FK_webhook_attempt_delivery', columnNames: ['delivery_id'], referencedTableName: 'webhook_delivery', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'outbox_cursor',
        columns: [
          { name: 'name', type: 'varchar', length: '64', isPrimary: true },
          text('position', 64),
          // Who reads from it now, until when: one reader at a time across replicas, without a transaction held open.
          text('lease_owner', 64, true),
          instant('lease_until', true),
          instant('updated_at'),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['outbox_cursor', 'webhook_attempt', 'webhook_delivery', 'webhook_endpoint', 'event_subject', 'event']) {
      await queryRunner.dropTable(table, true);
    }
  }
}
