import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { testDatabaseTargets } from '@health-bridge/health-archive/testing';
import { DataProtection, reencryptArchive } from '@health-bridge/health-archive';
import { api, delivered, postPush, sameDatabaseEnv, startApi, type ApiHarness } from './api-harness';

const run = promisify(execFile);
const ROOT = join(__dirname, '../../..');
const PHONE = '15312341234';
const OTHER = '13900001111';

/** A person's whole life in the service: consent, readings, a reading before the phone is known, export, withdrawal, erasure. */
async function flow(h: ApiHarness): Promise<void> {
  delivered(await h.sandbox.send.authorized({ phone: PHONE, time: '2022-12-29 09:00:00' }));
  delivered(await h.sandbox.send.samples({ phone: PHONE }));
  delivered(await h.sandbox.send.authorized({ phone: OTHER, time: '2022-12-29 09:00:00' }));
  delivered(await h.sandbox.send.samples({ phone: OTHER }));
  // A push without a data_tag (its dedupe key is a hash of content that holds the phone), and one for an account never seen.
  expect((await postPush(h, { type: 2, data_tag: '', account_id: 'acc-x', member_id: 'm', device_sn: '', data: { phone: OTHER }, user_info: {}, create_time: '2022-12-29 10:00:00', update_time: '2022-12-29 10:00:00' })).status).toBe(200);
  expect((await api(h, 'GET', `/api/v1/people/${PHONE}/export`)).status).toBe(200);
  expect((await api(h, 'POST', '/api/v1/authorizations/cancel', { phone: OTHER })).status).toBe(200);
  expect((await api(h, 'DELETE', `/api/v1/people/${PHONE}`)).status).toBe(200);
  await h.sandbox.settled();
  // What the service keeps does show the phones: through the API, opened.
  expect((await api(h, 'GET', `/api/v1/authorizations/${OTHER}`)).body.phone).toBe(OTHER);
  expect((await api(h, 'GET', `/api/v1/pushes?phone=${OTHER}`)).body.items.length).toBeGreaterThan(0);
  expect((await api(h, 'GET', '/api/v1/events?limit=200')).body.items.some((e: { phone: string }) => e.phone === OTHER)).toBe(true);
}

/** Everything of the database as bytes: the SQLite file with its WAL, or a pg_dump of the schema. */
async function databaseBytes(h: ApiHarness): Promise<string> {
  if (h.database.name === 'sqlite') {
    const dir = dirname(h.database.options.url.slice('sqlite:'.length));
    return readdirSync(dir).map((file) => readFileSync(join(dir, file)).toString('latin1')).join('\n');
  }
  const { stdout } = await run('pg_dump', ['--schema', h.database.options.schema as string, '--no-owner', h.database.options.url], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** An endpoint made and its secret rotated (it takes only a type no flow stores: nothing is sent): its first and second secrets. */
async function webhookSecrets(h: ApiHarness): Promise<string[]> {
  const created = await api(h, 'POST', '/api/v1/webhook-endpoints', { url: 'http://127.0.0.1:9/hook', eventTypes: ['endpoint.disabled'] });
  expect(created.status).toBe(201);
  const rotated = await api(h, 'POST', `/api/v1/webhook-endpoints/${created.body.id}/secret/rotate`);
  expect(rotated.status).toBe(200);
  return [created.body.secret, rotated.body.secret];
}

const keysEnv = (keys: Array<[string, Buffer]>, hashKey: Buffer) => ({
  DATA_ENCRYPTION_KEYS: keys.map(([id, key]) => `${id}:${key.toString('base64')}`).join(','),
  DATA_HASH_KEY: hashKey.toString('base64'),
});

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('encryption at rest on $name', (target) => {
  it('leaves no phone and no webhook signing secret in clear anywhere in the database after a whole flow', async () => {
    const h = await startApi(target, { RETENTION_AFTER_WITHDRAWAL: 'P0D', WITHDRAWAL_SWEEP_INTERVAL: 'PT0.1S' });
    try {
      await flow(h);
      const secrets = await webhookSecrets(h);
      const bytes = await databaseBytes(h);
      for (const secret of secrets) expect(bytes).not.toContain(secret.slice('whsec_'.length));
      // The dump is real: it holds the schema and the rows (sealed).
      expect(bytes).toContain('user_authorization');
      expect(bytes).toContain('hb1:test:');
      for (const phone of [PHONE, OTHER]) {
        expect(bytes).not.toContain(phone);
        // Nor as UTF-16 text.
        expect(bytes).not.toContain(Buffer.from(phone, 'utf16le').toString('latin1'));
      }
    } finally {
      await h.close();
    }
  });

  it('rotates the key: the new one seals, both open, re-encryption moves everything to the new one, then the old one can go', async () => {
    const owner = await startApi(target);
    const replicas: ApiHarness[] = [];
    const replica = async (env: Record<string, string>) => {
      const started = await startApi(target, { ...sameDatabaseEnv(owner), ...env });
      replicas.push(started);
      return started;
    };
    try {
      delivered(await owner.sandbox.send.authorized({ phone: PHONE, time: '2022-12-29 09:00:00' }));
      delivered(await owner.sandbox.send.samples({ phone: PHONE }));
      const before = (await api(owner, 'GET', `/api/v1/people/${PHONE}/export`)).body;
      const old = owner.database.keys.encryptionKeys[0].key;
      const hashKey = owner.database.keys.hashKey;
      const fresh = randomBytes(32);

      // The new key first, the old one after it: everything still reads, new data is sealed with the new key.
      const both = await replica(keysEnv([['new', fresh], ['test', old]], hashKey));
      expect({ ...(await api(both, 'GET', `/api/v1/people/${PHONE}/export`)).body, exportedAt: null }).toEqual({ ...before, exportedAt: null });
      delivered(await both.sandbox.send.authorized({ phone: OTHER, time: '2022-12-29 09:00:00' }));
      const [newest] = await owner.dataSource.query('SELECT "phone_enc" FROM "user_authorization" ORDER BY "id" DESC LIMIT 1');
      expect(newest.phone_enc).toMatch(/^hb1:new:/);

      const secrets = await webhookSecrets(owner);
      const [{ id: endpointId }] = await owner.dataSource.query('SELECT "id" FROM "webhook_endpoint"');

      // Re-encryption: nothing is left under the old key (a second run has nothing to do).
      const protection = new DataProtection({ encryptionKeys: [{ id: 'new', key: fresh }, { id: 'test', key: old }], hashKey });
      const done = await reencryptArchive(owner.dataSource, protection);
      expect(done['push_log.raw_message']).toBeGreaterThanOrEqual(11);
      expect(done['measurement.data']).toBe(10);
      expect([done['webhook_endpoint.secret'], done['webhook_endpoint.previous_secret']]).toEqual([1, 1]);
      expect(Object.values(await reencryptArchive(owner.dataSource, protection)).every((n) => n === 0)).toBe(true);
      // Every sealed value of every row (SQLite's WAL may still hold the pages of before until they are checkpointed over).
      const sealed = [];
      for (const [table, column] of [['user_authorization', 'phone_enc'], ['push_log', 'phone_enc'], ['push_log', 'raw_message'], ['measurement', 'data'], ['event', 'phone_enc'], ['event', 'data'], ['webhook_endpoint', 'secret'], ['webhook_endpoint', 'previous_secret']]) {
        sealed.push(...(await owner.dataSource.query(`SELECT "${column}" AS v FROM "${table}" WHERE "${column}" IS NOT NULL AND "${column}" <> ''`)).map((r: { v: string }) => r.v));
      }
      expect(sealed.length).toBeGreaterThan(30);
      expect(sealed.filter((v) => !v.startsWith('hb1:new:'))).toEqual([]);

      // The old key dropped: everything reads as before.
      const onlyNew = await replica(keysEnv([['new', fresh]], hashKey));
      expect({ ...(await api(onlyNew, 'GET', `/api/v1/people/${PHONE}/export`)).body, exportedAt: null }).toEqual({ ...before, exportedAt: null });
      expect((await api(onlyNew, 'GET', `/api/v1/authorizations/${OTHER}`)).body.phone).toBe(OTHER);
      expect((await api(onlyNew, 'GET', `/api/v1/webhook-endpoints/${endpointId}/secret`)).body).toMatchObject({ secret: secrets[1], previousSecret: secrets[0] });
    } finally {
      for (const r of replicas) await r.close();
      await owner.close();
    }
  });

  it('refuses to start with keys that are not the data\'s, naming the variable', async () => {
    const owner = await startApi(target);
    try {
      delivered(await owner.sandbox.send.authorized({ phone: PHONE, time: '2022-12-29 09:00:00' }));
      const hashKey = owner.database.keys.hashKey;
      const old = owner.database.keys.encryptionKeys[0].key;
      await expect(startApi(target, { ...sameDatabaseEnv(owner), ...keysEnv([['other', randomBytes(32)]], hashKey) })).rejects.toThrow(
        /do not open the stored data \(DATA_ENCRYPTION_KEYS\).*"test", which is not configured/,
      );
      await expect(startApi(target, { ...sameDatabaseEnv(owner), ...keysEnv([['test', randomBytes(32)]], hashKey) })).rejects.toThrow(/DATA_ENCRYPTION_KEYS/);
      await expect(startApi(target, { ...sameDatabaseEnv(owner), ...keysEnv([['test', old]], randomBytes(32)) })).rejects.toThrow(
        /not the one the stored phones were hashed with \(DATA_HASH_KEY\)/,
      );
    } finally {
      await owner.close();
    }
  });
});

describe('npm run data:reencrypt', () => {
  it('seals again with the current key what an older key sealed, printing counts and never a key', async () => {
    const owner = await startApi({ name: 'sqlite' });
    try {
      delivered(await owner.sandbox.send.authorized({ phone: PHONE, time: '2022-12-29 09:00:00' }));
      delivered(await owner.sandbox.send.samples({ phone: PHONE }));
      const fresh = randomBytes(32);
      const env = keysEnv([['next', fresh], ['test', owner.database.keys.encryptionKeys[0].key]], owner.database.keys.hashKey);
      const { stdout } = await run('npm', ['run', '-s', 'data:reencrypt'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: owner.database.options.url, ...env } });
      expect(stdout).toMatch(/measurement\.data: 10 sealed again with "next"/);
      expect(stdout).not.toContain(fresh.toString('base64'));
      const rows = await owner.dataSource.query('SELECT "data" FROM "measurement"');
      expect(rows.every((r: { data: string }) => r.data.startsWith('hb1:next:'))).toBe(true);
    } finally {
      await owner.close();
    }
  }, 60_000);
});
