import { WebhookEndpointService } from '@health-bridge/delivery';
import { testDatabaseTargets } from '@health-bridge/health-archive/testing';
import { allPages, api, expectProblem, startApi, type ApiHarness } from './api-harness';
import { waitFor } from './webhook-receiver';

const BASE = '/api/v1/webhook-endpoints';
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const ENDPOINT_ID = /^ep_[0-9A-HJKMNP-TV-Z]{26}$/;
const SECRET = /^whsec_[A-Za-z0-9+/]{43}=$/;
const UNKNOWN_ID = 'ep_01JAAAAAAAAAAAAAAAAAAAAAAA';
/** A public address: accepted where private targets are refused, without a DNS lookup. */
const PUBLIC_HOST = '93.184.215.14';


/** The stored endpoints, straight from the table (to see that a refused request wrote nothing). */
async function storedEndpoints(h: ApiHarness): Promise<unknown[]> {
  const rows: Array<Record<string, unknown>> = await h.dataSource.query('SELECT * FROM "webhook_endpoint" ORDER BY "id"');
  return rows.map((row) => ({ ...row, enabled: row.enabled === true || row.enabled === 1 }));
}

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('webhook endpoints API on $name', (target) => {
  let h: ApiHarness;
  const logLines: string[] = [];
  /** Every secret any answer has shown, and the texts of the answers that must show none. */
  const secretsSeen = new Set<string>();
  const answersWithoutSecrets: string[] = [];

  beforeAll(async () => {
    h = await startApi(target, { DELIVERY_SECRET_OVERLAP: 'PT1S', LOG_LEVEL: 'debug' }, { logStream: { write: (line: string) => void logLines.push(line) } });
  });
  afterAll(() => h?.close());
  beforeEach(async () => {
    await h.dataSource.query('DELETE FROM "webhook_endpoint"');
  });

  /** A call whose answer must not hold a secret. */
  const call = async (method: string, path: string, body?: unknown, headers?: Record<string, string>) => {
    const res = await api(h, method, path, body, headers);
    answersWithoutSecrets.push(res.text);
    expect(res.text).not.toMatch(/whsec_/);
    return res;
  };
  const create = async (body: Record<string, unknown> = { url: 'http://127.0.0.1:4000/hook' }) => {
    const res = await api(h, 'POST', BASE, body);
    expect(res.status).toBe(201);
    secretsSeen.add(res.body.secret);
    return res.body;
  };
  const readSecret = async (id: string) => {
    const res = await api(h, 'GET', `${BASE}/${id}/secret`);
    expect(res.status).toBe(200);
    for (const secret of [res.body.secret, res.body.previousSecret]) if (secret) secretsSeen.add(secret);
    return res.body;
  };
  const signingSecrets = (id: string) => h.app.get(WebhookEndpointService).signingSecrets(id);

  describe('create, read, change, delete', () => {
    it('creates an endpoint for every type, with its secret, and shows it without the secret afterwards', async () => {
      const before = Date.now();
      const created = await create({ url: 'http://127.0.0.1:4000/hook?tenant=a' });
      expect(created).toEqual({
        id: expect.stringMatching(ENDPOINT_ID),
        url: 'http://127.0.0.1:4000/hook?tenant=a',
        description: null,
        eventTypes: null,
        enabled: true,
        disabledReason: null,
        failingSince: null,
        createdAt: expect.stringMatching(ISO_UTC),
        updatedAt: created.createdAt,
        secret: expect.stringMatching(SECRET),
      });
      expect(new Date(created.createdAt).getTime()).toBeGreaterThanOrEqual(before);

      const { secret, ...shown } = created;
      const one = await call('GET', `${BASE}/${created.id}`);
      expect(one.status).toBe(200);
      expect(one.body).toEqual(shown);
      const list = await call('GET', BASE);
      expect(list.body).toEqual({ items: [shown], nextCursor: null });

      expect(await readSecret(created.id)).toEqual({ secret, previousSecret: null, previousSecretExpiresAt: null });
      expect(await signingSecrets(created.id)).toEqual([secret]);
    });

    it('keeps the event types (without repeats) and the description asked for', async () => {
      const created = await create({
        url: 'https://127.0.0.1:8443/in',
        eventTypes: ['measurement.archived', 'authorization.revoked', 'measurement.archived'],
        description: 'Clinic A: measurements',
      });
      expect(created).toMatchObject({ eventTypes: ['measurement.archived', 'authorization.revoked'], description: 'Clinic A: measurements' });
      expect((await call('GET', `${BASE}/${created.id}`)).body).toMatchObject({ eventTypes: ['measurement.archived', 'authorization.revoked'] });
    });

    it('changes the fields given and only those', async () => {
      const created = await create({ url: 'http://127.0.0.1:4000/hook', eventTypes: ['measurement.archived'], description: 'first' });
      const url = await call('PATCH', `${BASE}/${created.id}`, { url: 'http://127.0.0.1:4001/other' });
      expect(url.status).toBe(200);
      expect(url.body).toMatchObject({ id: created.id, url: 'http://127.0.0.1:4001/other', eventTypes: ['measurement.archived'], description: 'first', enabled: true, createdAt: created.createdAt });
      expect(new Date(url.body.updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(created.updatedAt).getTime());

      const all = await call('PATCH', `${BASE}/${created.id}`, { eventTypes: null, description: null });
      expect(all.body).toMatchObject({ eventTypes: null, description: null, url: 'http://127.0.0.1:4001/other' });
      const some = await call('PATCH', `${BASE}/${created.id}`, { eventTypes: ['authorization.granted'], description: 'second' });
      expect(some.body).toMatchObject({ eventTypes: ['authorization.granted'], description: 'second' });
      expect((await call('GET', `${BASE}/${created.id}`)).body).toEqual(some.body);
      // The secret does not change with the settings.
      expect((await readSecret(created.id)).secret).toBe(created.secret);
    });

    it('turns an endpoint off by hand and on again', async () => {
      const created = await create();
      const off = await call('PATCH', `${BASE}/${created.id}`, { enabled: false });
      expect(off.body).toMatchObject({ enabled: false, disabledReason: 'manual' });
      expect((await h.app.get(WebhookEndpointService).enabledEndpoints()).map((e) => e.id)).not.toContain(created.id);
      const on = await call('PATCH', `${BASE}/${created.id}`, { enabled: true });
      expect(on.body).toMatchObject({ enabled: true, disabledReason: null, failingSince: null });
      expect((await h.app.get(WebhookEndpointService).enabledEndpoints()).map((e) => e.id)).toContain(created.id);
    });

    it('re-enables an endpoint the service turned off, forgetting why and since when it failed', async () => {
      const created = await create();
      const service = h.app.get(WebhookEndpointService);
      await service.markFailing(created.id, new Date('2030-01-01T00:00:00Z'));
      await service.disable(created.id, 'failing', new Date('2030-01-06T00:00:00Z'));
      expect((await call('GET', `${BASE}/${created.id}`)).body).toMatchObject({ enabled: false, disabledReason: 'failing', failingSince: '2030-01-01T00:00:00.000Z' });
      const on = await call('PATCH', `${BASE}/${created.id}`, { enabled: true });
      expect(on.body).toMatchObject({ enabled: true, disabledReason: null, failingSince: null });
    });

    it('deletes an endpoint: 204, then 404 for it', async () => {
      const created = await create();
      const kept = await create();
      const deleted = await call('DELETE', `${BASE}/${created.id}`);
      expect(deleted.status).toBe(204);
      expect(deleted.text).toBe('');
      expectProblem(await call('GET', `${BASE}/${created.id}`), 404);
      expectProblem(await call('DELETE', `${BASE}/${created.id}`), 404);
      expect(await signingSecrets(created.id)).toEqual([]);
      expect((await call('GET', BASE)).body.items.map((e: { id: string }) => e.id)).toEqual([kept.id]);
    });

    it('lists newest first, page by page', async () => {
      const made: string[] = [];
      for (let i = 0; i < 5; i++) made.push((await create({ url: `http://127.0.0.1:4000/hook/${i}` })).id);
      const pages = await allPages(h, BASE, 2);
      expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
      expect(pages.flat().map((e) => e.id)).toEqual(made.reverse());
      for (const page of pages) answersWithoutSecrets.push(JSON.stringify(page));
      expect(JSON.stringify(pages)).not.toContain('whsec_');
    });

    it('refuses a bad page size or a cursor it did not give, naming the field', async () => {
      await create();
      const cursor = await call('GET', `${BASE}?cursor=${Buffer.from('id:12').toString('base64url')}`);
      expectProblem(cursor, 400);
      expect(cursor.body.errors).toEqual([{ field: 'cursor', message: expect.stringContaining('cursor') }]);
      const limit = await call('GET', `${BASE}?limit=0`);
      expectProblem(limit, 400);
      expect(limit.body.errors[0].field).toBe('limit');
      expectProblem(await call('GET', `${BASE}?status=enabled`), 400);
    });
  });

  describe('the secret and its rotation', () => {
    it('signs with the new and the old secret until the overlap (DELIVERY_SECRET_OVERLAP=PT1S) has passed', async () => {
      const created = await create();
      const rotatedAt = Date.now();
      const rotate = await api(h, 'POST', `${BASE}/${created.id}/secret/rotate`);
      expect(rotate.status).toBe(200);
      expect(rotate.body).toEqual({ secret: expect.stringMatching(SECRET), previousSecretExpiresAt: expect.stringMatching(ISO_UTC) });
      secretsSeen.add(rotate.body.secret);
      expect(rotate.body.secret).not.toBe(created.secret);
      const expiresAt = new Date(rotate.body.previousSecretExpiresAt).getTime();
      expect(expiresAt).toBeGreaterThanOrEqual(rotatedAt + 1000);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + 1000);

      // Until it expires both sign, the new one first; then the new one alone.
      const service = h.app.get(WebhookEndpointService);
      expect(await service.signingSecrets(created.id, new Date(expiresAt - 1))).toEqual([rotate.body.secret, created.secret]);
      expect(await service.signingSecrets(created.id, new Date(expiresAt))).toEqual([rotate.body.secret]);
      const during = await readSecret(created.id);
      // (Unless this machine took longer than the overlap to get here.)
      if (Date.now() < expiresAt - 100) {
        expect(during).toEqual({ secret: rotate.body.secret, previousSecret: created.secret, previousSecretExpiresAt: rotate.body.previousSecretExpiresAt });
        expect(await signingSecrets(created.id)).toEqual([rotate.body.secret, created.secret]);
      }
      await waitFor('the old secret to expire', async () => (await signingSecrets(created.id)).length === 1, 5_000);
      expect(await signingSecrets(created.id)).toEqual([rotate.body.secret]);
      expect(await readSecret(created.id)).toEqual({ secret: rotate.body.secret, previousSecret: null, previousSecretExpiresAt: null });
      // The endpoint itself shows no secret, before or after.
      expect((await call('GET', `${BASE}/${created.id}`)).body).toMatchObject({ id: created.id, enabled: true });
    });

    it('keeps only the secret before the current one after two rotations', async () => {
      const created = await create();
      const first = await api(h, 'POST', `${BASE}/${created.id}/secret/rotate`);
      const second = await api(h, 'POST', `${BASE}/${created.id}/secret/rotate`);
      secretsSeen.add(first.body.secret).add(second.body.secret);
      const secrets = await signingSecrets(created.id);
      expect(secrets[0]).toBe(second.body.secret);
      expect(secrets).not.toContain(created.secret);
    });
  });

  describe('bad requests: 400 naming the field, nothing written', () => {
    it.each<[string, Record<string, unknown>, string, string]>([
      ['no url', {}, 'url', 'url must be a string'],
      ['a url that is not a string', { url: 42 }, 'url', 'url must be a string'],
      ['a url that is not a URL', { url: 'not a url' }, 'url', 'absolute http or https URL'],
      ['a relative url', { url: '/hooks' }, 'url', 'absolute http or https URL'],
      ['an ftp url', { url: 'ftp://127.0.0.1/hook' }, 'url', 'http or https'],
      ['credentials in the url', { url: 'https://user:hunter2@127.0.0.1/hook' }, 'url', 'credentials'],
      ['a url over 2048 characters', { url: `https://127.0.0.1/${'a'.repeat(2048)}` }, 'url', 'at most 2048 characters'],
      ['an unknown event type', { url: 'http://127.0.0.1/hook', eventTypes: ['measurement.archived', 'measurement.deleted'] }, 'eventTypes', '"measurement.deleted"'],
      ['no event types', { url: 'http://127.0.0.1/hook', eventTypes: [] }, 'eventTypes', 'omit it for all types'],
      ['event types that are not an array', { url: 'http://127.0.0.1/hook', eventTypes: 'measurement.archived' }, 'eventTypes', 'must be an array'],
      ['an event type that is not a string', { url: 'http://127.0.0.1/hook', eventTypes: [7] }, 'eventTypes', 'unknown event type 7'],
      ['a description that is not a string', { url: 'http://127.0.0.1/hook', description: 5 }, 'description', 'must be a string'],
      ['a description over 1000 characters', { url: 'http://127.0.0.1/hook', description: 'x'.repeat(1001) }, 'description', 'at most 1000'],
      ['a field the API does not take', { url: 'http://127.0.0.1/hook', secret: 'whsec_AAAA' }, 'secret', 'should not exist'],
      ['enabled at creation', { url: 'http://127.0.0.1/hook', enabled: false }, 'enabled', 'should not exist'],
    ])('POST with %s', async (_what, body, field, message) => {
      const before = await storedEndpoints(h);
      const res = await call('POST', BASE, body);
      expectProblem(res, 400);
      expect(res.body.type).toBe('/problems/validation-error');
      expect(res.body.errors).toEqual(expect.arrayContaining([{ field, message: expect.stringContaining(message) }]));
      expect(await storedEndpoints(h)).toEqual(before);
    });

    it('says one thing of a missing or mistyped field', async () => {
      expect((await call('POST', BASE, {})).body.errors).toEqual([{ field: 'url', message: 'url must be a string: an absolute http or https URL' }]);
      expect((await call('POST', BASE, { url: 'http://127.0.0.1/', description: 5 })).body.errors).toEqual([{ field: 'description', message: 'description must be a string' }]);
      expect(await storedEndpoints(h)).toEqual([]);
    });

    it('names every unknown event type, and lists the known ones', async () => {
      const res = await call('POST', BASE, { url: 'http://127.0.0.1/hook', eventTypes: ['a.b', 'measurement.archived', 'c.d'] });
      expectProblem(res, 400);
      expect(res.body.errors).toEqual([
        { field: 'eventTypes', message: 'eventTypes: unknown event types "a.b", "c.d" (known: authorization.granted, authorization.revoked, measurement.archived, person.data-deleted, endpoint.disabled)' },
      ]);
    });

    it.each<[string, unknown, string]>([
      ['an empty body', undefined, 'at least one of url, eventTypes, enabled, description'],
      ['an empty object', {}, 'at least one of url, eventTypes, enabled, description'],
      ['a null url', { url: null }, 'url'],
      ['a bad url', { url: 'gopher://127.0.0.1/' }, 'url'],
      ['a null enabled', { enabled: null }, 'enabled'],
      ['an enabled that is not a boolean', { enabled: 'true' }, 'enabled'],
      ['no event types', { eventTypes: [] }, 'eventTypes'],
      ['an unknown event type', { eventTypes: ['nope'] }, 'eventTypes'],
      ['a good field beside a bad one', { description: 'changed', eventTypes: ['nope'] }, 'eventTypes'],
      ['a good field beside an unknown one', { description: 'changed', secret: 'whsec_x' }, 'secret'],
      ['a good url beside a bad event type (nothing half-written)', { url: 'http://127.0.0.1:9999/new', eventTypes: ['nope'] }, 'eventTypes'],
      ['a JSON array', '[]', 'body'],
      ['a JSON string', '"http://127.0.0.1/"', 'body'],
    ])('PATCH with %s', async (_what, body, naming) => {
      const created = await create({ url: 'http://127.0.0.1:4000/hook', description: 'kept' });
      const before = await storedEndpoints(h);
      const res = await call('PATCH', `${BASE}/${created.id}`, body);
      expectProblem(res, 400);
      expect(res.body.type).toBe('/problems/validation-error');
      if (res.body.errors) expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(naming);
      else expect(res.body.detail).toContain(naming);
      expect(await storedEndpoints(h)).toEqual(before);
    });

    it.each<[string, string]>([
      ['a JSON array', '[]'],
      ['a JSON string', '"http://127.0.0.1/hook"'],
      ['a JSON number', '42'],
      ['JSON null', 'null'],
      ['broken JSON', '{"url": '],
    ])('POST with %s as the body is a 400', async (_what, body) => {
      const res = await call('POST', BASE, body);
      expectProblem(res, 400);
      expect(await storedEndpoints(h)).toEqual([]);
    });

    it('refuses a body that is not JSON with 415', async () => {
      expectProblem(await call('POST', BASE, 'url=http://127.0.0.1/hook', { 'content-type': 'application/x-www-form-urlencoded' }), 415);
      expect(await storedEndpoints(h)).toEqual([]);
    });
  });

  describe('unknown ids: 404', () => {
    it.each([UNKNOWN_ID, 'nope', 'ep_01jaaaaaaaaaaaaaaaaaaaaaaa', "ep_'%20OR%201=1"])('answers 404 for %s on every route', async (id) => {
      await create();
      const before = await storedEndpoints(h);
      for (const [method, path, body] of [
        ['GET', `${BASE}/${id}`, undefined],
        ['PATCH', `${BASE}/${id}`, { enabled: false }],
        ['DELETE', `${BASE}/${id}`, undefined],
        ['GET', `${BASE}/${id}/secret`, undefined],
        ['POST', `${BASE}/${id}/secret/rotate`, undefined],
      ] as const) {
        const res = await call(method, path, body);
        expectProblem(res, 404);
        expect(res.body.detail).toMatch(/^No webhook endpoint has (the id ep_[0-9A-Z]{26}|this id)\.$/);
      }
      expect(await storedEndpoints(h)).toEqual(before);
    });

    it('names the id it did not find when it has an id\'s form', async () => {
      const res = await call('GET', `${BASE}/${UNKNOWN_ID}`);
      expect(res.body.detail).toBe(`No webhook endpoint has the id ${UNKNOWN_ID}.`);
    });
  });

  describe('the API key', () => {
    it('is required on every route', async () => {
      const created = await create();
      for (const [method, path, body] of [
        ['POST', BASE, { url: 'http://127.0.0.1/hook' }],
        ['GET', BASE, undefined],
        ['GET', `${BASE}/${created.id}`, undefined],
        ['PATCH', `${BASE}/${created.id}`, { enabled: false }],
        ['DELETE', `${BASE}/${created.id}`, undefined],
        ['GET', `${BASE}/${created.id}/secret`, undefined],
        ['POST', `${BASE}/${created.id}/secret/rotate`, undefined],
      ] as const) {
        expectProblem(await call(method, path, body, { 'x-api-key': '' }), 401);
        expectProblem(await call(method, path, body, { 'x-api-key': 'wrong-key-wrong-key' }), 401);
      }
      expect((await readSecret(created.id)).secret).toBe(created.secret);
      expect((await storedEndpoints(h)).length).toBe(1);
      expect((await call('GET', `${BASE}/${created.id}`)).body.enabled).toBe(true);
    });
  });

  describe('where private targets are refused (DELIVERY_ALLOW_PRIVATE_TARGETS=false)', () => {
    let strict: ApiHarness;
    beforeAll(async () => {
      strict = await startApi(target, { DELIVERY_ALLOW_PRIVATE_TARGETS: 'false' });
    });
    afterAll(() => strict?.close());

    it.each([
      'http://127.0.0.1:4000/hook',
      'http://localhost:4000/hook',
      'http://[::1]:4000/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://0.0.0.0/hook',
      'http://10.0.0.8/hook',
      'http://172.17.0.1/hook',
      'http://192.168.1.20/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fe80::1]/hook',
      'http://[fd00::1]/hook',
      'http://100.64.0.1/hook',
      'http://2130706433/hook',
    ])('refuses %s', async (url) => {
      const res = await api(strict, 'POST', BASE, { url });
      expectProblem(res, 400);
      expect(res.body.errors).toEqual([{ field: 'url', message: expect.stringContaining('public address') }]);
      expect(await storedEndpoints(strict)).toEqual([]);
    });

    it('refuses a host that does not resolve, naming it', async () => {
      const res = await api(strict, 'POST', BASE, { url: 'https://hooks.invalid/in' });
      expectProblem(res, 400);
      expect(res.body.errors).toEqual([{ field: 'url', message: "url's host hooks.invalid does not resolve to an address" }]);
    });

    it('takes a public target, and refuses to move it to a private one', async () => {
      const created = await api(strict, 'POST', BASE, { url: `http://${PUBLIC_HOST}/hook` });
      expect(created.status).toBe(201);
      secretsSeen.add(created.body.secret);
      const moved = await api(strict, 'PATCH', `${BASE}/${created.body.id}`, { url: 'http://127.0.0.1:4000/hook' });
      expectProblem(moved, 400);
      expect(moved.body.errors[0].field).toBe('url');
      expect((await api(strict, 'GET', `${BASE}/${created.body.id}`)).body.url).toBe(`http://${PUBLIC_HOST}/hook`);
      await strict.dataSource.query('DELETE FROM "webhook_endpoint"');
    });
  });

  describe('in production (NODE_ENV=production)', () => {
    let production: ApiHarness;
    beforeAll(async () => {
      production = await startApi(target, { NODE_ENV: 'production' });
    });
    afterAll(() => production?.close());

    it('requires https, and refuses private targets by default', async () => {
      const http = await api(production, 'POST', BASE, { url: `http://${PUBLIC_HOST}/hook` });
      expectProblem(http, 400);
      expect(http.body.errors).toEqual([{ field: 'url', message: 'url must be https' }]);
      const loopback = await api(production, 'POST', BASE, { url: 'https://127.0.0.1/hook' });
      expectProblem(loopback, 400);
      expect(loopback.body.errors[0].message).toContain('public address');
      expect(await storedEndpoints(production)).toEqual([]);

      const https = await api(production, 'POST', BASE, { url: `https://${PUBLIC_HOST}/hook` });
      expect(https.status).toBe(201);
      secretsSeen.add(https.body.secret);
      const downgrade = await api(production, 'PATCH', `${BASE}/${https.body.id}`, { url: `http://${PUBLIC_HOST}/hook` });
      expectProblem(downgrade, 400);
      expect((await api(production, 'GET', `${BASE}/${https.body.id}`)).body.url).toBe(`https://${PUBLIC_HOST}/hook`);
    });
  });

  // Declared last, so it runs after every other test of this engine (and means something only after them: run the file whole).
  it('never showed a secret in an answer other than create, secret and rotate, nor in a log line', () => {
    expect(secretsSeen.size).toBeGreaterThan(10);
    expect(answersWithoutSecrets.length).toBeGreaterThan(50);
    // The log was captured (the service logs what it does to endpoints, by id).
    expect(logLines.some((line) => /webhook endpoint ep_\w+ created/.test(line))).toBe(true);
    for (const secret of secretsSeen) {
      const key = secret.slice('whsec_'.length);
      for (const text of [...answersWithoutSecrets, ...logLines]) expect(text).not.toContain(key);
    }
  });
});
