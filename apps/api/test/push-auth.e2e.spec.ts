import { testDatabaseTargets } from '@health-bridge/health-archive/testing';
import { createHmac } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { testPush } from '@health-bridge/viatom-protocol/testing';
import { postPush, startApi, TEST_WEBHOOK_TOKEN, type ApiHarness } from './api-harness';

// Push authenticity over real HTTP: each check alone and combined, pass and fail; a refused push is 401 in Viatom's envelope and stored nowhere.

const SW_SECRET = 'whsec_' + Buffer.from('standard-webhooks-secret-32bytes').toString('base64');
const SW_NEXT_SECRET = 'whsec_' + Buffer.from('the-next-secret-during-rotation!').toString('base64');
const GH_SECRET = "It's a Secret to Everybody";

let sequence = 0;
/** The push as text: what a signature is computed over. */
const message = () => JSON.stringify(testPush());

const now = () => Math.floor(Date.now() / 1000);
function standardSignature(secret: string, id: string, timestamp: number, body: string): string {
  return 'v1,' + createHmac('sha256', Buffer.from(secret.slice(6), 'base64')).update(`${id}.${timestamp}.${body}`).digest('base64');
}
function standardHeaders(body: string, { secret = SW_SECRET, timestamp = now(), id = `msg_${sequence++}` } = {}): Record<string, string> {
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': standardSignature(secret, id, timestamp, body) };
}

/** postPush with the signature headers (and token, null for none) up front: most tests here vary only those. */
const post = (h: ApiHarness, body: string | Buffer, headers: Record<string, string> = {}, token: string | null = TEST_WEBHOOK_TOKEN) => postPush(h, body, { headers, token });
const stored = async (h: ApiHarness) => Number((await h.dataSource.query('SELECT COUNT(*) AS n FROM push_log'))[0].n);
const expectRefused = (res: { status: number; body: any }, reason: RegExp) => {
  expect(res.status).toBe(401);
  expect(res.body).toMatchObject({ code: 401, reason: '', data: null });
  expect(res.body.message).toMatch(reason);
};

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('Standard Webhooks signature on $name', (target) => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi(target, { WEBHOOK_SIGNATURE_SCHEME: 'standard-webhooks', WEBHOOK_SIGNATURE_SECRETS: `${SW_NEXT_SECRET},${SW_SECRET}` });
  });
  afterAll(() => h?.close());
  beforeEach(() => h.dataSource.query('DELETE FROM push_log'));

  it('accepts a push signed with either secret (rotation), together with the token', async () => {
    const body = message();
    expect((await post(h, body, standardHeaders(body))).status).toBe(200);
    const next = message();
    expect((await post(h, next, standardHeaders(next, { secret: SW_NEXT_SECRET }))).status).toBe(200);
    expect(await stored(h)).toBe(2);
  });

  it('still requires the token when a signature is configured too', async () => {
    const body = message();
    expectRefused(await post(h, body, standardHeaders(body), null), /token/);
    expect(await stored(h)).toBe(0);
  });

  it('refuses a wrong secret, a changed byte, the same JSON re-serialised, and stores nothing', async () => {
    const body = message();
    const wrong = 'whsec_' + Buffer.from('not-the-configured-secret-32byte').toString('base64');
    expectRefused(await post(h, body, standardHeaders(body, { secret: wrong })), /does not match/);
    const headers = standardHeaders(body);
    expectRefused(await post(h, body.replace('15312341234', '15312341235'), headers), /does not match/);
    expectRefused(await post(h, JSON.stringify(JSON.parse(body), null, 1), headers), /does not match/);
    expect(await stored(h)).toBe(0);
  });

  it('refuses a missing or malformed header', async () => {
    const body = message();
    const good = standardHeaders(body);
    expectRefused(await post(h, body), /webhook-signature header is missing/);
    expectRefused(await post(h, body, { ...good, 'webhook-signature': good['webhook-signature'].slice(3) }), /malformed/);
    expectRefused(await post(h, body, { ...good, 'webhook-signature': 'v1,%%%' }), /malformed/);
    expectRefused(await post(h, body, { ...good, 'webhook-timestamp': 'soon' }), /webhook-timestamp/);
    const { 'webhook-id': _id, ...noId } = good;
    expectRefused(await post(h, body, noId), /webhook-id/);
    expect(await stored(h)).toBe(0);
  });

  it('refuses an old and a future timestamp', async () => {
    const body = message();
    expectRefused(await post(h, body, standardHeaders(body, { timestamp: now() - 600 })), /too old/);
    expectRefused(await post(h, body, standardHeaders(body, { timestamp: now() + 600 })), /future/);
    expect(await stored(h)).toBe(0);
  });

  it('accepts several signatures where one is valid; refuses a signature of the wrong length', async () => {
    const body = message();
    const good = standardHeaders(body);
    const wrong = 'v1,' + Buffer.alloc(32, 1).toString('base64');
    const short = 'v1,' + Buffer.from(good['webhook-signature'].slice(3), 'base64').subarray(0, 16).toString('base64');
    expectRefused(await post(h, body, { ...good, 'webhook-signature': short }), /does not match/);
    expect(await stored(h)).toBe(0);
    expect((await post(h, body, { ...good, 'webhook-signature': `${wrong} ${good['webhook-signature']}` })).status).toBe(200);
    expect(await stored(h)).toBe(1);
  });
});

describe('plain HMAC header signature (GitHub style), no token', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi(
      { name: 'sqlite' },
      { WEBHOOK_TOKEN: '', WEBHOOK_SIGNATURE_SECRETS: GH_SECRET, WEBHOOK_SIGNATURE_HEADER: 'X-Hub-Signature-256', WEBHOOK_SIGNATURE_PREFIX: 'sha256=' },
    );
  });
  afterAll(() => h?.close());
  const sign = (body: string | Buffer, secret = GH_SECRET) => ({ 'x-hub-signature-256': 'sha256=' + createHmac('sha256', secret).update(body).digest('hex') });

  it('accepts a push signed over its raw bytes (UTF-8 included), refuses others', async () => {
    const body = message().replace('"user_info":{}', '"user_info":{"name":"张三"}');
    expect((await post(h, body, sign(body), null)).status).toBe(200);
    expectRefused(await post(h, body, sign(body, 'It is a Secret to Everybody'), null), /does not match/);
    expectRefused(await post(h, body, { 'x-hub-signature-256': sign(body)['x-hub-signature-256'].slice(0, 41) }, null), /does not match/);
    expectRefused(await post(h, body, {}, null), /missing/);
    expect(await stored(h)).toBe(1);
  });

  it('checks the signature over the bytes as sent, not the decoded text: a gbk body, a byte-order mark, a gzip body', async () => {
    await h.dataSource.query('DELETE FROM push_log');
    const [before, after] = message().split('"user_info":{}');
    // 张三 in GBK: D5C5 C8FD.
    const gbk = Buffer.concat([Buffer.from(`${before}"user_info":{"name":"`), Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]), Buffer.from(`"}${after}`)]);
    const gbkType = { 'content-type': 'application/json; charset=gbk' };
    expect((await post(h, gbk, { ...gbkType, ...sign(gbk) }, null)).status).toBe(200);
    // Signed over the text re-encoded as UTF-8 instead: not what was sent.
    const asUtf8 = Buffer.from(new TextDecoder('gbk').decode(gbk), 'utf8');
    expectRefused(await post(h, gbk, { ...gbkType, ...sign(asUtf8) }, null), /does not match/);

    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(message())]);
    expect((await post(h, withBom, sign(withBom), null)).status).toBe(200);

    const plain = Buffer.from(message());
    expect((await post(h, gzipSync(plain), { 'content-encoding': 'gzip', ...sign(plain) }, null)).status).toBe(200);

    const stored = (await h.dataSource.query('SELECT raw_message FROM push_log ORDER BY id')).map((r: { raw_message: string }) => h.protection.open('push_log.raw_message', r.raw_message));
    expect(stored).toEqual([new TextDecoder('gbk').decode(gbk), withBom.subarray(3).toString('utf8'), plain.toString('utf8')]);
    expect(stored[0]).toContain('张三');
  });
});

describe('IP allowlist', () => {
  const withApi = async (env: Record<string, string>, run: (h: ApiHarness) => Promise<void>) => {
    const h = await startApi({ name: 'sqlite' }, env);
    try {
      await run(h);
    } finally {
      await h.close();
    }
  };

  it('accepts an allowed address (single address and CIDR) and refuses others, IPv4', async () => {
    await withApi({ WEBHOOK_IP_ALLOWLIST: '10.0.0.0/8, 127.0.0.1' }, async (h) => {
      expect((await post(h, message())).status).toBe(200);
    });
    await withApi({ WEBHOOK_IP_ALLOWLIST: '127.0.0.0/30' }, async (h) => {
      expect((await post(h, message())).status).toBe(200);
    });
    await withApi({ WEBHOOK_IP_ALLOWLIST: '203.0.113.0/24' }, async (h) => {
      expectRefused(await post(h, message()), /source address/);
      // Without a trusted proxy, X-Forwarded-For is not believed.
      expectRefused(await post(h, message(), { 'x-forwarded-for': '203.0.113.7' }), /source address/);
      expect(await stored(h)).toBe(0);
    });
  });

  it('believes X-Forwarded-For only from TRUST_PROXY', async () => {
    await withApi({ WEBHOOK_IP_ALLOWLIST: '203.0.113.0/24', TRUST_PROXY: '127.0.0.1' }, async (h) => {
      expect((await post(h, message(), { 'x-forwarded-for': '203.0.113.7' })).status).toBe(200);
      expectRefused(await post(h, message()), /source address/); // the proxy itself is not allowed
      expectRefused(await post(h, message(), { 'x-forwarded-for': '198.51.100.1' }), /source address/);
      // A client cannot prepend an allowed address: the right-most untrusted hop is the client.
      expectRefused(await post(h, message(), { 'x-forwarded-for': '203.0.113.7, 198.51.100.1' }), /source address/);
      expect(await stored(h)).toBe(1);
    });
  });

  it('works over IPv6, with addresses, CIDR ranges and a trusted IPv6 proxy', async () => {
    await withApi({ HOST: '::1', WEBHOOK_IP_ALLOWLIST: '::1' }, async (h) => {
      expect(h.url).toContain('[::1]');
      expect((await post(h, message())).status).toBe(200);
    });
    await withApi({ HOST: '::1', WEBHOOK_IP_ALLOWLIST: '2001:db8::/32' }, async (h) => {
      expectRefused(await post(h, message()), /source address/);
      expectRefused(await post(h, message(), { 'x-forwarded-for': '2001:db8::5' }), /source address/);
    });
    await withApi({ HOST: '::1', WEBHOOK_IP_ALLOWLIST: '2001:db8::/32', TRUST_PROXY: '::1/128' }, async (h) => {
      expect((await post(h, message(), { 'x-forwarded-for': '2001:db8::5' })).status).toBe(200);
      expectRefused(await post(h, message(), { 'x-forwarded-for': '2001:db9::5' }), /source address/);
    });
  });
});

describe('every check at once', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi(
      { name: 'sqlite' },
      { WEBHOOK_IP_ALLOWLIST: '192.0.2.10', TRUST_PROXY: '127.0.0.1', WEBHOOK_SIGNATURE_SCHEME: 'standard-webhooks', WEBHOOK_SIGNATURE_SECRETS: SW_SECRET },
    );
  });
  afterAll(() => h?.close());

  it('needs the address, the token and the signature together', async () => {
    const body = message();
    const from = { 'x-forwarded-for': '192.0.2.10' };
    expectRefused(await post(h, body, { ...standardHeaders(body) }), /source address/);
    expectRefused(await post(h, body, { ...from, ...standardHeaders(body) }, 'wrong-token-wrong-token'), /token/);
    expectRefused(await post(h, body, { ...from }), /signature/);
    expect(await stored(h)).toBe(0);
    expect((await post(h, body, { ...from, ...standardHeaders(body) })).status).toBe(200);
    expect(await stored(h)).toBe(1);
  });
});
