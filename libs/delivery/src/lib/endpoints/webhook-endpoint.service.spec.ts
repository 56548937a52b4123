import { DataProtection, EventFeed, EventType, InvalidCursorError } from '@health-bridge/health-archive';
import { testDatabaseTargets } from '@health-bridge/health-archive/testing';
import type { DataSource } from 'typeorm';
import type { DeliveryOptions } from '../delivery.options';
import { startDelivery } from '../../testing/start-delivery';
import { InvalidWebhookEndpointError, WebhookEndpointNotFoundError, type WebhookEndpoint } from './webhook-endpoint';
import { WebhookEndpointService } from './webhook-endpoint.service';
import { WebhookEndpointStore } from './webhook-endpoint.store';

const SECRET = /^whsec_[A-Za-z0-9+/]{43}=$/;
const OVERLAP_MS = 60_000;

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('WebhookEndpointService on $name', (target) => {
  let harness: Awaited<ReturnType<typeof startDelivery>>;
  let endpoints: WebhookEndpointService;
  let dataSource: DataSource;

  beforeAll(async () => {
    harness = await startDelivery(target, { secretOverlapMs: OVERLAP_MS, allowPrivateTargets: true });
    endpoints = harness.module.get(WebhookEndpointService);
    dataSource = harness.dataSource;
  });
  afterAll(() => harness?.close());
  beforeEach(async () => {
    await dataSource.query('DELETE FROM "webhook_endpoint"');
  });

  const keys = () => harness.module.get(DataProtection);
  const rowCount = async () => Number((await dataSource.query('SELECT COUNT(*) AS "n" FROM "webhook_endpoint"'))[0].n);
  const storedRow = async (id: string) => (await dataSource.query(target.name === 'postgres' ? 'SELECT * FROM "webhook_endpoint" WHERE "id" = $1' : 'SELECT * FROM "webhook_endpoint" WHERE "id" = ?', [id]))[0];
  const failure = async (work: Promise<unknown>) => work.then(() => null, (error: unknown) => error);
  const invalid = async (work: Promise<unknown>, field: string) => {
    const error = await failure(work);
    expect(error).toBeInstanceOf(InvalidWebhookEndpointError);
    expect((error as InvalidWebhookEndpointError).field).toBe(field);
    return (error as Error).message;
  };
  const create = (url = 'http://127.0.0.1:4000/hook', more: { eventTypes?: string[] | null; description?: string | null } = {}) => endpoints.create({ url, ...more });

  describe('create and get', () => {
    it('creates an enabled endpoint for every type, with a Standard Webhooks secret shown only at creation', async () => {
      const before = new Date();
      const created = await create('http://127.0.0.1:4000/hook?tenant=a');
      expect(created).toEqual({
        id: expect.stringMatching(/^ep_[0-9A-HJKMNP-TV-Z]{26}$/),
        url: 'http://127.0.0.1:4000/hook?tenant=a',
        description: null,
        eventTypes: null,
        enabled: true,
        disabledReason: null,
        failingSince: null,
        createdAt: expect.any(Date),
        updatedAt: expect.any(Date),
        secret: expect.stringMatching(SECRET),
      });
      expect(Buffer.from(created.secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
      expect(created.createdAt.getTime()).toBeGreaterThanOrEqual(before.getTime());
      expect(created.updatedAt).toEqual(created.createdAt);

      const { secret, ...endpoint } = created;
      const read = await endpoints.get(created.id);
      expect(read).toEqual(endpoint);
      expect(read).not.toHaveProperty('secret');
      // Stored sealed (the archive's data key), opened when asked for.
      const stored = (await storedRow(created.id)).secret as string;
      expect(stored).toMatch(/^hb1:[\w-]+:/);
      expect(stored).not.toContain(secret.slice('whsec_'.length));
      expect(keys().open('webhook_endpoint.secret', stored)).toBe(secret);
      expect((await endpoints.secret(created.id)).secret).toBe(secret);
    });

    it('gives each endpoint its own id and secret', async () => {
      const made = await Promise.all([1, 2, 3, 4, 5].map(() => create()));
      expect(new Set(made.map((e) => e.id)).size).toBe(5);
      expect(new Set(made.map((e) => e.secret)).size).toBe(5);
    });

    it('keeps the event types asked for (without repeats) and the description', async () => {
      const created = await create('http://127.0.0.1:4000/hook', {
        eventTypes: [EventType.MeasurementArchived, EventType.AuthorizationRevoked, EventType.MeasurementArchived],
        description: 'Clinic A — measurements',
      });
      expect(await endpoints.get(created.id)).toMatchObject({
        eventTypes: [EventType.MeasurementArchived, EventType.AuthorizationRevoked],
        description: 'Clinic A — measurements',
      });
    });

    it('keeps the URL in the form it will call (host lower-cased, path percent-encoded)', async () => {
      const created = await create('  http://EXAMPLE.test:8080/in box  ');
      expect(created.url).toBe('http://example.test:8080/in%20box');
    });

    it('refuses unknown or no event types, a bad URL and a long description, naming the field, and writes nothing', async () => {
      expect(await invalid(create(undefined, { eventTypes: ['measurement.archived', 'measurement.deleted'] }), 'eventTypes')).toContain('measurement.deleted');
      expect(await invalid(create(undefined, { eventTypes: [] }), 'eventTypes')).toBe('eventTypes must not be empty: omit it for all types');
      expect(await invalid(create('ftp://127.0.0.1/x'), 'url')).toContain('http or https');
      expect(await invalid(create('https://user:secret@127.0.0.1/x'), 'url')).toContain('credentials');
      expect(await invalid(create(undefined, { description: 'x'.repeat(1001) }), 'description')).toContain('1000');
      expect(await rowCount()).toBe(0);
    });

    it('answers WebhookEndpointNotFoundError for an unknown or malformed id', async () => {
      await create();
      for (const id of ['ep_01JAAAAAAAAAAAAAAAAAAAAAAA', 'nope', '', "ep_' OR 1=1 --"]) {
        expect(await failure(endpoints.get(id))).toBeInstanceOf(WebhookEndpointNotFoundError);
        expect(await failure(endpoints.secret(id))).toBeInstanceOf(WebhookEndpointNotFoundError);
        expect(await failure(endpoints.update(id, { enabled: false }))).toBeInstanceOf(WebhookEndpointNotFoundError);
        expect(await failure(endpoints.rotateSecret(id))).toBeInstanceOf(WebhookEndpointNotFoundError);
        expect(await failure(endpoints.remove(id))).toBeInstanceOf(WebhookEndpointNotFoundError);
        expect(await endpoints.signingSecrets(id)).toEqual([]);
      }
      expect(await rowCount()).toBe(1);
    });
  });

  describe('the target policy of the options', () => {
    const withPolicy = (webhooks: DeliveryOptions['webhooks']) => new WebhookEndpointService(harness.module.get(WebhookEndpointStore), { webhooks });

    it('refuses loopback, private and link-local targets unless the options allow them', async () => {
      const strict = withPolicy({ allowPrivateTargets: false });
      for (const url of ['http://127.0.0.1:4000/hook', 'http://localhost/hook', 'http://[::1]/hook', 'http://10.0.0.8/hook', 'http://169.254.169.254/latest']) {
        expect(await invalid(strict.create({ url }), 'url')).toContain('public address');
      }
      expect(await invalid(strict.create({ url: 'http://webhooks.invalid/hook' }), 'url')).toBe("url's host webhooks.invalid does not resolve to an address");
      expect(await rowCount()).toBe(0);
      expect((await strict.create({ url: 'http://93.184.215.14/hook' })).url).toBe('http://93.184.215.14/hook');
    });

    it('refuses http when the options require https, for a new URL and a changed one', async () => {
      const https = withPolicy({ allowPrivateTargets: true, requireHttps: true });
      expect(await invalid(https.create({ url: 'http://127.0.0.1/hook' }), 'url')).toBe('url must be https');
      const created = await https.create({ url: 'https://127.0.0.1/hook' });
      expect(await invalid(https.update(created.id, { url: 'http://127.0.0.1/hook' }), 'url')).toBe('url must be https');
      expect((await endpoints.get(created.id)).url).toBe('https://127.0.0.1/hook');
    });

    it('takes the defaults when no webhook options are given: private targets refused, http allowed', async () => {
      const defaults = withPolicy(undefined);
      expect(await invalid(defaults.create({ url: 'http://192.168.1.10/hook' }), 'url')).toContain('public address');
      await expect(defaults.create({ url: 'http://93.184.215.14/hook' })).resolves.toMatchObject({ enabled: true });
    });
  });

  describe('list', () => {
    it('lists newest first, page by page, also for endpoints made in the same millisecond', async () => {
      const now = new Date('2030-01-01T00:00:00Z');
      const made: WebhookEndpoint[] = [];
      for (let i = 0; i < 7; i++) made.push(await endpoints.create({ url: `http://127.0.0.1:4000/hook/${i}` }, now));
      const newestFirst = made.map((e) => e.id).reverse();

      expect((await endpoints.list()).items.map((e) => e.id)).toEqual(newestFirst);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await endpoints.list({ limit: 3, cursor });
        expect(page.items.length).toBeLessThanOrEqual(3);
        seen.push(...page.items.map((e) => e.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor !== null && pages < 10);
      expect(seen).toEqual(newestFirst);
      expect(pages).toBe(3);
      expect((await endpoints.list()).items[0]).not.toHaveProperty('secret');
    });

    it('goes on after a page whose last endpoint was deleted meanwhile', async () => {
      for (let i = 0; i < 4; i++) await create();
      const first = await endpoints.list({ limit: 2 });
      await endpoints.remove(first.items[1].id);
      const second = await endpoints.list({ limit: 2, cursor: first.nextCursor });
      expect(second.items).toHaveLength(2);
      expect(second.nextCursor).toBeNull();
    });

    it('refuses a cursor it did not give', async () => {
      for (const cursor of ['nope', Buffer.from('id:12').toString('base64url'), 'a'.repeat(65), '%%%']) {
        expect(await failure(endpoints.list({ cursor }))).toBeInstanceOf(InvalidCursorError);
      }
    });
  });

  describe('update', () => {
    it('changes only what is given, and updatedAt', async () => {
      const created = await create('http://127.0.0.1:4000/hook', { eventTypes: [EventType.MeasurementArchived], description: 'first' });
      const later = new Date(created.createdAt.getTime() + 5_000);
      const changed = await endpoints.update(created.id, { url: 'http://127.0.0.1:4001/other' }, later);
      expect(changed).toMatchObject({ url: 'http://127.0.0.1:4001/other', eventTypes: [EventType.MeasurementArchived], description: 'first', enabled: true });
      expect(changed.updatedAt).toEqual(later);
      expect(changed.createdAt).toEqual(created.createdAt);

      expect(await endpoints.update(created.id, { eventTypes: null, description: null })).toMatchObject({ eventTypes: null, description: null, url: 'http://127.0.0.1:4001/other' });
      expect(await endpoints.update(created.id, { eventTypes: [EventType.AuthorizationGranted] })).toMatchObject({ eventTypes: [EventType.AuthorizationGranted] });
      expect(await endpoints.get(created.id)).toMatchObject({ eventTypes: [EventType.AuthorizationGranted], description: null });
    });

    it('changes nothing when a value is refused, nor when nothing is given', async () => {
      const created = await create('http://127.0.0.1:4000/hook', { description: 'kept' });
      const { secret: _secret, ...endpoint } = created;
      expect(await invalid(endpoints.update(created.id, { url: 'http://127.0.0.1:1/ok', eventTypes: ['nope'] }), 'eventTypes')).toContain('nope');
      expect(await invalid(endpoints.update(created.id, { eventTypes: [] }), 'eventTypes')).toBe('eventTypes must not be empty: send null for all types');
      expect(await invalid(endpoints.update(created.id, { url: 'mailto:a@b.c', description: 'changed' }), 'url')).toContain('http or https');
      expect(await endpoints.get(created.id)).toEqual(endpoint);
      expect(await endpoints.update(created.id, {})).toEqual(endpoint);
      expect(await endpoints.get(created.id)).toEqual(endpoint);
    });

    it('turns an endpoint off by hand and on again, forgetting why it was off and its failing streak', async () => {
      const created = await create();
      const failingSince = new Date('2030-01-01T00:00:00Z');
      await endpoints.markFailing(created.id, failingSince);

      const off = await endpoints.update(created.id, { enabled: false });
      expect(off).toMatchObject({ enabled: false, disabledReason: 'manual', failingSince });
      expect((await endpoints.enabledEndpoints()).map((e) => e.id)).not.toContain(created.id);

      const on = await endpoints.update(created.id, { enabled: true });
      expect(on).toMatchObject({ enabled: true, disabledReason: null, failingSince: null });
      expect((await endpoints.enabledEndpoints()).map((e) => e.id)).toContain(created.id);
    });

    it('keeps the failing streak of an endpoint that was on already, and the reason the service turned one off', async () => {
      const created = await create();
      const failingSince = new Date('2030-01-01T00:00:00Z');
      await endpoints.markFailing(created.id, failingSince);
      expect(await endpoints.update(created.id, { enabled: true })).toMatchObject({ enabled: true, failingSince });

      expect(await endpoints.disable(created.id, 'gone', new Date())).toBe(true);
      expect(await endpoints.update(created.id, { enabled: false })).toMatchObject({ enabled: false, disabledReason: 'gone' });
      expect(await endpoints.update(created.id, { enabled: true })).toMatchObject({ enabled: true, disabledReason: null, failingSince: null });
    });
  });

  describe('remove', () => {
    it('deletes the endpoint with its deliveries and their attempts', async () => {
      const created = await create();
      const kept = await create();
      const eventId = await harness.module.get(EventFeed).append(EventType.EndpointDisabled, 'endpoint:test', { endpointId: 'ep_test' });
      const postgres = target.name === 'postgres';
      const p = (n: number) => (postgres ? `$${n}` : '?');
      const now = postgres ? new Date() : new Date().toISOString().replace('T', ' ').slice(0, 23);
      for (const endpoint of [created, kept]) {
        await dataSource.query(
          `INSERT INTO "webhook_delivery" ("endpoint_id", "event_id", "status", "attempts", "created_at", "updated_at") VALUES (${p(1)}, ${p(2)}, 'failed', 1, ${p(3)}, ${p(4)})`,
          [endpoint.id, eventId, now, now],
        );
      }
      const deliveries = await dataSource.query('SELECT "id", "endpoint_id" FROM "webhook_delivery"');
      for (const delivery of deliveries) {
        await dataSource.query(`INSERT INTO "webhook_attempt" ("delivery_id", "attempted_at", "status_code", "duration_ms", "error") VALUES (${p(1)}, ${p(2)}, 500, 12, NULL)`, [delivery.id, now]);
      }

      await endpoints.remove(created.id);
      expect(await failure(endpoints.get(created.id))).toBeInstanceOf(WebhookEndpointNotFoundError);
      expect(await failure(endpoints.remove(created.id))).toBeInstanceOf(WebhookEndpointNotFoundError);
      expect((await dataSource.query('SELECT "endpoint_id" FROM "webhook_delivery"')).map((r: { endpoint_id: string }) => r.endpoint_id)).toEqual([kept.id]);
      expect(await dataSource.query('SELECT COUNT(*) AS "n" FROM "webhook_attempt"')).toEqual([{ n: postgres ? '1' : 1 }]);
      expect(await endpoints.get(kept.id)).toMatchObject({ id: kept.id });
    });
  });

  describe('secrets and their rotation', () => {
    it('signs with the new secret and, until the overlap ends, the old one', async () => {
      const created = await create();
      const rotatedAt = new Date(Date.now() + 1_000);
      const rotated = await endpoints.rotateSecret(created.id, rotatedAt);
      expect(rotated.secret).toMatch(SECRET);
      expect(rotated.secret).not.toBe(created.secret);
      expect(rotated.previousSecretExpiresAt).toEqual(new Date(rotatedAt.getTime() + OVERLAP_MS));

      const during = new Date(rotatedAt.getTime() + OVERLAP_MS - 1);
      expect(await endpoints.signingSecrets(created.id, during)).toEqual([rotated.secret, created.secret]);
      expect(await endpoints.secret(created.id, during)).toEqual({ secret: rotated.secret, previousSecret: created.secret, previousSecretExpiresAt: rotated.previousSecretExpiresAt });

      const after = new Date(rotatedAt.getTime() + OVERLAP_MS);
      expect(await endpoints.signingSecrets(created.id, after)).toEqual([rotated.secret]);
      expect(await endpoints.secret(created.id, after)).toEqual({ secret: rotated.secret, previousSecret: null, previousSecretExpiresAt: null });
      expect(await endpoints.signingSecrets(created.id, new Date(rotatedAt.getTime() - 1))).toEqual([rotated.secret, created.secret]);
    });

    it('keeps both secrets sealed through a rotation, each opening only as a webhook secret', async () => {
      const created = await create();
      const rotated = await endpoints.rotateSecret(created.id);
      const row = await storedRow(created.id);
      for (const [stored, clear] of [
        [row.secret, rotated.secret],
        [row.previous_secret, created.secret],
      ] as const) {
        expect(stored).toMatch(/^hb1:[\w-]+:/);
        expect(keys().open('webhook_endpoint.secret', stored)).toBe(clear);
        // Bound to its purpose: copied into another sealed column, it does not open there.
        expect(() => keys().open('event.data', stored)).toThrow(/does not open/);
      }
    });

    it('still signs with a secret stored in clear before the secrets were sealed (until the migration or re-encryption seals it)', async () => {
      const created = await create();
      const clear = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
      await dataSource.query(target.name === 'postgres' ? 'UPDATE "webhook_endpoint" SET "secret" = $1' : 'UPDATE "webhook_endpoint" SET "secret" = ?', [clear]);
      expect(await endpoints.signingSecrets(created.id)).toEqual([clear]);
    });

    it('signs with one secret before any rotation', async () => {
      const created = await create();
      expect(await endpoints.signingSecrets(created.id)).toEqual([created.secret]);
      expect(await endpoints.secret(created.id)).toEqual({ secret: created.secret, previousSecret: null, previousSecretExpiresAt: null });
    });

    it('keeps only the secret before the current one when rotated again within the overlap', async () => {
      const created = await create();
      const first = await endpoints.rotateSecret(created.id);
      const second = await endpoints.rotateSecret(created.id);
      expect(await endpoints.signingSecrets(created.id)).toEqual([second.secret, first.secret]);
    });

    it('loses no signing secret when two rotations race', async () => {
      const created = await create();
      const [a, b] = await Promise.all([endpoints.rotateSecret(created.id), endpoints.rotateSecret(created.id)]);
      const secrets = await endpoints.signingSecrets(created.id);
      // One rotation came after the other: the later one's secret is current, the earlier one's previous.
      expect([[a.secret, b.secret], [b.secret, a.secret]]).toContainEqual(secrets);
    });

    it('stops signing with the old secret at once when the overlap is zero', async () => {
      const noOverlap = new WebhookEndpointService(harness.module.get(WebhookEndpointStore), { webhooks: { secretOverlapMs: 0, allowPrivateTargets: true } });
      const created = await noOverlap.create({ url: 'http://127.0.0.1/hook' });
      const now = new Date();
      const rotated = await noOverlap.rotateSecret(created.id, now);
      expect(await noOverlap.signingSecrets(created.id, now)).toEqual([rotated.secret]);
    });

    it('changes updatedAt, nothing else the endpoint shows', async () => {
      const created = await create();
      const { secret: _secret, updatedAt: _updatedAt, ...endpoint } = created;
      const at = new Date(created.createdAt.getTime() + 60_000);
      await endpoints.rotateSecret(created.id, at);
      expect(await endpoints.get(created.id)).toEqual({ ...endpoint, updatedAt: at });
    });
  });

  describe('what the dispatcher uses', () => {
    it('gives the enabled endpoints only', async () => {
      const on = await create();
      const off = await create();
      const gone = await create();
      await endpoints.update(off.id, { enabled: false });
      await endpoints.disable(gone.id, 'gone', new Date());
      expect((await endpoints.enabledEndpoints()).map((e) => e.id)).toEqual([on.id]);
    });

    it('answers a list read within maxAgeMs as it was, unless a change was made here since; a change made elsewhere shows after maxAgeMs', async () => {
      const first = await create();
      const fresh = async (maxAgeMs: number) => (await endpoints.enabledEndpoints(maxAgeMs)).map((e) => e.id);
      expect(await fresh(60_000)).toEqual([first.id]);
      // Through this service: seen at once, whatever the age allowed.
      const second = await create();
      expect(await fresh(60_000)).toEqual([first.id, second.id]);
      await endpoints.update(second.id, { enabled: false });
      expect(await fresh(60_000)).toEqual([first.id]);
      await endpoints.disable(first.id, 'gone', new Date());
      expect(await fresh(60_000)).toEqual([]);
      // Behind its back (another replica): the list kept is answered within its age, and read again past it.
      await dataSource.query(target.name === 'postgres' ? 'UPDATE "webhook_endpoint" SET "enabled" = true, "disabled_reason" = NULL' : 'UPDATE "webhook_endpoint" SET "enabled" = 1, "disabled_reason" = NULL');
      expect(await fresh(60_000)).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(await fresh(10)).toEqual([first.id, second.id]);
      // Without an age: always read now.
      await dataSource.query('DELETE FROM "webhook_endpoint"');
      expect(await fresh(0)).toEqual([]);
    });

    it('says none is enabled only from a fresh read that found none, with no change made here since', async () => {
      expect(await endpoints.enabledEndpoints(0)).toEqual([]);
      expect(endpoints.noneEnabled(60_000)).toBe(true);
      // Without an age, or past it, the last read is not believed.
      expect(endpoints.noneEnabled(0)).toBe(false);
      // A change here: at once not known to be none (the dispatcher wakes for the next event).
      const made = await create();
      expect(endpoints.noneEnabled(60_000)).toBe(false);
      expect((await endpoints.enabledEndpoints(60_000)).map((e) => e.id)).toEqual([made.id]);
      expect(endpoints.noneEnabled(60_000)).toBe(false);
      await endpoints.update(made.id, { enabled: false });
      expect(await endpoints.enabledEndpoints(60_000)).toEqual([]);
      expect(endpoints.noneEnabled(60_000)).toBe(true);
      // Enabled behind its back (another replica): the next read finds it.
      await dataSource.query(target.name === 'postgres' ? 'UPDATE "webhook_endpoint" SET "enabled" = true' : 'UPDATE "webhook_endpoint" SET "enabled" = 1');
      expect((await endpoints.enabledEndpoints(0)).map((e) => e.id)).toEqual([made.id]);
      expect(endpoints.noneEnabled(60_000)).toBe(false);
    });

    it('disables once: true for the call that turned it off, false after, and for an endpoint turned off by hand', async () => {
      const created = await create();
      const at = new Date('2030-02-01T00:00:00Z');
      const [first, second] = await Promise.all([endpoints.disable(created.id, 'failing', at), endpoints.disable(created.id, 'failing', at)]);
      expect([first, second].filter(Boolean)).toHaveLength(1);
      expect(await endpoints.get(created.id)).toMatchObject({ enabled: false, disabledReason: 'failing', updatedAt: at });
      expect(await endpoints.disable(created.id, 'gone', at)).toBe(false);
      expect((await endpoints.get(created.id)).disabledReason).toBe('failing');

      const manual = await create();
      await endpoints.update(manual.id, { enabled: false });
      expect(await endpoints.disable(manual.id, 'gone', at)).toBe(false);
      expect((await endpoints.get(manual.id)).disabledReason).toBe('manual');
      expect(await endpoints.disable('ep_01JAAAAAAAAAAAAAAAAAAAAAAA', 'gone', at)).toBe(false);
    });

    it('starts a failing streak once and ends it on success', async () => {
      const created = await create();
      const first = new Date('2030-01-01T00:00:00.123Z');
      await endpoints.markFailing(created.id, first);
      await endpoints.markFailing(created.id, new Date('2030-01-02T00:00:00Z'));
      expect((await endpoints.get(created.id)).failingSince).toEqual(first);
      expect((await endpoints.enabledEndpoints())[0].failingSince).toEqual(first);
      await endpoints.markHealthy(created.id);
      expect((await endpoints.get(created.id)).failingSince).toBeNull();
      const later = new Date('2030-01-03T00:00:00Z');
      await endpoints.markFailing(created.id, later);
      expect((await endpoints.get(created.id)).failingSince).toEqual(later);
      expect((await endpoints.get(created.id)).updatedAt).toEqual(created.updatedAt);
    });

    it('matches an event type against the endpoint’s list, null being every type', () => {
      expect(WebhookEndpointService.matches({ eventTypes: null }, EventType.MeasurementArchived)).toBe(true);
      expect(WebhookEndpointService.matches({ eventTypes: null }, EventType.EndpointDisabled)).toBe(true);
      expect(WebhookEndpointService.matches({ eventTypes: [EventType.AuthorizationGranted] }, EventType.AuthorizationGranted)).toBe(true);
      expect(WebhookEndpointService.matches({ eventTypes: [EventType.AuthorizationGranted] }, EventType.AuthorizationRevoked)).toBe(false);
      expect(WebhookEndpointService.matches({ eventTypes: [] }, EventType.AuthorizationRevoked)).toBe(false);
    });
  });
});
