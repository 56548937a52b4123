import { Webhook } from 'standardwebhooks';
import { EventFeed, EventType, type OutboxEvent } from '@health-bridge/health-archive';
import { testDatabaseTargets, type TestDatabaseTarget } from '@health-bridge/health-archive/testing';
import { closedPort } from '@health-bridge/viatom-sandbox';
import { api, expectProblem, sameDatabaseEnv, startApi, type ApiHarness } from './api-harness';
import { Receiver, waitFor } from './webhook-receiver';

// Webhook delivery end to end: the whole service on a real database, real pushes from the
// Viatom sandbox, and real HTTP receivers started here that answer as each test needs
// (2xx, 500, 410, 429/503 with Retry-After, redirects, resets, silence).


/** An instant as the engine's parameter (SQLite keeps UTC text, compared as text). */
function instantParam(target: TestDatabaseTarget, at: Date): unknown {
  return target.name === 'postgres' ? at : at.toISOString().replace('T', ' ').replace('Z', '');
}

let phoneCounter = 0;
/** A phone no test used yet: its authorization is a new event. */
const newPhone = () => `1530${String(process.pid % 1000).padStart(3, '0')}${String(++phoneCounter).padStart(4, '0')}`;

/** DELIVERY_MAX_IN_FLIGHT_PER_ENDPOINT here: a few, so that a test can offer an endpoint more events than its share. */
const PER_ENDPOINT = 16;

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('webhook delivery on $name', (target) => {
  let h: ApiHarness;
  let feed: EventFeed;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    h = await startApi(target, {
      DELIVERY_RETRY_SCHEDULE: 'PT0S,PT0.2S,PT0.2S',
      DELIVERY_TIMEOUT: 'PT0.5S',
      DELIVERY_MAX_IN_FLIGHT_PER_ENDPOINT: String(PER_ENDPOINT),
    });
    feed = h.app.get(EventFeed);
  });
  afterAll(() => h?.close());
  afterEach(async () => {
    for (const receiver of receivers.splice(0)) await receiver.close();
    // With their deliveries and attempts (cascade): the next test starts without endpoints.
    await h.dataSource.query('DELETE FROM webhook_endpoint');
  });

  const receiver = async () => {
    const r = await new Receiver().listen();
    receivers.push(r);
    return r;
  };
  const createEndpoint = async (url: string, eventTypes?: string[]) => {
    const res = await api(h, 'POST', '/api/v1/webhook-endpoints', { url, ...(eventTypes ? { eventTypes } : {}) });
    expect(res.status).toBe(201);
    return res.body as { id: string; secret: string };
  };
  const authorize = async (phone = newPhone()) => {
    const [record] = await h.sandbox.send.authorized({ phone });
    expect(record.status).toBe(200);
    return phone;
  };
  const measure = async (phone: string) => {
    const [record] = await h.sandbox.send.measurement({ phone });
    expect(record.status).toBe(200);
  };
  const deliveries = async (endpointId: string, query = '') => {
    const res = await api(h, 'GET', `/api/v1/webhook-endpoints/${endpointId}/deliveries${query ? `?${query}` : ''}`);
    expect(res.status).toBe(200);
    return res.body as { items: any[]; nextCursor: string | null };
  };
  const endpoint = async (id: string) => (await api(h, 'GET', `/api/v1/webhook-endpoints/${id}`)).body;
  const event = async (id: string): Promise<OutboxEvent> => {
    const [found] = await feed.find([id]);
    return found;
  };
  /** Every event of this type in the feed. */
  const eventsOfType = async (type: EventType) => {
    const all: OutboxEvent[] = [];
    let after = feed.startCursor();
    for (;;) {
      const page = await feed.read({ after, types: [type], limit: 200 });
      all.push(...page.items);
      if (page.items.length < 200) return all;
      after = page.nextCursor;
    }
  };
  /** Waits until the endpoint's delivery of `eventId` is in this state. */
  const settled = (endpointId: string, status: string, count = 1) =>
    waitFor(`${count} ${status} deliveries to ${endpointId}`, async () => {
      const { items } = await deliveries(endpointId, `status=${status}&limit=200`);
      return items.length >= count ? items : null;
    });

  describe('a delivery a receiver can trust', () => {
    it('is signed per Standard Webhooks, with the event id as webhook-id and the body { type, timestamp, data + sequence }', async () => {
      const r = await receiver();
      const { id, secret } = await createEndpoint(r.url);
      const phone = await authorize();
      await measure(phone);
      await waitFor('two webhooks', () => r.received.length >= 2);

      const webhook = new Webhook(secret);
      for (const got of r.received) {
        expect(got.headers).toMatchObject({
          'content-type': 'application/json',
          'user-agent': 'health-bridge',
          'webhook-id': expect.stringMatching(/^evt_[0-9A-Z]{26}$/),
          'webhook-timestamp': expect.stringMatching(/^\d{10}$/),
          'webhook-signature': expect.stringMatching(/^v1,[A-Za-z0-9+/]+=*$/),
        });
        // Verified as a receiver would, with its own copy of the secret.
        const verified = webhook.verify(got.body, got.headers as Record<string, string>);
        const stored = await event(got.headers['webhook-id'] as string);
        expect(verified).toEqual({ type: stored.type, timestamp: stored.storedAt.toISOString(), data: { ...stored.data, sequence: stored.sequence } });
        expect((verified as any).data).toMatchObject({ phone, sequence: expect.any(Number) });
        expect(Math.abs(Number(got.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
      }
      // The person's events are numbered one after the other: the authorization, then the measurement.
      const sequences = Object.fromEntries(r.bodies().map((b) => [b.type, b.data.sequence]));
      expect(sequences[EventType.MeasurementArchived]).toBe(sequences[EventType.AuthorizationGranted] + 1);
      expect(r.typesInOrder()).toEqual([EventType.AuthorizationGranted, EventType.MeasurementArchived]);
      await settled(id, 'delivered', 2);
    });

    it('is signed with the old and the new secret during a rotation: both verify', async () => {
      const r = await receiver();
      const { id, secret: oldSecret } = await createEndpoint(r.url);
      const rotated = await api(h, 'POST', `/api/v1/webhook-endpoints/${id}/secret/rotate`);
      expect(rotated.status).toBe(200);
      const newSecret = rotated.body.secret as string;
      expect(newSecret).not.toBe(oldSecret);

      await authorize();
      const [got] = await waitFor('a webhook', () => (r.received.length > 0 ? r.received : null));
      const signatures = (got.headers['webhook-signature'] as string).split(' ');
      expect(signatures).toHaveLength(2);
      for (const secret of [newSecret, oldSecret]) expect(() => new Webhook(secret).verify(got.body, got.headers as Record<string, string>)).not.toThrow();
      expect(() => new Webhook(`whsec_${Buffer.alloc(32, 7).toString('base64')}`).verify(got.body, got.headers as Record<string, string>)).toThrow();
    });

    it('goes only to the endpoints that take its type, and existed when it was stored', async () => {
      const everything = await receiver();
      const measurementsOnly = await receiver();
      await createEndpoint(everything.url);
      await createEndpoint(measurementsOnly.url, [EventType.MeasurementArchived]);
      const phone = await authorize();
      await measure(phone);
      await waitFor('both events at the endpoint for every type', () => everything.received.length >= 2);
      await waitFor('the measurement at the measurements endpoint', () => measurementsOnly.received.length >= 1);

      // One created after both events gets neither; it gets the next one.
      const late = await receiver();
      await createEndpoint(late.url);
      await measure(phone);
      await waitFor('the new measurement everywhere', () => everything.received.length >= 3 && measurementsOnly.received.length >= 2 && late.received.length >= 1);
      expect(everything.typesInOrder()).toEqual([EventType.AuthorizationGranted, EventType.MeasurementArchived, EventType.MeasurementArchived]);
      expect(measurementsOnly.typesInOrder()).toEqual([EventType.MeasurementArchived, EventType.MeasurementArchived]);
      expect(late.ids()).toEqual([everything.ids()[2]]);
    });
  });

  describe('retries', () => {
    it('sends again after a 500, on the schedule, with the same webhook-id, until a 2xx', async () => {
      const r = await receiver();
      r.answer = (n, _req, res) => res.writeHead(n === 0 ? 500 : 200).end(n === 0 ? 'try again' : 'ok');
      const { id, secret } = await createEndpoint(r.url);
      await authorize();
      const [delivery] = await settled(id, 'delivered');

      expect(r.received).toHaveLength(2);
      expect(new Set(r.ids()).size).toBe(1);
      expect(r.ids()[0]).toBe(delivery.eventId);
      // Each attempt is signed anew (its own timestamp), and each verifies.
      for (const got of r.received) expect(() => new Webhook(secret).verify(got.body, got.headers as Record<string, string>)).not.toThrow();
      expect(r.received[1].body).toBe(r.received[0].body);
      expect(delivery.attempts.map((a: any) => [a.statusCode, a.error])).toEqual([
        [500, 'HTTP 500'],
        [200, null],
      ]);
      expect(delivery.nextAttemptAt).toBeNull();
    });

    it('fails the delivery once every attempt of the schedule failed (3 here)', async () => {
      const r = await receiver();
      r.answer = (_n, _req, res) => res.writeHead(500).end();
      const { id } = await createEndpoint(r.url);
      await authorize();
      const [delivery] = await settled(id, 'failed');
      expect(delivery.attempts.map((a: any) => a.statusCode)).toEqual([500, 500, 500]);
      expect(delivery.nextAttemptAt).toBeNull();
      expect(r.received).toHaveLength(3);
      // Failing since the first failure; not disabled (far from DELIVERY_DISABLE_AFTER).
      expect(await endpoint(id)).toMatchObject({ enabled: true, failingSince: expect.any(String) });
    });

    it("honours a receiver's Retry-After on 503 (longer than the schedule's 0.2 s)", async () => {
      const r = await receiver();
      r.answer = (n, _req, res) => (n === 0 ? res.writeHead(503, { 'retry-after': '1' }).end() : res.writeHead(200).end());
      const { id } = await createEndpoint(r.url);
      await authorize();
      const [delivery] = await settled(id, 'delivered');
      const [first, second] = delivery.attempts.map((a: any) => Date.parse(a.at));
      expect(delivery.attempts.map((a: any) => a.statusCode)).toEqual([503, 200]);
      expect(second - first).toBeGreaterThanOrEqual(1000);
    });

    it('ends the failing streak with a success', async () => {
      const r = await receiver();
      r.answer = (n, _req, res) => res.writeHead(n < 3 ? 500 : 200).end();
      const { id } = await createEndpoint(r.url);
      await authorize();
      await settled(id, 'failed');
      expect((await endpoint(id)).failingSince).not.toBeNull();
      await authorize();
      await settled(id, 'delivered');
      expect(await endpoint(id)).toMatchObject({ enabled: true, failingSince: null });
    });
  });

  describe('receivers that misbehave', () => {
    it('records a connection refused, and fails after the schedule', async () => {
      const { id } = await createEndpoint(`http://127.0.0.1:${await closedPort()}/hook`);
      await authorize();
      const [delivery] = await settled(id, 'failed');
      expect(delivery.attempts).toHaveLength(3);
      for (const attempt of delivery.attempts) expect(attempt).toEqual({ at: expect.any(String), statusCode: null, durationMs: expect.any(Number), error: 'connection refused' });
    });

    it('records a connection reset before any answer', async () => {
      const r = await receiver();
      r.answer = (_n, req) => req.socket.destroy();
      const { id } = await createEndpoint(r.url);
      await authorize();
      const [delivery] = await settled(id, 'failed');
      expect(r.received).toHaveLength(3);
      for (const attempt of delivery.attempts) expect(attempt).toMatchObject({ statusCode: null, error: expect.stringMatching(/^connection (reset|closed)/) });
    });

    it('does not follow a redirect', async () => {
      const r = await receiver();
      r.answer = (_n, req, res) => (req.url === '/hook' ? res.writeHead(302, { location: '/elsewhere' }).end() : res.writeHead(200).end());
      const { id } = await createEndpoint(r.url);
      await authorize();
      const [delivery] = await settled(id, 'failed');
      expect(r.received.map((got) => got.path)).toEqual(['/hook', '/hook', '/hook']);
      expect(delivery.attempts[0]).toMatchObject({ statusCode: 302, error: expect.stringContaining('redirects are not followed') });
    });

    it('gives up on a receiver that hangs, while another endpoint gets its events at once', async () => {
      const hanging = await receiver();
      hanging.answer = () => undefined;
      const healthy = await receiver();
      const stuck = await createEndpoint(hanging.url);
      const fine = await createEndpoint(healthy.url);
      // More events than the per-endpoint bound: the hanging receiver is offered only its share at a time.
      const n = PER_ENDPOINT + 4;
      for (let i = 0; i < n; i++) await authorize();

      await waitFor('every event at the healthy endpoint', () => healthy.received.length >= n);
      // The hanging receiver still holds requests open: its silence did not hold the others up.
      expect(hanging.open).toBeGreaterThan(0);
      // Received is not yet recorded: the log catches up once each answer is in.
      await settled(fine.id, 'delivered', n);

      const failed = await settled(stuck.id, 'failed', n);
      for (const delivery of failed) {
        expect(delivery.attempts).toHaveLength(3);
        for (const attempt of delivery.attempts) expect(attempt).toMatchObject({ statusCode: null, error: 'no complete answer within 500 ms' });
      }
      expect(hanging.received).toHaveLength(n * 3);
      // It is given its share at a time (DELIVERY_MAX_IN_FLIGHT_PER_ENDPOINT), not all of them.
      expect(hanging.maxOpen).toBeLessThanOrEqual(PER_ENDPOINT);
      expect(hanging.maxOpen).toBeGreaterThan(1);
    });

    it('disables the endpoint at a 410 Gone, and reports endpoint.disabled', async () => {
      const gone = await receiver();
      gone.answer = (_n, _req, res) => res.writeHead(410).end();
      const watcher = await receiver();
      const { id } = await createEndpoint(gone.url);
      await createEndpoint(watcher.url);
      await authorize();

      await waitFor('the endpoint disabled', async () => (await endpoint(id)).enabled === false);
      expect(await endpoint(id)).toMatchObject({ enabled: false, disabledReason: 'gone' });
      const reported = (await eventsOfType(EventType.EndpointDisabled)).filter((e) => e.data.endpointId === id);
      expect(reported).toHaveLength(1);
      expect(reported[0].data).toEqual({ endpointId: id, reason: 'gone', failingSince: null });
      // Delivered as any event, to the endpoints that take it.
      const disabledEvent = () => watcher.bodies().find((b) => b.type === EventType.EndpointDisabled);
      await waitFor('endpoint.disabled at the watcher', disabledEvent);
      expect(disabledEvent()).toMatchObject({ type: EventType.EndpointDisabled, data: { endpointId: id, reason: 'gone', failingSince: null, sequence: 1 } });

      // Nothing more is sent to it (the next event reaches the watcher only), and its delivery waits.
      await authorize();
      await waitFor('the next event at the watcher', () => watcher.bodies().filter((b) => b.type === EventType.AuthorizationGranted).length >= 2);
      const log = await deliveries(id);
      expect(log.items).toHaveLength(1);
      expect(log.items[0].attempts.map((a: any) => a.statusCode)).toEqual([410]);
      expect(log.items[0].status).toBe('pending');
      expect(gone.received).toHaveLength(1);
    });

    it('disables an endpoint that has failed every attempt for DELIVERY_DISABLE_AFTER (5 days)', async () => {
      const r = await receiver();
      r.answer = (_n, _req, res) => res.writeHead(500).end();
      const { id } = await createEndpoint(r.url);
      // Its failing streak began six days ago (as if every attempt since then had failed).
      const since = new Date(Date.now() - 6 * 86_400_000);
      await h.dataSource.query(`UPDATE webhook_endpoint SET failing_since = ${target.name === 'postgres' ? '$1' : '?'} WHERE id = ${target.name === 'postgres' ? '$2' : '?'}`, [
        instantParam(target, since),
        id,
      ]);
      await authorize();
      await waitFor('the endpoint disabled', async () => (await endpoint(id)).enabled === false);
      expect(await endpoint(id)).toMatchObject({ enabled: false, disabledReason: 'failing' });
      const reported = (await eventsOfType(EventType.EndpointDisabled)).filter((e) => e.data.endpointId === id);
      expect(reported.map((e) => e.data)).toEqual([{ endpointId: id, reason: 'failing', failingSince: since.toISOString() }]);
      expect(r.received).toHaveLength(1);
    });

    it('sends again what waited while the endpoint was off, once it is enabled', async () => {
      const r = await receiver();
      r.answer = (n, _req, res) => res.writeHead(n === 0 ? 410 : 200).end();
      // Grants only: subscribed to every type, it could also get its own endpoint.disabled, if the fan-out reaches it after the re-enabling.
      const { id } = await createEndpoint(r.url, ['authorization.granted']);
      await authorize();
      await waitFor('the endpoint disabled', async () => (await endpoint(id)).enabled === false);
      expect((await api(h, 'PATCH', `/api/v1/webhook-endpoints/${id}`, { enabled: true })).status).toBe(200);
      const [delivery] = await settled(id, 'delivered');
      expect(delivery.attempts.map((a: any) => a.statusCode)).toEqual([410, 200]);
      expect(new Set(r.ids()).size).toBe(1);
    });
  });

  describe('the delivery log', () => {
    it("shows each event's attempts, newest first, by page and status, and never a secret", async () => {
      const r = await receiver();
      const { id, secret } = await createEndpoint(r.url);
      // A receiver that fails each event's first attempt, echoing what it got (the signature, the event: a phone) and the secret.
      const seen = new Set<string>();
      r.answer = (n, req, res) => {
        const first = !seen.has(req.headers['webhook-id'] as string);
        seen.add(req.headers['webhook-id'] as string);
        res.writeHead(first ? 500 : 200).end(`${req.headers['webhook-signature']} ${secret} ${r.received[n].body}`);
      };
      const phones: string[] = [];
      for (let i = 0; i < 3; i++) phones.push(await authorize());
      await settled(id, 'delivered', 3);

      const all = await deliveries(id);
      expect(all.items).toHaveLength(3);
      expect(all.nextCursor).toBeNull();
      const ids = all.items.map((d) => d.eventId);
      expect(new Set(ids)).toEqual(new Set(r.ids()));
      // Newest first: in the events' order, reversed.
      const stored = await feed.find(ids);
      expect(ids).toEqual(stored.map((e) => e.id).reverse());
      for (const item of all.items) {
        expect(item).toEqual({
          eventId: expect.stringMatching(/^evt_/),
          eventType: EventType.AuthorizationGranted,
          status: 'delivered',
          attempts: expect.any(Array),
          nextAttemptAt: null,
          createdAt: expect.stringMatching(/Z$/),
        });
        for (const attempt of item.attempts) {
          expect(attempt).toEqual({ at: expect.stringMatching(/Z$/), statusCode: expect.any(Number), durationMs: expect.any(Number), error: attempt.statusCode === 200 ? null : expect.any(String) });
          expect(Date.parse(attempt.at)).toBeGreaterThanOrEqual(Date.parse(item.createdAt));
        }
      }
      // Each event's first attempt failed, by its status alone: what the receiver said is not kept.
      for (const item of all.items) {
        expect(item.attempts.map((a: any) => a.statusCode)).toEqual([500, 200]);
        expect(item.attempts[0].error).toBe('HTTP 500');
      }
      const text = JSON.stringify(all);
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.slice('whsec_'.length));
      for (const phone of phones) expect(text).not.toContain(phone);

      const page1 = await deliveries(id, 'limit=2');
      expect(page1.items.map((d) => d.eventId)).toEqual(ids.slice(0, 2));
      const page2 = await deliveries(id, `limit=2&cursor=${encodeURIComponent(page1.nextCursor as string)}`);
      expect(page2).toEqual({ items: [all.items[2]], nextCursor: null });
      expect((await deliveries(id, 'status=failed')).items).toEqual([]);
      expect((await deliveries(id, 'status=pending')).items).toEqual([]);
    });

    it('shows the next attempt of a pending delivery', async () => {
      const r = await receiver();
      r.answer = () => undefined;
      const { id } = await createEndpoint(r.url);
      await authorize();
      // The attempt is logged a moment before the delivery is rescheduled: wait for both.
      const [pending] = await waitFor('a failed attempt, and the next one scheduled', async () => {
        const { items } = await deliveries(id, 'status=pending');
        return items.length === 1 && items[0].attempts.length === 1 && Date.parse(items[0].nextAttemptAt) > Date.parse(items[0].attempts[0].at) ? items : null;
      });
      // After the attempt's 0.5 s timeout, then the schedule's 0.2 s (at least 0.16 s with jitter).
      expect(pending.attempts[0]).toMatchObject({ statusCode: null, error: 'no complete answer within 500 ms' });
      expect(Date.parse(pending.nextAttemptAt)).toBeGreaterThanOrEqual(Date.parse(pending.attempts[0].at) + 500 + 160);
    });
  });

  describe('sending again', () => {
    it('retries one event now with the same webhook-id, a delivered one too', async () => {
      const r = await receiver();
      r.answer = (_n, _req, res) => res.writeHead(500).end();
      const { id } = await createEndpoint(r.url);
      await authorize();
      const [failed] = await settled(id, 'failed');

      r.answer = (_n, _req, res) => res.writeHead(200).end();
      const retried = await api(h, 'POST', `/api/v1/webhook-endpoints/${id}/deliveries/${failed.eventId}/retry`);
      expect(retried.status).toBe(202);
      expect(retried.body).toMatchObject({ eventId: failed.eventId, status: 'pending', nextAttemptAt: expect.any(String) });
      const [delivered] = await settled(id, 'delivered');
      expect(delivered.attempts.map((a: any) => a.statusCode)).toEqual([500, 500, 500, 200]);

      // Once more, though it was delivered.
      expect((await api(h, 'POST', `/api/v1/webhook-endpoints/${id}/deliveries/${failed.eventId}/retry`)).status).toBe(202);
      await waitFor('the fifth attempt', () => r.received.length >= 5);
      expect(new Set(r.ids())).toEqual(new Set([failed.eventId]));
      await waitFor('delivered again', async () => (await deliveries(id)).items[0].attempts.length === 5 && (await deliveries(id)).items[0].status === 'delivered');
    });

    it('recovers every failed delivery since a time', async () => {
      const r = await receiver();
      r.answer = (_n, _req, res) => res.writeHead(503).end();
      const { id } = await createEndpoint(r.url);
      const before = new Date(Date.now() - 1000).toISOString();
      for (let i = 0; i < 3; i++) await authorize();
      await settled(id, 'failed', 3);

      const none = await api(h, 'POST', `/api/v1/webhook-endpoints/${id}/recover`, { since: new Date(Date.now() + 60_000).toISOString() });
      expect(none.status).toBe(202);
      expect(none.body).toEqual({ queued: 0 });

      r.answer = (_n, _req, res) => res.writeHead(200).end();
      const recovered = await api(h, 'POST', `/api/v1/webhook-endpoints/${id}/recover`, { since: before });
      expect(recovered.status).toBe(202);
      expect(recovered.body).toEqual({ queued: 3 });
      const delivered = await settled(id, 'delivered', 3);
      for (const d of delivered) expect(d.attempts.map((a: any) => a.statusCode)).toEqual([503, 503, 503, 200]);
      expect((await api(h, 'POST', `/api/v1/webhook-endpoints/${id}/recover`, { since: before })).body).toEqual({ queued: 0 });
    });
  });

  describe('bad requests', () => {
    const UNKNOWN_ENDPOINT = 'ep_01JFQ8Z3K4W5X6Y7Z8A9B0C1D2';
    const UNKNOWN_EVENT = 'evt_01JFQ8Z3K4W5X6Y7Z8A9B0C1D3';

    it('answers 404 for an unknown endpoint or a delivery that does not exist', async () => {
      const { id } = await createEndpoint((await receiver()).url);
      for (const [method, path] of [
        ['GET', `/api/v1/webhook-endpoints/${UNKNOWN_ENDPOINT}/deliveries`],
        ['GET', '/api/v1/webhook-endpoints/not-an-id/deliveries'],
        ['POST', `/api/v1/webhook-endpoints/${UNKNOWN_ENDPOINT}/deliveries/${UNKNOWN_EVENT}/retry`],
        ['POST', `/api/v1/webhook-endpoints/${id}/deliveries/${UNKNOWN_EVENT}/retry`],
        ['POST', `/api/v1/webhook-endpoints/${id}/deliveries/not-an-event/retry`],
      ] as const) {
        const res = await api(h, method, path);
        expectProblem(res, 404);
      }
      const res = await api(h, 'POST', `/api/v1/webhook-endpoints/${UNKNOWN_ENDPOINT}/recover`, { since: '2025-01-01T00:00:00Z' });
      expectProblem(res, 404);
      expect(res.body.detail).toBe(`No webhook endpoint has the id ${UNKNOWN_ENDPOINT}.`);
      expect((await api(h, 'POST', `/api/v1/webhook-endpoints/${id}/deliveries/${UNKNOWN_EVENT}/retry`)).body.detail).toBe(
        `The webhook endpoint has no delivery of the event ${UNKNOWN_EVENT}.`,
      );
    });

    it.each([
      ['status=sent', 'status'],
      ['status=', 'status'],
      ['status=failed&status=pending', 'status'],
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['limit=x', 'limit'],
      ['cursor=not*a*cursor', 'cursor'],
      [`cursor=${Buffer.from('ev:1:2').toString('base64url')}`, 'cursor'],
      ['unknown=1', 'unknown'],
    ])('answers 400 naming the field for ?%s', async (query, field) => {
      const { id } = await createEndpoint((await receiver()).url);
      const res = await api(h, 'GET', `/api/v1/webhook-endpoints/${id}/deliveries?${query}`);
      expectProblem(res, 400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it.each([
      [{}, 'since'],
      [{ since: 'yesterday' }, 'since'],
      [{ since: '2025-01-08' }, 'since'],
      [{ since: '2025-01-08T00:00:00' }, 'since'],
      [{ since: '2025-02-30T00:00:00Z' }, 'since'],
      [{ since: 1736294400000 }, 'since'],
      [{ since: '2025-01-08T00:00:00Z', status: 'failed' }, 'status'],
    ])('answers 400 naming the field for recover %j', async (body, field) => {
      const { id } = await createEndpoint((await receiver()).url);
      const res = await api(h, 'POST', `/api/v1/webhook-endpoints/${id}/recover`, body);
      expectProblem(res, 400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('answers 401 without the API key', async () => {
      const { id } = await createEndpoint((await receiver()).url);
      expectProblem(await api(h, 'GET', `/api/v1/webhook-endpoints/${id}/deliveries`, undefined, { 'x-api-key': '' }), 401);
      expectProblem(await api(h, 'POST', `/api/v1/webhook-endpoints/${id}/recover`, { since: '2025-01-08T00:00:00Z' }, { 'x-api-key': 'wrong-key-wrong-key-wrong' }), 401);
    });
  });
});

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('private targets refused at connect time on $name', (target) => {
  // An endpoint saved where private targets are allowed (a replica that does not deliver), then
  // delivered by a replica where they are not: its lookup refuses the loopback address.
  let saving: ApiHarness;
  let delivering: ApiHarness;
  let r: Receiver;

  beforeAll(async () => {
    r = await new Receiver().listen();
    saving = await startApi(target, { DELIVERY_ENABLED: 'false', DELIVERY_RETRY_SCHEDULE: 'PT0S,PT0.1S' });
    delivering = await startApi(target, {
      ...sameDatabaseEnv(saving),
      DELIVERY_ALLOW_PRIVATE_TARGETS: 'false',
      DELIVERY_RETRY_SCHEDULE: 'PT0S,PT0.1S',
    });
  });
  afterAll(async () => {
    await delivering?.close();
    await saving?.close();
    await r?.close();
  });

  it('records the refusal and never connects', async () => {
    const byName = r.url.replace('127.0.0.1', 'localhost');
    const endpoints = [];
    for (const url of [r.url, byName]) {
      const created = await api(saving, 'POST', '/api/v1/webhook-endpoints', { url });
      expect(created.status).toBe(201);
      endpoints.push(created.body.id as string);
    }
    // The replica that refuses private targets refuses to save one, too.
    expectProblem(await api(delivering, 'POST', '/api/v1/webhook-endpoints', { url: r.url }), 400);

    const [record] = await saving.sandbox.send.authorized({ phone: newPhone() });
    expect(record.status).toBe(200);
    for (const [i, id] of endpoints.entries()) {
      const [failed] = await waitFor(`the delivery to endpoint ${i} failed`, async () => {
        const res = await api(delivering, 'GET', `/api/v1/webhook-endpoints/${id}/deliveries?status=failed`);
        return res.body.items.length > 0 ? res.body.items : null;
      });
      expect(failed.attempts).toHaveLength(2);
      for (const attempt of failed.attempts) expect(attempt).toMatchObject({ statusCode: null, error: expect.stringMatching(/^refused: (127\.0\.0\.1|localhost) /) });
    }
    expect(r.received).toEqual([]);
  });
});

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('events stored while no endpoint is enabled on $name', (target) => {
  // The fan-out moves past them on their headers alone; an endpoint made by another replica
  // (which this one's list of endpoints, read up to a second ago, does not know yet) is still seen.
  let delivering: ApiHarness;
  let other: ApiHarness;
  let feed: EventFeed;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    delivering = await startApi(target, { DELIVERY_RETRY_SCHEDULE: 'PT0S,PT0.2S' });
    other = await startApi(target, { ...sameDatabaseEnv(delivering), DELIVERY_ENABLED: 'false' });
    feed = delivering.app.get(EventFeed);
  });
  afterAll(async () => {
    await other?.close();
    await delivering?.close();
  });
  afterEach(async () => {
    for (const receiver of receivers.splice(0)) await receiver.close();
    await delivering.dataSource.query('DELETE FROM webhook_endpoint');
  });

  const receiver = async () => {
    const r = await new Receiver().listen();
    receivers.push(r);
    return r;
  };
  const authorize = async () => {
    const [record] = await delivering.sandbox.send.authorized({ phone: newPhone() });
    expect(record.status).toBe(200);
  };
  /** Waits until the webhook fan-out's cursor is past every event stored so far. */
  const caughtUp = async () => {
    const latest = await feed.latestCursor();
    await waitFor('the fan-out past the newest event', async () => {
      const [row] = await delivering.dataSource.query(`SELECT "position" FROM "outbox_cursor" WHERE "name" = 'webhooks'`);
      return row?.position === latest;
    });
  };

  it('moves past them without a delivery; an endpoint made afterwards gets what comes next only', async () => {
    await authorize();
    await authorize();
    await caughtUp();
    expect(await delivering.dataSource.query('SELECT * FROM webhook_delivery')).toEqual([]);

    const r = await receiver();
    expect((await api(delivering, 'POST', '/api/v1/webhook-endpoints', { url: r.url })).status).toBe(201);
    await authorize();
    await waitFor('the new event delivered', () => r.received.length >= 1);
    await caughtUp();
    expect(r.received).toHaveLength(1);
    expect(JSON.parse(r.received[0].body).type).toBe(EventType.AuthorizationGranted);
  });

  it('delivers to an endpoint another replica made, though this one last read none enabled', async () => {
    await authorize();
    await caughtUp();
    // Made through the other process: the delivering one learns of it only by reading the table.
    const r = await receiver();
    const created = await api(other, 'POST', '/api/v1/webhook-endpoints', { url: r.url });
    expect(created.status).toBe(201);
    for (let i = 0; i < 3; i++) await authorize();
    await waitFor('the three events delivered', () => r.received.length >= 3);
    await caughtUp();
    expect(new Set(r.ids()).size).toBe(3);
    const [{ count }] = await delivering.dataSource.query('SELECT COUNT(*) AS count FROM webhook_delivery');
    expect(Number(count)).toBe(3);
  });
});
