/**
 * Viatom's bad days, through the API: each row of the README's error table, retry counts,
 * the deadline, and the circuit breaker (with /health), against the sandbox's faults over
 * real HTTP. Attempts are counted by the sandbox (`sandbox.calls`), never from durations.
 */
import { closedPort, until, type SandboxFault } from '@health-bridge/viatom-sandbox';
import { api, expectProblem, startApi, type ApiHarness } from './api-harness';

const PHONE = '15312341234';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));


const authUrl = (h: ApiHarness) => api(h, 'POST', '/api/v1/authorizations/auth-url');
const cancel = (h: ApiHarness) => api(h, 'POST', '/api/v1/authorizations/cancel', { phone: PHONE });

function expectRetryAfter(res: { headers: Headers }) {
  const value = res.headers.get('retry-after');
  expect(value).toMatch(/^\d+$/);
  expect(Number(value)).toBeGreaterThanOrEqual(1);
  return Number(value);
}

describe('Viatom failures through the API', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi(
      { name: 'sqlite' },
      {
        VIATOM_RETRY_MAX_ATTEMPTS: '3',
        VIATOM_RETRY_BASE_DELAY_MS: '5',
        VIATOM_RETRY_MAX_DELAY_MS: '20',
        // These tests inject failures one after the other: the breaker has its own suite below.
        VIATOM_BREAKER_THRESHOLD: '1000',
      },
    );
  });
  afterAll(() => h?.close());
  beforeEach(async () => {
    await h.sandbox.settled();
    h.sandbox.reset();
    await h.dataSource.query('DELETE FROM push_log');
    await h.dataSource.query('DELETE FROM user_authorization');
  });

  it('refused (non-zero code): 502 with viatomCode and viatomMessage, not retried', async () => {
    h.sandbox.setFault({ errorCode: 100005, errorMessage: 'service disabled' });
    const res = await authUrl(h);
    expectProblem(res, 502);
    expect(res.body).toMatchObject({ type: '/problems/viatom-refused', viatomCode: 100005, viatomMessage: 'service disabled' });
    expect(h.sandbox.calls).toHaveLength(1);
  });

  it.each([109993, 109994, 109996, 109997])('credentials rejected (%i): 502 saying the credentials are wrong, not retried', async (code) => {
    h.sandbox.setFault({ errorCode: code });
    const res = await authUrl(h);
    expectProblem(res, 502);
    expect(res.body).toMatchObject({ type: '/problems/viatom-credentials-rejected', viatomCode: code });
    expect(res.body.detail).toMatch(/credentials/);
    expect(h.sandbox.calls).toHaveLength(1);
  });

  it('busy (109999) twice, then success: 200 after 3 calls', async () => {
    h.sandbox.setFault({ errorCode: 109999, count: 2 });
    const res = await authUrl(h);
    expect(res.status).toBe(200);
    expect(res.body.jumpPath).toContain('sign=');
    expect(h.sandbox.calls).toHaveLength(3);
  });

  it('busy after the retries: 503 with Retry-After, viatomCode 109999; the cancel changes nothing', async () => {
    await h.sandbox.send.authorized({ phone: PHONE });
    h.sandbox.setFault({ errorCode: 109999, errorMessage: '系统繁忙', endpoints: ['cancel'] });
    const res = await cancel(h);
    expectProblem(res, 503);
    expect(res.body).toMatchObject({ type: '/problems/viatom-busy', viatomCode: 109999, viatomMessage: '系统繁忙' });
    expect(res.body).not.toHaveProperty('retryAfterSeconds');
    expectRetryAfter(res);
    expect(h.sandbox.calls).toHaveLength(3);
    expect((await api(h, 'GET', `/api/v1/authorizations/${PHONE}`)).body.status).toBe('authorized');
  });

  it.each<[string, SandboxFault, RegExp]>([
    ['HTTP 400', { httpStatus: 400 }, /HTTP 400/],
    ['HTTP 404', { httpStatus: 404 }, /HTTP 404/],
    ['HTTP 500', { httpStatus: 500 }, /HTTP 500/],
    ['a non-JSON answer', { nonJson: true }, /not JSON/],
    ['JSON without the envelope', { noEnvelope: true }, /not its usual envelope/],
    ['an answer longer than 1 MiB', { oversized: true }, /more than this service reads \(1 MiB\)/],
  ])('%s: 502 saying which, not retried', async (_name, fault, detail) => {
    h.sandbox.setFault(fault);
    const res = await authUrl(h);
    expectProblem(res, 502);
    expect(res.body.type).toBe('/problems/viatom-bad-answer');
    expect(res.body.detail).toMatch(detail);
    expect(h.sandbox.calls).toHaveLength(1);
  });

  it('connection dropped on every attempt: 502 saying so, after 3 calls', async () => {
    h.sandbox.setFault({ dropConnection: true });
    const res = await authUrl(h);
    expectProblem(res, 502);
    expect(res.body).toMatchObject({ type: '/problems/viatom-bad-answer', detail: expect.stringMatching(/dropped the connection/) });
    expect(h.sandbox.calls).toHaveLength(3);
  });

  it('connection dropped once: the retry answers 200, and a cancel is done once', async () => {
    await h.sandbox.send.authorized({ phone: PHONE });
    h.sandbox.setFault({ dropConnection: true, count: 1, endpoints: ['cancel'] });
    const res = await cancel(h);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'revoked', revokedBy: 'integrator' });
    expect(h.sandbox.calls.map((call) => call.endpoint)).toEqual(['cancel', 'cancel']);
  });

  it('gateway 503 twice, then success: 200 after 3 calls', async () => {
    h.sandbox.setFault({ httpStatus: 503, count: 2 });
    expect((await authUrl(h)).status).toBe(200);
    expect(h.sandbox.calls).toHaveLength(3);
  });
});

describe('Viatom unreachable through the API', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi(
      { name: 'sqlite' },
      { VIATOM_BASE_URL: `http://127.0.0.1:${await closedPort()}`, VIATOM_RETRY_BASE_DELAY_MS: '5', VIATOM_RETRY_MAX_DELAY_MS: '20' },
    );
  });
  afterAll(() => h?.close());

  it('503 with Retry-After, saying the connection was refused', async () => {
    const res = await authUrl(h);
    expectProblem(res, 503);
    expect(res.body).toMatchObject({ type: '/problems/viatom-unavailable', detail: expect.stringMatching(/refused/) });
    expectRetryAfter(res);
  });
});

describe('Viatom deadline through the API', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi(
      { name: 'sqlite' },
      {
        VIATOM_TIMEOUT_MS: '400',
        VIATOM_ATTEMPT_TIMEOUT_MS: '100',
        VIATOM_RETRY_MAX_ATTEMPTS: '10',
        VIATOM_RETRY_BASE_DELAY_MS: '5',
        VIATOM_RETRY_MAX_DELAY_MS: '10',
        VIATOM_BREAKER_THRESHOLD: '1000',
      },
    );
  });
  afterAll(() => h?.close());

  it('hung attempts are retried within the deadline, then 504, and the calls stop', async () => {
    h.sandbox.setFault({ latencyMs: 5_000 });
    const res = await authUrl(h);
    expectProblem(res, 504);
    expect(res.body.type).toBe('/problems/viatom-timeout');
    await sleep(50); // an attempt aborted at the deadline may still be on its way over loopback
    const calls = h.sandbox.calls.length;
    expect(calls).toBeGreaterThan(1);
    expect(calls).toBeLessThan(10);
    await sleep(300);
    expect(h.sandbox.calls).toHaveLength(calls);
  });
});

describe('Viatom circuit breaker through the API', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi(
      { name: 'sqlite' },
      { VIATOM_RETRY_MAX_ATTEMPTS: '1', VIATOM_BREAKER_THRESHOLD: '2', VIATOM_BREAKER_COOLDOWN_MS: '1000' },
    );
  });
  afterAll(() => h?.close());

  const health = () => api(h, 'GET', '/health');

  it('opens after 2 failed calls (/health degraded, still 200), answers 503 at once without calling Viatom, closes after the cool-down', async () => {
    expect((await health()).body).toEqual({ status: 'ok', database: 'up', viatomCircuit: 'closed' });

    h.sandbox.setFault({ dropConnection: true });
    expectProblem(await authUrl(h), 502);
    expectProblem(await authUrl(h), 502);
    expect(h.sandbox.calls).toHaveLength(2);

    const degraded = await health();
    expect(degraded.status).toBe(200);
    expect(degraded.body).toEqual({ status: 'degraded', database: 'up', viatomCircuit: 'open' });

    const fast = await authUrl(h);
    expectProblem(fast, 503);
    expect(fast.body).toMatchObject({ type: '/problems/viatom-unavailable', detail: expect.stringMatching(/circuit open/) });
    expectRetryAfter(fast);
    await h.sandbox.send.authorized({ phone: PHONE });
    expectProblem(await cancel(h), 503);
    expect(h.sandbox.calls).toHaveLength(2);
    expect((await api(h, 'GET', `/api/v1/authorizations/${PHONE}`)).body.status).toBe('authorized');

    h.sandbox.resetFaults();
    await until(async () => (await health()).body.viatomCircuit !== 'open', 'the cool-down is over');
    expect((await health()).body).toMatchObject({ status: 'degraded', viatomCircuit: 'half-open' });
    expect((await authUrl(h)).status).toBe(200);
    expect(h.sandbox.calls).toHaveLength(3);
    expect((await health()).body).toEqual({ status: 'ok', database: 'up', viatomCircuit: 'closed' });
  });
});
