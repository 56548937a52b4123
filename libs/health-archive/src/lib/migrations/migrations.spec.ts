import { DataSource } from 'typeorm';
import { healthArchiveDataSourceOptions } from '../database/data-source-options';
import { dialectOf } from '../database/dialect';
import { createTestDatabase, testDatabaseTargets, type TestDatabase } from '../../testing';
import { healthArchiveMigrations } from './index';
import { DataProtection } from '../protection/data-protection';
import { pushDedupeKey } from '../dedupe-key';

const TABLES = ['push_log', 'user_authorization', 'measurement', 'event', 'event_subject', 'webhook_endpoint', 'webhook_delivery', 'webhook_attempt', 'outbox_cursor', 'consent_record', 'access_audit'];

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('migrations on $name', (target) => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeEach(async () => {
    database = await createTestDatabase(target);
    dataSource = await new DataSource(healthArchiveDataSourceOptions(database.options)).initialize();
  });
  afterEach(async () => {
    if (dataSource.isInitialized) await dataSource.destroy();
    await database.drop();
  });

  const tablesPresent = async (): Promise<string[]> => {
    const runner = dataSource.createQueryRunner();
    try {
      const present: string[] = [];
      for (const table of TABLES) if (await runner.hasTable(table)) present.push(table);
      return present;
    } finally {
      await runner.release();
    }
  };
  const tableOf = async (name: string) => {
    const runner = dataSource.createQueryRunner();
    try {
      const table = await runner.getTable(name);
      if (!table) throw new Error(`no table ${name}`);
      return table;
    } finally {
      await runner.release();
    }
  };
  /** INSERT with the engine's placeholders; resolves with the new id. */
  const insert = async (table: string, values: Record<string, unknown>): Promise<number> => {
    const columns = Object.keys(values);
    const placeholders = columns.map((_, i) => (dialectOf(dataSource) === 'postgres' ? `$${i + 1}` : '?'));
    const rows = await dataSource.query(
      `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${placeholders.join(', ')}) RETURNING "id"`,
      Object.values(values),
    );
    return Number(rows[0].id);
  };
  const at = '2022-12-29 08:33:40.000';
  const pushRow = (dedupeKey: string) => ({
    dedupe_key: dedupeKey,
    data_tag: '',
    type: 2,
    account_id: 'OA==|MTEx',
    member_id: 'OA==|LTE=',
    device_sn: '',
    phone: '15312341234',
    received_at: at,
    outcome: 'applied',
    raw_message: '{}',
  });
  const authorizationRow = (phone: string) => ({
    phone,
    status: 'authorized',
    account_id: '',
    member_id: '',
    last_change_at: at,
    created_at: at,
    updated_at: at,
  });
  // The rows as the schema keeps them since the encryption at rest: the phone as its hash and sealed, nowhere in clear.
  const keys = () => new DataProtection(database.keys);
  const sealedPushRow = (dedupeKey: string) => {
    const { phone, ...row } = pushRow(dedupeKey);
    return { ...row, phone_hash: keys().phoneHash(phone), phone_enc: keys().seal('phone', phone) };
  };
  const sealedAuthorizationRow = (phone: string) => {
    const { phone: _clear, ...row } = authorizationRow(phone);
    return { ...row, phone_hash: keys().phoneHash(phone), phone_enc: keys().seal('phone', phone) };
  };
  const measurementRow = (pushId: number) => ({
    push_id: pushId,
    data_tag: '',
    account_id: 'OA==|MTEx',
    member_id: '',
    device_sn: '',
    data: '{"data_type":2}',
    received_at: at,
  });
  const count = async (table: string) => Number((await dataSource.query(`SELECT COUNT(*) AS n FROM "${table}"`))[0].n);
  const migrationRows = async () => (await dataSource.query('SELECT name FROM "migrations" ORDER BY id')).map((r: { name: string }) => r.name);

  it('starts from an empty database with every migration pending', async () => {
    expect(await tablesPresent()).toEqual([]);
    expect(await dataSource.showMigrations()).toBe(true);
  });

  it('creates the tables, their constraints and indexes, and records each migration once', async () => {
    const ran = await dataSource.runMigrations({ transaction: 'each' });
    expect(ran.map((m) => m.name)).toEqual(healthArchiveMigrations.map((m) => new m().name));
    expect(await tablesPresent()).toEqual(TABLES);
    expect(await migrationRows()).toEqual(healthArchiveMigrations.map((m) => new m().name));
    expect(await dataSource.showMigrations()).toBe(false);
    // Nothing left to do the second time.
    expect(await dataSource.runMigrations({ transaction: 'each' })).toEqual([]);
    expect(await migrationRows()).toHaveLength(healthArchiveMigrations.length);

    const pushLog = await tableOf('push_log');
    expect(pushLog.columns.map((c) => c.name).sort()).toEqual(
      ['id', 'dedupe_key', 'data_tag', 'type', 'account_id', 'member_id', 'device_sn', 'phone_hash', 'phone_enc', 'source_created_at', 'source_updated_at', 'received_at', 'outcome', 'raw_message', 'ordered_by'].sort(),
    );
    const nullable = (table: typeof pushLog) => table.columns.filter((c) => c.isNullable).map((c) => c.name).sort();
    expect(nullable(pushLog)).toEqual(['phone_enc', 'phone_hash', 'source_created_at', 'source_updated_at', 'type']);
    expect(pushLog.primaryColumns.map((c) => c.name)).toEqual(['id']);
    const uniqueColumns = (table: typeof pushLog) =>
      [...table.uniques.map((u) => u.columnNames.join(',')), ...table.indices.filter((i) => i.isUnique).map((i) => i.columnNames.join(','))];
    expect(uniqueColumns(pushLog)).toContain('dedupe_key');
    expect(pushLog.indices.map((i) => i.name).sort()).toEqual(['IDX_push_log_outcome_id', 'IDX_push_log_phone_hash_id', 'IDX_push_log_received_at_type_outcome', 'IDX_push_log_type_id']);

    const authorization = await tableOf('user_authorization');
    expect(uniqueColumns(authorization)).toContain('phone_hash');
    expect(authorization.columns.map((c) => c.name)).not.toContain('phone');
    expect(nullable(authorization)).toEqual(['authorized_at', 'data_deleted_for', 'revoked_at', 'revoked_by']);
    expect(authorization.indices.map((i) => i.name).sort()).toEqual([
      'IDX_user_authorization_account_id',
      'IDX_user_authorization_status_id',
      'IDX_user_authorization_status_updated_at',
      'UQ_user_authorization_fhir_patient_id',
    ]);

    const measurement = await tableOf('measurement');
    expect(uniqueColumns(measurement)).toContain('push_id');
    expect(nullable(measurement)).toEqual(['data_type', 'measured_at']);
    expect(measurement.foreignKeys).toEqual([
      expect.objectContaining({ columnNames: ['push_id'], referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
    ]);
    expect(measurement.foreignKeys[0].referencedTableName).toMatch(/push_log$/);

    const attempt = await tableOf('webhook_attempt');
    expect(attempt.indices.map((i) => i.name).sort()).toEqual(['IDX_webhook_attempt_attempted_at_status_code', 'IDX_webhook_attempt_delivery_id']);
  });

  it('enforces the unique keys, the foreign key and NOT NULL', async () => {
    await dataSource.runMigrations();

    const first = await insert('push_log', sealedPushRow('tag:abc'));
    const second = await insert('push_log', sealedPushRow('tag:def'));
    expect(second).toBeGreaterThan(first);
    await expect(insert('push_log', sealedPushRow('tag:abc'))).rejects.toThrow(/unique|duplicate/i);
    expect(await count('push_log')).toBe(2);

    const person = (phone: string, fhirPatientId: string) => ({ ...sealedAuthorizationRow(phone), fhir_patient_id: fhirPatientId });
    await insert('user_authorization', person('15312341234', 'a'.repeat(32)));
    await expect(insert('user_authorization', person('15312341234', 'b'.repeat(32)))).rejects.toThrow(/unique|duplicate/i);
    await expect(insert('user_authorization', person('15300000000', 'a'.repeat(32)))).rejects.toThrow(/unique|duplicate/i);
    await expect(insert('user_authorization', sealedAuthorizationRow('15300000000'))).rejects.toThrow(/null/i);

    await insert('measurement', measurementRow(first));
    await expect(insert('measurement', measurementRow(first))).rejects.toThrow(/unique|duplicate/i);
    await expect(insert('measurement', measurementRow(999_999))).rejects.toThrow(/foreign key/i);

    const { dedupe_key: _missing, ...withoutKey } = sealedPushRow('tag:ghi');
    await expect(insert('push_log', withoutKey)).rejects.toThrow(/not[- ]null|null value/i);

    // A push log entry takes its measurement with it.
    await dataSource.query(`DELETE FROM "push_log" WHERE "id" = ${first}`);
    expect(await count('measurement')).toBe(0);
  });

  it('reverts every migration, leaving no tables, and runs again on the emptied database', async () => {
    await dataSource.runMigrations();
    await insert('push_log', sealedPushRow('tag:abc'));

    for (let i = 0; i < healthArchiveMigrations.length; i++) await dataSource.undoLastMigration({ transaction: 'each' });
    expect(await tablesPresent()).toEqual([]);
    expect(await migrationRows()).toEqual([]);
    expect(await dataSource.showMigrations()).toBe(true);

    const again = await dataSource.runMigrations();
    expect(again).toHaveLength(healthArchiveMigrations.length);
    expect(await tablesPresent()).toEqual(TABLES);
    // The data went with the tables; the constraints came back.
    expect(await count('push_log')).toBe(0);
    await insert('push_log', sealedPushRow('tag:abc'));
    await expect(insert('push_log', sealedPushRow('tag:abc'))).rejects.toThrow(/unique|duplicate/i);
  });

  it('widens ids and makes type optional on a database holding data, keeping every row and constraint', async () => {
    // The state a database of the first release is in: only the first migration ran.
    const firstOnly = await new DataSource({ ...healthArchiveDataSourceOptions(database.options), migrations: [healthArchiveMigrations[0]] }).initialize();
    await firstOnly.runMigrations();
    await firstOnly.destroy();
    const pushId = await insert('push_log', { ...pushRow('tag:old'), phone: '+8615312341234' });
    await insert('push_log', { ...pushRow('tag:old-2'), phone: '008615300001111' });
    await insert('measurement', measurementRow(pushId));
    await insert('user_authorization', authorizationRow('+8615312341234'));
    // Both forms of one person: the canonical row exists, the other is left for a person to merge.
    await insert('user_authorization', authorizationRow('15399998888'));
    await insert('user_authorization', authorizationRow('+8615399998888'));

    expect((await dataSource.runMigrations({ transaction: 'each' })).map((m) => m.name)).toEqual(healthArchiveMigrations.slice(1).map((m) => new m().name));

    // SQLite rebuilt push_log: its measurement was not cascaded away, and the foreign key still holds.
    expect(await count('measurement')).toBe(1);
    const phones = (table: string) =>
      dataSource.query(`SELECT phone_enc FROM "${table}" ORDER BY id`).then((rows: Array<{ phone_enc: string }>) => rows.map((r) => keys().open('phone', r.phone_enc)));
    expect(await phones('push_log')).toEqual(['15312341234', '15300001111']);
    expect(await phones('user_authorization')).toEqual(['15312341234', '15399998888', '+8615399998888']);
    expect((await dataSource.query('SELECT ordered_by FROM push_log')).map((r: { ordered_by: string }) => r.ordered_by)).toEqual(['source', 'source']);
    const long = 'x'.repeat(1024);
    const longId = await insert('push_log', { ...sealedPushRow('tag:long'), type: null, data_tag: long, account_id: long, member_id: long, device_sn: long });
    await insert('measurement', { ...measurementRow(longId), data_tag: long, account_id: long, member_id: long, device_sn: long });
    await expect(insert('measurement', measurementRow(999_999))).rejects.toThrow(/foreign key/i);
    await dataSource.query(`DELETE FROM "push_log" WHERE "id" = ${pushId}`);
    expect(await count('measurement')).toBe(1);

    // Reverting refuses to cut what only the new schema holds, and leaves it as it was (the migrations after it revert first).
    const lenient = healthArchiveMigrations.findIndex((m) => new m().name === 'LenientPushes1764900000000');
    for (let i = healthArchiveMigrations.length - 1; i > lenient; i--) await dataSource.undoLastMigration({ transaction: 'each' });
    await expect(dataSource.undoLastMigration({ transaction: 'each' })).rejects.toThrow(/cannot hold/);
    expect(await migrationRows()).toHaveLength(lenient + 1);
    expect(await count('push_log')).toBe(2);
  });

  it('decodes the measurements stored before observations existed, and gives every person a pseudonymous id', async () => {
    const before = healthArchiveMigrations.findIndex((m) => new m().name === 'Observations1766000000000');
    const older = await new DataSource({ ...healthArchiveDataSourceOptions(database.options), migrations: healthArchiveMigrations.slice(0, before) }).initialize();
    await older.runMigrations();
    await older.destroy();
    const bloodPressure = { data_type: 3, measure_time: '1694676339000', measure_result: { sbp: { value: 128, unit: 'mmHg' }, dia: { value: 82, unit: 'mmHg' } } };
    // More than one backfill batch (500), some that decode to nothing, and one whose data is not even an object.
    const ids: number[] = [];
    for (let i = 0; i < 520; i++) {
      const pushId = await insert('push_log', pushRow(`tag:m${i}`));
      const data = i % 10 === 9 ? { data_type: 8, x: 1 } : i === 3 ? 'text' : bloodPressure;
      ids.push(await insert('measurement', { ...measurementRow(pushId), data: JSON.stringify(data) }));
    }
    await insert('user_authorization', authorizationRow('15312341234'));
    await insert('user_authorization', authorizationRow('15399998888'));

    await dataSource.runMigrations({ transaction: 'each' });

    const rows: Array<{ id: number; observations: unknown }> = await dataSource.query('SELECT "id", "observations" FROM "measurement" ORDER BY "id"');
    const observations = rows.map((r) => (typeof r.observations === 'string' ? JSON.parse(r.observations) : r.observations));
    const decoded = [
      { name: 'systolic', value: 128, unit: 'mm[Hg]' },
      { name: 'diastolic', value: 82, unit: 'mm[Hg]' },
    ];
    expect(observations).toHaveLength(520);
    expect(observations).toEqual(ids.map((_, i) => (i % 10 === 9 || i === 3 ? [] : decoded)));

    const people: Array<{ fhir_patient_id: string }> = await dataSource.query('SELECT "fhir_patient_id" FROM "user_authorization"');
    expect(people.map((p) => p.fhir_patient_id)).toEqual([expect.stringMatching(/^[0-9a-f]{32}$/), expect.stringMatching(/^[0-9a-f]{32}$/)]);
    expect(people[0].fhir_patient_id).not.toBe(people[1].fhir_patient_id);
  });

  it('builds the consent ledger from the grants and withdrawals kept before it', async () => {
    const before = healthArchiveMigrations.findIndex((m) => new m().name === 'ConsentLedger1766200000000');
    const older = await new DataSource({ ...healthArchiveDataSourceOptions(database.options), migrations: healthArchiveMigrations.slice(0, before) }).initialize();
    await older.runMigrations();
    await older.destroy();
    const grant = await insert('push_log', { ...pushRow('tag:g'), source_created_at: '2022-12-29 08:00:00.000', source_updated_at: '2022-12-29 08:10:00.000' });
    const stale = await insert('push_log', { ...pushRow('tag:s'), type: 3, outcome: 'stale', received_at: '2022-12-29 08:40:00.000' });
    await insert('push_log', { ...pushRow('tag:m'), type: 1, outcome: 'archived' });
    await insert('push_log', { ...pushRow('tag:i'), type: 9, outcome: 'ignored' });
    await insert('user_authorization', { ...authorizationRow('15312341234'), status: 'revoked', revoked_at: '2022-12-30 09:00:00.000', revoked_by: 'integrator', fhir_patient_id: 'a'.repeat(32) });

    await dataSource.runMigrations({ transaction: 'each' });

    const rows: Array<Record<string, unknown>> = await dataSource.query(
      'SELECT "phone_hash" AS "phone", "action", "actor", "source_at", "received_at", "outcome", "push_id", "request_id" FROM "consent_record" ORDER BY "id"',
    );
    const instant = (value: unknown) => (value instanceof Date ? value : new Date(`${String(value).replace(' ', 'T')}Z`)).toISOString();
    expect(rows.map((r) => ({ ...r, source_at: instant(r.source_at), received_at: instant(r.received_at), push_id: r.push_id === null ? null : Number(r.push_id) }))).toEqual([
      { phone: keys().phoneHash('15312341234'), action: 'granted', actor: 'user', source_at: '2022-12-29T08:10:00.000Z', received_at: '2022-12-29T08:33:40.000Z', outcome: 'applied', push_id: grant, request_id: null },
      { phone: keys().phoneHash('15312341234'), action: 'withdrawn', actor: 'user', source_at: '2022-12-29T08:40:00.000Z', received_at: '2022-12-29T08:40:00.000Z', outcome: 'stale', push_id: stale, request_id: null },
      { phone: keys().phoneHash('15312341234'), action: 'withdrawn', actor: 'integrator', source_at: '2022-12-30T09:00:00.000Z', received_at: '2022-12-30T09:00:00.000Z', outcome: 'applied', push_id: null, request_id: null },
    ]);
  });

  describe('the encryption at rest', () => {
    const PHONE = '15312341234';
    const before = healthArchiveMigrations.findIndex((m) => new m().name === 'EncryptionAtRest1766300000000');
    const raw = { type: 2, data_tag: '', phone: PHONE, create_time: '2022-12-29 16:33:40' };
    /** A database of the release before, holding a person's data in clear. */
    const storedInClear = async () => {
      const older = await new DataSource({ ...healthArchiveDataSourceOptions(database.options), migrations: healthArchiveMigrations.slice(0, before) }).initialize();
      await older.runMigrations();
      await older.destroy();
      const pushId = await insert('push_log', { ...pushRow(pushDedupeKey('', raw)), raw_message: JSON.stringify(raw) });
      await insert('push_log', { ...pushRow('tag:emptied'), raw_message: '' });
      await insert('user_authorization', { ...authorizationRow(PHONE), fhir_patient_id: 'a'.repeat(32) });
      await insert('measurement', { ...measurementRow(pushId), data: JSON.stringify({ data_type: 2, spo2: 97, note: `for ${PHONE}` }) });
      await insert('event', { event_id: 'evt_1', type: 'authorization.granted', phone: PHONE, sequence: 1, stored_at: at, data: JSON.stringify({ phone: PHONE }) });
      await insert('event', { event_id: 'evt_2', type: 'measurement.archived', phone: PHONE, sequence: 2, stored_at: at, measurement_id: 1 });
      await dataSource.query(`INSERT INTO "event_subject" ("subject", "last_sequence") VALUES ('${PHONE}', 2), ('account:OA==|MTEx', 1)`);
      return pushId;
    };
    const everything = async () => {
      const dump: unknown[] = [];
      for (const table of await tablesPresent()) dump.push(await dataSource.query(`SELECT * FROM "${table}"`));
      return JSON.stringify(dump);
    };

    it('seals and hashes every phone and payload stored before, leaving no phone anywhere; a repeat is still one; reverting opens it all', async () => {
      const pushId = await storedInClear();
      expect(await everything()).toContain(PHONE);

      await dataSource.runMigrations({ transaction: 'each' });

      expect(await everything()).not.toContain(PHONE);
      const p = keys();
      const [push] = await dataSource.query(`SELECT * FROM "push_log" WHERE "id" = ${pushId}`);
      expect(push.phone_hash).toBe(p.phoneHash(PHONE));
      expect(p.open('phone', push.phone_enc)).toBe(PHONE);
      expect(p.open('push_log.raw_message', push.raw_message)).toBe(JSON.stringify(raw));
      // The content key of before, keyed: what the ingest computes now for the same push.
      expect(push.dedupe_key).toBe(pushDedupeKey('', raw, (purpose, text) => p.keyedHash(purpose, text)));
      expect((await dataSource.query(`SELECT "raw_message" FROM "push_log" WHERE "dedupe_key" = 'tag:emptied'`))[0].raw_message).toBe('');
      const [person] = await dataSource.query('SELECT * FROM "user_authorization"');
      expect([person.phone_hash, p.open('phone', person.phone_enc)]).toEqual([p.phoneHash(PHONE), PHONE]);
      const [m] = await dataSource.query('SELECT "data" FROM "measurement"');
      expect(JSON.parse(p.open('measurement.data', m.data))).toEqual({ data_type: 2, spo2: 97, note: `for ${PHONE}` });
      const events = await dataSource.query('SELECT * FROM "event" ORDER BY "id"');
      expect(events.map((e: Record<string, string | null>) => [p.openOrNull('phone', e.phone_enc), p.openOrNull('event.data', e.data)])).toEqual([
        [PHONE, JSON.stringify({ phone: PHONE })],
        [PHONE, null],
      ]);
      const subjects = (await dataSource.query('SELECT "subject" FROM "event_subject" ORDER BY "subject"')).map((r: { subject: string }) => r.subject);
      expect(subjects.sort()).toEqual([p.phoneHash(PHONE), 'account:OA==|MTEx'].sort());

      for (let i = healthArchiveMigrations.length; i > before; i--) await dataSource.undoLastMigration({ transaction: 'each' });
      const [opened] = await dataSource.query(`SELECT "phone", "raw_message" FROM "push_log" WHERE "id" = ${pushId}`);
      expect(opened).toEqual({ phone: PHONE, raw_message: JSON.stringify(raw) });
      expect((await dataSource.query('SELECT "phone" FROM "user_authorization"'))[0].phone).toBe(PHONE);
      expect((await dataSource.query('SELECT "phone" FROM "event" ORDER BY "id"')).map((e: { phone: string }) => e.phone)).toEqual([PHONE, PHONE]);
      expect((await dataSource.query('SELECT "subject" FROM "event_subject"')).map((r: { subject: string }) => r.subject)).toContain(PHONE);
    });

    it('refuses to run without the keys when there are rows to seal, naming what is missing, and leaves them as they were', async () => {
      await storedInClear();
      await dataSource.destroy();
      const { dataProtection: _keys, ...withoutKeys } = database.options;
      dataSource = await new DataSource(healthArchiveDataSourceOptions(withoutKeys)).initialize();
      await expect(dataSource.runMigrations({ transaction: 'each' })).rejects.toThrow(/EncryptionAtRest1766300000000.*needs the data-protection keys.*DATA_ENCRYPTION_KEYS and DATA_HASH_KEY/);
      expect(await everything()).toContain(PHONE);
      expect(await migrationRows()).toHaveLength(before);
    });
  });

  it('seals the webhook secrets stored before, more than a batch of endpoints (ids are text), and opens them again when reverted', async () => {
    const before = healthArchiveMigrations.findIndex((m) => new m().name === 'SealedWebhookSecrets1766600000000');
    const older = await new DataSource({ ...healthArchiveDataSourceOptions(database.options), migrations: healthArchiveMigrations.slice(0, before) }).initialize();
    await older.runMigrations();
    await older.destroy();
    // 501 endpoints (the rewriter's batch is 500), every other one inside a rotation's overlap.
    const secretOf = (i: number, previous = false) => `whsec_${Buffer.alloc(32, previous ? 255 - (i % 200) : i % 250).toString('base64')}${i}`;
    const ids = Array.from({ length: 501 }, (_, i) => `ep_${String(i).padStart(26, '0')}`);
    for (const [i, id] of ids.entries()) {
      await insert('webhook_endpoint', { id, url: 'https://example.com/hook', secret: secretOf(i), previous_secret: i % 2 === 0 ? secretOf(i, true) : null, created_at: at, updated_at: at });
    }
    const stored = async () =>
      ((await dataSource.query('SELECT "id", "secret", "previous_secret" FROM "webhook_endpoint"')) as Array<{ id: string; secret: string; previous_secret: string | null }>).sort((a, b) =>
        a.id < b.id ? -1 : 1,
      );
    const clear = ids.map((id, i) => ({ id, secret: secretOf(i), previous_secret: i % 2 === 0 ? secretOf(i, true) : null }));
    expect(await stored()).toEqual(clear);

    await dataSource.runMigrations({ transaction: 'each' });

    const sealed = await stored();
    const k = keys();
    expect(sealed.filter((row) => !row.secret.startsWith(k.currentPrefix) || (row.previous_secret !== null && !row.previous_secret.startsWith(k.currentPrefix)))).toEqual([]);
    expect(sealed.map((row) => ({ id: row.id, secret: k.open('webhook_endpoint.secret', row.secret), previous_secret: k.openOrNull('webhook_endpoint.secret', row.previous_secret) }))).toEqual(clear);

    // Reverted down to (and with) this one.
    for (let i = before; i < healthArchiveMigrations.length; i++) await dataSource.undoLastMigration({ transaction: 'each' });
    expect(await stored()).toEqual(clear);
  });

  it("cuts what failing receivers answered out of the delivery log, keeping each attempt's status and every other error", async () => {
    const before = healthArchiveMigrations.findIndex((m) => new m().name === 'ReceiverAnswersNotKept1766700000000');
    const older = await new DataSource({ ...healthArchiveDataSourceOptions(database.options), migrations: healthArchiveMigrations.slice(0, before) }).initialize();
    await older.runMigrations();
    await older.destroy();
    await insert('webhook_endpoint', { id: 'ep_1', url: 'https://example.com/hook', secret: 'x', created_at: at, updated_at: at });
    await dataSource.query(`INSERT INTO "event" ("event_id", "type", "sequence", "stored_at") VALUES ('evt_1', 'endpoint.disabled', 1, '${at}')`);
    const delivery = await insert('webhook_delivery', { endpoint_id: 'ep_1', event_id: 'evt_1', status: 'failed', attempts: 6, created_at: at, updated_at: at });
    const errors: Array<[string | null, string | null]> = [
      ['HTTP 500: internal error; echo {"type":"authorization.granted","data":{"phone":"15987654321"}}', 'HTTP 500'],
      ['HTTP 302 (redirects are not followed: change the endpoint URL): moved to https://elsewhere/ 15987654321', 'HTTP 302 (redirects are not followed: change the endpoint URL)'],
      ['HTTP 410', 'HTTP 410'],
      ['connection refused', 'connection refused'],
      ['no complete answer within 15000 ms', 'no complete answer within 15000 ms'],
      [null, null],
    ];
    for (const [error] of errors) await insert('webhook_attempt', { delivery_id: delivery, attempted_at: at, status_code: null, duration_ms: 1, error });

    await dataSource.runMigrations({ transaction: 'each' });

    const kept = (await dataSource.query('SELECT "error" FROM "webhook_attempt" ORDER BY "id"')).map((r: { error: string | null }) => r.error);
    expect(kept).toEqual(errors.map(([, after]) => after));
    expect(JSON.stringify(kept)).not.toContain('15987654321');
  });

  it('leaves the other tables of the database alone', async () => {
    await dataSource.query('CREATE TABLE "not_ours" ("id" integer PRIMARY KEY)');
    await dataSource.runMigrations();
    for (let i = 0; i < healthArchiveMigrations.length; i++) await dataSource.undoLastMigration();
    const runner = dataSource.createQueryRunner();
    try {
      expect(await runner.hasTable('not_ours')).toBe(true);
    } finally {
      await runner.release();
    }
  });
});
