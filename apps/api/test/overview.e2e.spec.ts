import { testDatabaseTargets, type TestDatabaseTarget } from '@health-bridge/health-archive/testing';
import { api, expectProblem, postPush, pushMessage, resetState, startApi, TEST_API_KEY, type ApiHarness } from './api-harness';
import { Receiver, waitFor } from './webhook-receiver';

// The operator console's overview, end to end: real pushes from the Viatom sandbox (their received
// times then moved into chosen minutes in the database), real failures of the sandbox, and real
// webhook receivers answering 200 and 500.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const floorToMinute = (ms: number) => Math.floor(ms / MINUTE) * MINUTE;
const iso = (ms: number) => new Date(ms).toISOString();

let phoneCounter = 0;
/** A phone no test used yet. */
const newPhone = () => `1531${String(process.pid % 1000).padStart(3, '0')}${String(++phoneCounter).padStart(4, '0')}`;

/** The statement with the engine's placeholders, an instant as the engine keeps it (SQLite: UTC text). */
const onEngine = (target: TestDatabaseTarget, sql: string) => (target.name === 'postgres' ? sql.replace(/\?/g, ((n) => () => `$${++n}`)(0)) : sql);
const instantParam = (target: TestDatabaseTarget, ms: number): unknown => (target.name === 'postgres' ? new Date(ms) : iso(ms).replace('T', ' ').replace('Z', ''));

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('GET /api/v1/overview on $name', (target) => {
  let h: ApiHarness;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    h = await startApi(target, {
      DELIVERY_RETRY_SCHEDULE: 'PT0S,PT0.2S',
      DELIVERY_TIMEOUT: 'PT0.5S',
      VIATOM_RETRY_BASE_DELAY_MS: '5',
      VIATOM_RETRY_MAX_DELAY_MS: '20',
      // Two failed calls in a row open the circuit (the last test's).
      VIATOM_BREAKER_THRESHOLD: '2',
      VIATOM_BREAKER_COOLDOWN_MS: '60000',
    });
  });
  afterAll(() => h?.close());
  beforeEach(() => resetState(h));
  afterEach(async () => {
    for (const receiver of receivers.splice(0)) await receiver.close();
    await h.dataSource.query('DELETE FROM webhook_endpoint');
  });

  const overview = async (query = '') => {
    const before = Date.now();
    const res = await api(h, 'GET', `/api/v1/overview${query}`);
    expect(res.status).toBe(200);
    const after = Date.now();
    expect(Date.parse(res.body.to)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(res.body.to)).toBeLessThanOrEqual(after);
    return res.body;
  };
  /** The push log as the API lists it, newest first. */
  const pushes = async (): Promise<Array<{ id: number; type: number | null; outcome: string; receivedAt: string }>> => {
    const res = await api(h, 'GET', '/api/v1/pushes?limit=200');
    expect(res.status).toBe(200);
    return res.body.items;
  };
  const receivedAt = (id: number, ms: number) => h.dataSource.query(onEngine(target, 'UPDATE push_log SET received_at = ? WHERE id = ?'), [instantParam(target, ms), id]);
  const receiver = async (status: number) => {
    const r = await new Receiver().listen();
    r.answer = (_n, _req, res) => res.writeHead(status).end(status === 200 ? 'ok' : 'broken');
    receivers.push(r);
    return r;
  };
  const createEndpoint = async (url: string) => {
    const res = await api(h, 'POST', '/api/v1/webhook-endpoints', { url });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const deliveries = async (endpointId: string, status: string) => {
    const res = await api(h, 'GET', `/api/v1/webhook-endpoints/${endpointId}/deliveries?status=${status}`);
    expect(res.status).toBe(200);
    return res.body.items as any[];
  };

  describe('the pushes', () => {
    it('counts them by minute of receipt, type and outcome over the last hours, a repeat once, the older ones left out', async () => {
      const alice = newPhone();
      const bob = newPhone();
      const carol = newPhone();
      for (const record of [
        ...(await h.sandbox.send.authorized({ phone: alice })), // 2 applied
        ...(await h.sandbox.send.measurement({ phone: alice })), // 1 archived
        ...(await h.sandbox.send.measurement({ phone: alice })), // 1 archived
        ...(await h.sandbox.send.outOfOrder({ phone: bob })), // 3 applied, then the older grant: 2 stale
        ...(await h.sandbox.send.duplicate({ phone: carol })), // 2 applied, sent twice: one push
        ...(await h.sandbox.send.measurement({ phone: alice })), // 1 archived: moved 7 hours back below
      ]) {
        expect(record.status).toBe(200);
      }
      expect((await postPush(h, pushMessage({ type: 9 }))).status).toBe(200); // other ignored
      const logged = (await pushes()).reverse(); // in the order sent
      expect(logged.map((p) => [p.type, p.outcome])).toEqual([
        [2, 'applied'],
        [1, 'archived'],
        [1, 'archived'],
        [3, 'applied'],
        [2, 'stale'],
        [2, 'applied'],
        [1, 'archived'],
        [9, 'ignored'],
      ]);

      // Two minutes half an hour ago, and one push seven hours ago; the last one stays where it was received.
      const first = floorToMinute(Date.now()) - 30 * MINUTE;
      const second = first + MINUTE;
      const moves: Array<[number, number]> = [
        [logged[0].id, first], // the minute's first instant
        [logged[1].id, first + 15_000],
        [logged[2].id, first + 59_999], // its last
        [logged[3].id, second + 1_000],
        [logged[4].id, second + 2_000],
        [logged[5].id, second + 3_000],
        [logged[6].id, Date.now() - 7 * HOUR],
      ];
      for (const [id, at] of moves) await receivedAt(id, at);
      const now = floorToMinute(Date.parse(logged[7].receivedAt));

      const body = await overview();
      expect(body.from).toBe(iso(floorToMinute(Date.parse(body.to) - 6 * HOUR)));
      expect(body.pushes).toEqual([
        { minute: iso(first), type: '1', outcome: 'archived', count: 2 },
        { minute: iso(first), type: '2', outcome: 'applied', count: 1 },
        { minute: iso(second), type: '2', outcome: 'applied', count: 1 },
        { minute: iso(second), type: '2', outcome: 'stale', count: 1 },
        { minute: iso(second), type: '3', outcome: 'applied', count: 1 },
        { minute: iso(now), type: 'other', outcome: 'ignored', count: 1 },
      ]);

      // Eight hours reach the old one; one hour, only the newest.
      const eight = await overview('?hours=8');
      expect(eight.from).toBe(iso(floorToMinute(Date.parse(eight.to) - 8 * HOUR)));
      expect(eight.pushes[0]).toEqual({ minute: iso(floorToMinute(Date.now() - 7 * HOUR)), type: '1', outcome: 'archived', count: 1 });
      expect(eight.pushes.slice(1)).toEqual(body.pushes);
      expect((await overview('?hours=1')).pushes).toEqual(body.pushes);
      await receivedAt(logged[7].id, Date.now() - 2 * HOUR);
      expect((await overview('?hours=1')).pushes).toEqual(body.pushes.slice(0, -1));
      expect((await overview('?hours=72')).pushes).toHaveLength(7);
    });

    it('answers the window with no push, no attempt and nothing waiting', async () => {
      const body = await overview('?hours=1');
      expect(body).toEqual({
        from: iso(floorToMinute(Date.parse(body.to) - HOUR)),
        to: expect.any(String),
        pushes: [],
        viatom: { circuit: 'closed', recentFailures: expect.any(Array) },
        outbox: { pendingDeliveries: 0, failedDeliveries: 0, oldestPendingAt: null },
        deliveries: { succeeded: 0, failed: 0, successRate: null },
      });
    });
  });

  describe('what it refuses', () => {
    it.each(['0', '73', 'abc', '1.5', '-1', '', '0x10', '6&hours=7'])('hours=%s: 400 naming hours', async (hours) => {
      const res = await api(h, 'GET', `/api/v1/overview?hours=${hours}`);
      expectProblem(res, 400);
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'hours' })]));
      expect(res.body.detail).toMatch(/hours must/);
    });

    it('an unknown parameter: 400 naming it', async () => {
      const res = await api(h, 'GET', '/api/v1/overview?minutes=5');
      expectProblem(res, 400);
      expect(res.body.detail).toContain('minutes');
    });

    it('no API key, or a wrong one: 401', async () => {
      const res = await fetch(`${h.url}/api/v1/overview`);
      expectProblem({ status: res.status, headers: res.headers, body: await res.json() }, 401);
      expectProblem(await api(h, 'GET', '/api/v1/overview', undefined, { 'x-api-key': `${TEST_API_KEY}-wrong` }), 401);
    });
  });

  describe('the webhook deliveries', () => {
    it('counts the attempts of the window, 2xx and not, and the deliveries failed and waiting', async () => {
      const failing = await receiver(500);
      const working = await receiver(200);
      const failingId = await createEndpoint(failing.url);
      const workingId = await createEndpoint(working.url);
      await h.sandbox.send.authorized({ phone: newPhone() });
      // The schedule has two attempts: both answered 500, and the delivery is failed; the other endpoint's first is a 200.
      const [failed] = await waitFor('the failed delivery', async () => {
        const items = await deliveries(failingId, 'failed');
        return items.length > 0 ? items : null;
      });
      await waitFor('the delivered one', async () => (await deliveries(workingId, 'delivered')).length > 0);
      expect(failed.attempts.map((a: any) => a.statusCode)).toEqual([500, 500]);

      let body = await overview();
      expect(body.outbox).toEqual({ pendingDeliveries: 0, failedDeliveries: 1, oldestPendingAt: null });
      expect(body.deliveries).toEqual({ succeeded: 1, failed: 2, successRate: 1 / 3 });

      // Sent again while its endpoint is off: pending, waiting since the delivery was made.
      expect((await api(h, 'PATCH', `/api/v1/webhook-endpoints/${failingId}`, { enabled: false })).status).toBe(200);
      expect((await api(h, 'POST', `/api/v1/webhook-endpoints/${failingId}/deliveries/${failed.eventId}/retry`)).status).toBe(202);
      body = await overview();
      expect(body.outbox).toEqual({ pendingDeliveries: 1, failedDeliveries: 0, oldestPendingAt: failed.createdAt });

      // An attempt made before the window is not counted.
      await h.dataSource.query(onEngine(target, 'UPDATE webhook_attempt SET attempted_at = ? WHERE status_code = 200'), [instantParam(target, Date.now() - 7 * HOUR)]);
      expect((await overview()).deliveries).toEqual({ succeeded: 0, failed: 2, successRate: 0 });
      expect((await overview('?hours=8')).deliveries).toEqual({ succeeded: 1, failed: 2, successRate: 1 / 3 });
    });
  });

  // Last: it leaves the circuit open.
  describe('Viatom', () => {
    it('shows the last failed calls, newest first, without a phone or a secret; the circuit; not the calls it did not make', async () => {
      const phone = newPhone();
      const before = Date.now();
      h.sandbox.setFault({ httpStatus: 500, endpoints: ['cancel'], count: 1 });
      expectProblem(await api(h, 'POST', '/api/v1/authorizations/cancel', { phone }), 502);
      h.sandbox.setFault({ dropConnection: true, endpoints: ['jump_path'] });
      expectProblem(await api(h, 'POST', '/api/v1/authorizations/auth-url'), 502);
      // Two failures in a row: the circuit is open, and a call now is not made.
      expectProblem(await api(h, 'POST', '/api/v1/authorizations/auth-url'), 503);
      const after = Date.now();

      const res = await api(h, 'GET', '/api/v1/overview');
      expect(res.status).toBe(200);
      expect(res.body.viatom.circuit).toBe('open');
      const [reset, refused, ...older] = res.body.viatom.recentFailures;
      expect(reset).toEqual({ at: expect.any(String), endpoint: 'jump_path', status: null, error: 'connection-reset', durationMs: expect.any(Number) });
      expect(refused).toEqual({ at: expect.any(String), endpoint: 'cancel', status: 500, error: 'http-status', durationMs: expect.any(Number) });
      expect(older).toEqual([]);
      for (const failure of [reset, refused]) {
        expect(Date.parse(failure.at)).toBeGreaterThanOrEqual(before);
        expect(Date.parse(failure.at)).toBeLessThanOrEqual(after);
        expect(Number.isInteger(failure.durationMs) && failure.durationMs >= 0).toBe(true);
      }
      expect(Date.parse(reset.at)).toBeGreaterThanOrEqual(Date.parse(refused.at));
      // Nothing of what was sent, nor of where or with what: no phone (masked or not), no credential, no URL.
      for (const secret of [phone, '****', h.config.viatom.secret, h.config.viatom.accessToken, h.sandboxUrl, 'http://', '?']) {
        expect(JSON.stringify(res.body.viatom)).not.toContain(secret);
      }
      expect(res.text).not.toContain(phone);
    });
  });
});
