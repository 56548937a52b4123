import { testPush } from '@health-bridge/viatom-protocol/testing';
import { api, postPush, startApi, TEST_API_KEY, TEST_WEBHOOK_TOKEN, type ApiHarness } from './api-harness';

// The logs of a whole flow, captured as the JSON lines pino writes: a request id on every
// request line, and no phone number, secret, token, API key or signature in clear.

const PHONE = '15312341234';
const INTL_PHONE = '+8613912345678';
const SIGNATURE = 'sha256=5f0e1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7';
const BEARER = 'Bearer very-secret-bearer-value';
const COOKIE = 'session=very-secret-cookie-value';

describe('logs of a full flow', () => {
  let h: ApiHarness;
  const lines: string[] = [];
  beforeAll(async () => {
    h = await startApi({ name: 'sqlite' }, { LOG_LEVEL: 'debug' }, { logStream: { write: (line: string) => void lines.push(line) } });
  });
  afterAll(() => h?.close());

  it('are JSON with request ids, and hold no phone number, secret, token, key or signature in clear', async () => {
    const requestId = 'flow-test-request-1';
    const authUrl = await api(h, 'POST', '/api/v1/authorizations/auth-url', undefined, { 'x-request-id': requestId });
    expect(authUrl.status).toBe(200);
    expect(authUrl.headers.get('x-request-id')).toBe(requestId);
    expect((await api(h, 'GET', '/api/v1/authorizations')).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    for (const phone of [PHONE, INTL_PHONE]) {
      const [consent] = await h.sandbox.send.authorized({ phone });
      expect(consent.status).toBe(200);
      const samples = await h.sandbox.send.samples({ phone });
      expect(samples.every((r) => r.status === 200)).toBe(true);
      expect((await api(h, 'GET', `/api/v1/authorizations/${encodeURIComponent(phone)}`)).status).toBe(200);
      expect((await api(h, 'GET', `/api/v1/measurements?phone=${encodeURIComponent(phone)}&limit=5`)).status).toBe(200);
      expect((await api(h, 'GET', `/api/v1/pushes?phone=${encodeURIComponent(phone)}`)).status).toBe(200);
      expect((await api(h, 'POST', '/api/v1/authorizations/cancel', { phone })).status).toBe(200);
      await h.sandbox.settled();
    }
    // Refused calls carry credentials too: a wrong API key, a wrong webhook token, signature, bearer, cookie.
    expect((await api(h, 'GET', `/api/v1/authorizations/${PHONE}`, undefined, { 'x-api-key': 'wrong-key-but-still-secret-123' })).status).toBe(401);
    const refused = await postPush(h, testPush({ phone: PHONE }), {
      token: 'wrong-token-still-secret-456',
      headers: { 'x-signature': SIGNATURE, 'x-hub-signature-256': SIGNATURE, authorization: BEARER, cookie: COOKIE },
    });
    expect(refused.status).toBe(401);
    await h.sandbox.settled();

    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(20);
    const entries = lines.map((line) => JSON.parse(line));
    const requests = entries.filter((e) => e.req && e.res);
    expect(requests.length).toBeGreaterThan(10);
    expect(requests.every((e) => typeof e.req.id === 'string' && e.req.id.length > 0)).toBe(true);
    expect(requests.find((e) => e.req.id === requestId)).toMatchObject({
      level: 30,
      msg: 'request completed',
      req: { method: 'POST', url: '/api/v1/authorizations/auth-url', remoteAddress: '127.0.0.1' },
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
    });
    // A refused call is a warning; no request line carries headers.
    expect(requests.find((e) => e.res.statusCode === 401)).toMatchObject({ level: 40 });
    expect(requests.some((e) => 'headers' in e.req)).toBe(false);
    // The libs' lines name their source.
    expect(entries.find((e) => e.context === 'ViatomClient')).toMatchObject({ level: 30, msg: expect.stringMatching(/^Viatom \/api\/v1\/open\/auth\/jump_path: ok; 1 attempt in \d+ ms$/) });
    // Logged, but masked.
    expect(log).toContain('153****1234');
    expect(log).toContain('+861****5678');
    expect(requests.some((e) => e.req.url === '/api/v1/webhooks/viatom?token=[Redacted]')).toBe(true);
    expect(requests.some((e) => e.req.url === '/api/v1/measurements?phone=[Redacted]&limit=5')).toBe(true);
    expect(requests.some((e) => e.req.url.startsWith('/api/v1/authorizations/153****1234'))).toBe(true);

    for (const secret of [
      PHONE,
      INTL_PHONE.slice(1),
      TEST_API_KEY,
      TEST_WEBHOOK_TOKEN,
      h.config.viatom.secret,
      h.config.viatom.accessToken,
      'wrong-key-but-still-secret-123',
      'wrong-token-still-secret-456',
      SIGNATURE.slice(7),
      'very-secret-bearer-value',
      'very-secret-cookie-value',
    ]) {
      expect({ secret, found: log.includes(secret) }).toEqual({ secret, found: false });
    }
  });
});
