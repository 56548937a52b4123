import { testDatabaseTargets } from '@health-bridge/health-archive/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { testPush } from '@health-bridge/viatom-protocol/testing';
import { api, expectProblem, postPush, startApi, TEST_WEBHOOK_TOKEN, type ApiHarness } from './api-harness';
import { forgetRedisKeys, newRedisPrefix, TEST_REDIS_URL } from './redis-keys';

// The push receiver's rate limits over real HTTP: a push that passes its checks is never
// throttled by default, whatever its address did before; failed push checks are limited per
// address (beyond the limit they are answered 429 until the window passes). X-Forwarded-For (believed from the
// trusted 127.0.0.1 / ::1) gives each test its own source addresses.
// The same on every database with the counters in memory, and with the counters in Redis
// (REDIS_URL, the machine's; a fresh key prefix per app, as memory is fresh per app).

/** A push from this address (X-Forwarded-For, believed from the trusted 127.0.0.1). */
async function post(h: ApiHarness, from: string, { token = TEST_WEBHOOK_TOKEN, body = testPush() as unknown } = {}) {
  const res = await postPush(h, body, { token, headers: { 'x-forwarded-for': from } });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: res.body };
}
const WRONG = 'not-the-webhook-token-0123';
const stored = async (h: ApiHarness) => Number((await h.dataSource.query('SELECT COUNT(*) AS n FROM push_log'))[0].n);
const statuses = async (h: ApiHarness, from: string, times: number, options?: Parameters<typeof post>[2]) => {
  const seen: number[] = [];
  for (let i = 0; i < times; i++) seen.push((await post(h, from, options)).status);
  return seen;
};
const expectBlocked = (res: Awaited<ReturnType<typeof post>>, window: number) => {
  expect(res.status).toBe(429);
  expect(Number(res.retryAfter)).toBeGreaterThan(0);
  expect(Number(res.retryAfter)).toBeLessThanOrEqual(window);
  expect(res.body).toMatchObject({ code: 429, reason: '', data: null });
  expect(res.body.message).toMatch(/failed push checks/);
};

const redisPrefixes: string[] = [];
afterAll(() => forgetRedisKeys(redisPrefixes));

interface Counters {
  name: string;
  target: Parameters<typeof startApi>[0];
  inRedis: boolean;
}
const countersOn: Counters[] = [
  ...testDatabaseTargets(process.env.TEST_DATABASE_URL).map((target) => ({ name: `${target.name}, counters in memory`, target, inRedis: false })),
  // Where the counters live does not depend on the database.
  { name: 'sqlite, counters in Redis', target: { name: 'sqlite' }, inRedis: true },
];

function start(counters: Counters, env: Record<string, string>): Promise<ApiHarness> {
  const prefix = newRedisPrefix();
  if (counters.inRedis) redisPrefixes.push(prefix);
  const storage: Record<string, string> = counters.inRedis ? { REDIS_URL: TEST_REDIS_URL, RATE_LIMIT_REDIS_PREFIX: prefix } : {};
  return startApi(counters.target, { TRUST_PROXY: '127.0.0.1', ...storage, ...env });
}

async function withApi(counters: Counters, env: Record<string, string>, run: (h: ApiHarness) => Promise<void>) {
  const h = await start(counters, env);
  try {
    await run(h);
  } finally {
    await h.close();
  }
}

describe.each(countersOn)('push rate limits on $name', (counters) => {
  describe('by default (RATE_LIMIT_PUSH_MAX unset)', () => {
    let h: ApiHarness;
    beforeAll(async () => {
      // The harness switches both push limits off; unset them again to get the defaults back, but with a small failure limit.
      h = await start(counters, { RATE_LIMIT_PUSH_MAX: '', RATE_LIMIT_PUSH_FAILURES_MAX: '3', RATE_LIMIT_WINDOW_SECONDS: '60' });
    });
    afterAll(() => h?.close());
    beforeEach(() => h.dataSource.query('DELETE FROM push_log'));

    it('never counts a push that passed its checks, however many, and a success resets nothing', async () => {
      expect(h.config.rateLimit.pushMax).toBe(0);
      expect(await statuses(h, '198.51.100.1', 2, { token: WRONG })).toEqual([401, 401]);
      // A catch-up burst, far beyond the failure limit: every push accepted and stored.
      expect(await statuses(h, '198.51.100.1', 30)).toEqual(Array(30).fill(200));
      expect(await stored(h)).toBe(30);
      // The two failures are still counted: the third reaches the limit, the fourth is over it.
      expect((await post(h, '198.51.100.1', { token: WRONG })).status).toBe(401);
      expectBlocked(await post(h, '198.51.100.1', { token: WRONG }), 60);
      expect(await stored(h)).toBe(30);
    });

    it('answers 429 to an address\'s failures beyond the limit, never to its pushes that pass, and only for that address', async () => {
      expect(await statuses(h, '198.51.100.2', 3, { token: WRONG })).toEqual([401, 401, 401]);
      expectBlocked(await post(h, '198.51.100.2', { token: WRONG }), 60);
      expectBlocked(await post(h, '198.51.100.2', { token: 'another-wrong-token-0123' }), 60);
      // The sender with the right token behind the same address (a shared NAT) is not throttled.
      expect((await post(h, '198.51.100.2')).status).toBe(200);
      expect(await stored(h)).toBe(1);
      expectBlocked(await post(h, '198.51.100.2', { token: WRONG }), 60);
      // Another address keeps its own allowance, and its failures are answered 401, not 429.
      expect((await post(h, '198.51.100.3')).status).toBe(200);
      expect(await statuses(h, '198.51.100.3', 2, { token: WRONG })).toEqual([401, 401]);
      expect(await stored(h)).toBe(2);
    });

    it('counts a wrong token as a failure whatever the content, but not a push of invalid content', async () => {
      // 400 (not a JSON object) comes after every check passed: a bad push, not a guess at the token.
      expect(await statuses(h, '198.51.100.4', 10, { body: [] })).toEqual(Array(10).fill(400));
      expect((await post(h, '198.51.100.4')).status).toBe(200);
      // A wrong token with invalid content is refused for the token, and counted.
      expect(await statuses(h, '198.51.100.4', 3, { token: WRONG, body: [] })).toEqual([401, 401, 401]);
      expectBlocked(await post(h, '198.51.100.4', { token: WRONG }), 60);
      expect(await stored(h)).toBe(1);
    });

    it('counts an IPv6 /64 as one source', async () => {
      await withApi(counters, { HOST: '::1', TRUST_PROXY: '::1/128', RATE_LIMIT_PUSH_FAILURES_MAX: '3' }, async (v6) => {
        for (const from of ['2001:db8::1', '2001:db8::2', '2001:db8::3']) expect((await post(v6, from, { token: WRONG })).status).toBe(401);
        expectBlocked(await post(v6, '2001:db8::ffff:4', { token: WRONG }), 60);
        expect((await post(v6, '2001:db8:0:1::1', { token: WRONG })).status).toBe(401);
      });
    });
  });

  it('lifts the block when the window has passed, and counts failures afresh', async () => {
    await withApi(counters, { RATE_LIMIT_PUSH_FAILURES_MAX: '2', RATE_LIMIT_WINDOW_SECONDS: '2' }, async (h) => {
      expect(await statuses(h, '198.51.100.5', 2, { token: WRONG })).toEqual([401, 401]);
      const blocked = await post(h, '198.51.100.5', { token: WRONG });
      expectBlocked(blocked, 2);
      await sleep(Number(blocked.retryAfter) * 1000 + 250);
      // A fresh allowance: failures are refused for themselves again, not for the old ones.
      expect(await statuses(h, '198.51.100.5', 2, { token: WRONG })).toEqual([401, 401]);
      expectBlocked(await post(h, '198.51.100.5', { token: WRONG }), 2);
    });
  });

  it('counts a source address outside WEBHOOK_IP_ALLOWLIST as a failure', async () => {
    await withApi(counters, { WEBHOOK_IP_ALLOWLIST: '203.0.113.0/24', RATE_LIMIT_PUSH_FAILURES_MAX: '2' }, async (h) => {
      expect(await statuses(h, '198.51.100.11', 3)).toEqual([401, 401, 429]);
      expect((await post(h, '203.0.113.5')).status).toBe(200);
      expect(await stored(h)).toBe(1);
    });
  });

  it('counts nothing when no push check is configured', async () => {
    await withApi(counters, { WEBHOOK_TOKEN: '', RATE_LIMIT_PUSH_FAILURES_MAX: '1' }, async (h) => {
      expect(h.config.webhookToken).toBeNull();
      expect(await statuses(h, '198.51.100.6', 5, { token: 'anything' })).toEqual(Array(5).fill(200));
      expect(await statuses(h, '198.51.100.6', 3, { body: [] })).toEqual([400, 400, 400]);
      expect((await post(h, '198.51.100.6')).status).toBe(200);
    });
  });

  it('limits authenticated pushes only when RATE_LIMIT_PUSH_MAX is set, counting only those', async () => {
    await withApi(counters, { RATE_LIMIT_PUSH_MAX: '3', RATE_LIMIT_PUSH_FAILURES_MAX: '10', RATE_LIMIT_WINDOW_SECONDS: '60' }, async (h) => {
      // Failed attempts use none of the authenticated allowance.
      expect(await statuses(h, '198.51.100.7', 5, { token: WRONG })).toEqual(Array(5).fill(401));
      expect(await statuses(h, '198.51.100.7', 3)).toEqual([200, 200, 200]);
      const limited = await post(h, '198.51.100.7');
      expect(limited.status).toBe(429);
      expect(Number(limited.retryAfter)).toBeGreaterThan(0);
      expect(limited.body).toMatchObject({ code: 429, reason: '', data: null, message: expect.stringMatching(/at most 3 per 60 s/) });
      expect(await stored(h)).toBe(3);
      // Authenticated pushes used none of the failure allowance: five more failures before the block.
      expect(await statuses(h, '198.51.100.7', 5, { token: WRONG })).toEqual(Array(5).fill(401));
      expectBlocked(await post(h, '198.51.100.7', { token: WRONG }), 60);
      // Each address has its own allowance.
      expect((await post(h, '198.51.100.8')).status).toBe(200);
      expect(await stored(h)).toBe(4);
    });
  });

  it('keeps the integrator API limit apart from the push limits', async () => {
    await withApi(counters, { RATE_LIMIT_API_MAX: '2', RATE_LIMIT_PUSH_FAILURES_MAX: '2', RATE_LIMIT_WINDOW_SECONDS: '60' }, async (h) => {
      expect(await statuses(h, '198.51.100.9', 2, { token: WRONG })).toEqual([401, 401]);
      expectBlocked(await post(h, '198.51.100.9', { token: WRONG }), 60);
      // A blocked push address and its failures leave the API's budget whole, and the API's limit works as before.
      const headers = { 'x-forwarded-for': '198.51.100.9' };
      expect((await api(h, 'GET', '/api/v1/pushes', undefined, headers)).status).toBe(200);
      expect((await api(h, 'GET', '/api/v1/pushes', undefined, headers)).status).toBe(200);
      expectProblem(await api(h, 'GET', '/api/v1/pushes', undefined, headers), 429);
      // An exhausted API budget does not touch pushes.
      expect((await post(h, '198.51.100.10')).status).toBe(200);
    });
  });
});
