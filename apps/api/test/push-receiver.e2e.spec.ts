import { BadRequestException, Body, Controller, HttpCode, Post } from '@nestjs/common';
import { pushAcknowledgement, validatePush } from '@health-bridge/viatom-protocol';
import { testPush } from '@health-bridge/viatom-protocol/testing';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { PushReceiver } from '../src/webhooks/push-receiver.decorator';
import { api, expectProblem, postPush, PUSH_PATH, startApi, TEST_API_KEY, TEST_WEBHOOK_TOKEN, type ApiHarness, type PushAnswer } from './api-harness';

// A route is Viatom's push receiver because it says so (@PushReceiver()), not because of its
// path: a receiver of its own, mounted under another path beside the real one, answers every
// error in Viatom's envelope (those Fastify and node raise before Nest's pipeline included),
// takes the push checks instead of the API key, and the push rate limits instead of the API's.

const RELOCATED = '/api/v1/partner/inbound/viatom-pushes';
const UNMARKED = '/api/v1/partner/inbound/not-a-receiver';

/** Knows nothing of the real receiver but its decorator; the route beside it is not marked. */
@Controller('partner/inbound')
class RelocatedReceiverController {
  @Post('viatom-pushes')
  @PushReceiver()
  @HttpCode(200)
  receive(@Body() body: unknown) {
    const validation = validatePush(body);
    if (!validation.ok) throw new BadRequestException(`invalid push: ${validation.errors.join('; ')}`);
    return pushAcknowledgement();
  }

  @Post('not-a-receiver')
  @HttpCode(200)
  notAReceiver() {
    return { ok: true };
  }
}

const ACK = { code: 0, message: 'success', reason: '', data: {} };

/** Viatom's envelope with this status and code, never problem+json. */
function expectEnvelope(res: Pick<PushAnswer, 'status' | 'headers' | 'body'>, status: number, code = status === 400 ? 20015 : status): void {
  expect({ status: res.status, contentType: res.headers.get('content-type') }).toEqual({ status, contentType: 'application/json; charset=utf-8' });
  expect(res.body).toEqual({ code, message: expect.any(String), reason: '', data: null });
}

/** Posts the head of a request and part of its body over a bare socket, then nothing: node's answer once REQUEST_TIMEOUT_MS has passed. */
function stalledPost(url: string, path: string): Promise<{ status: number; contentType: string | undefined; body: any }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head, body] = text.split('\r\n\r\n');
      const contentType = /^content-type: (.*)$/im.exec(head)?.[1];
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), contentType, body: body ? JSON.parse(body) : undefined });
    });
    socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 300\r\nConnection: close\r\n\r\n{"type":2,`);
  });
}

describe('a push receiver mounted at another path', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi(
      { name: 'sqlite' },
      {
        BODY_LIMIT_BYTES: '4096',
        // X-Forwarded-For (believed from the trusted 127.0.0.1) gives each test its own address.
        TRUST_PROXY: '127.0.0.1',
        RATE_LIMIT_WINDOW_SECONDS: '60',
        RATE_LIMIT_API_MAX: '2',
        RATE_LIMIT_PUSH_MAX: '5',
        RATE_LIMIT_PUSH_FAILURES_MAX: '2',
        REQUEST_TIMEOUT_MS: '2000',
        HEADERS_TIMEOUT_MS: '1000',
      },
      { controllers: [RelocatedReceiverController] },
    );
  });
  afterAll(() => h?.close());

  const from = (address: string, headers: Record<string, string> = {}) => ({ path: RELOCATED, headers: { 'x-forwarded-for': address, ...headers } });

  it("answers every error in Viatom's envelope: Fastify's before Nest's pipeline (content type, JSON, charset, body limit, decompression) and the route's own", async () => {
    const at = from('198.51.100.1');
    expect(await postPush(h, testPush(), at)).toMatchObject({ status: 200, body: ACK });
    const text = JSON.stringify(testPush());

    // Any label is read as JSON here too (the route's mark, not its path, decides).
    expect(await postPush(h, text, from('198.51.100.1', { 'content-type': 'text/plain' }))).toMatchObject({ status: 200, body: ACK });
    expectEnvelope(await postPush(h, 'type=2&phone=15312341234', from('198.51.100.1', { 'content-type': 'application/x-www-form-urlencoded' })), 400);
    expectEnvelope(await postPush(h, '{"type": 2,', at), 400);
    expectEnvelope(await postPush(h, text, from('198.51.100.1', { 'content-type': 'application/json; charset=klingon' })), 415);
    expectEnvelope(await postPush(h, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), at), 400);
    const tooLarge = await postPush(h, testPush({ user_info: { note: '0'.repeat(5000) } }), at);
    expectEnvelope(tooLarge, 413);
    expect(tooLarge.body.message).toContain('BODY_LIMIT_BYTES');
    expectEnvelope(await postPush(h, gzipSync(`{"type":1,"data":{"blob":"${'0'.repeat(100_000)}"}}`), from('198.51.100.1', { 'content-encoding': 'gzip' })), 413);
    expectEnvelope(await postPush(h, text, from('198.51.100.1', { 'content-encoding': 'zstd' })), 415);
    expectEnvelope(await postPush(h, text, from('198.51.100.1', { 'content-encoding': 'gzip' })), 400);

    const invalid = await postPush(h, { ...testPush(), type: 'two' }, at);
    expectEnvelope(invalid, 400);
    expect(invalid.body.message).toMatch(/^invalid push: .*type/);
  });

  it('takes the push checks, not the API key, and limits their failures as the push receiver does', async () => {
    const at = from('198.51.100.2');
    const wrong = await postPush(h, testPush(), { ...at, token: 'not-the-webhook-token-0123' });
    expectEnvelope(wrong, 401);
    expect(wrong.body.message).toMatch(/token/);
    expectEnvelope(await postPush(h, testPush(), { ...from('198.51.100.2', { 'x-api-key': TEST_API_KEY }), token: null }), 401);
    // RATE_LIMIT_PUSH_FAILURES_MAX is 2: the third failure from the address is answered 429.
    const blocked = await postPush(h, testPush(), { ...at, token: null });
    expectEnvelope(blocked, 429);
    expect(blocked.body.message).toMatch(/failed push checks/);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it("counts against the push limit, not the API's; the route beside it is the API's", async () => {
    // The route beside it takes the API key, and its limit counts a missing key against the address.
    const address = '198.51.100.3';
    const unmarked = () => api(h, 'POST', UNMARKED, undefined, { 'x-api-key': '', 'x-forwarded-for': address });
    expectProblem(await unmarked(), 401);
    expectProblem(await unmarked(), 401);
    expectProblem(await unmarked(), 429);
    // The address's API budget is spent; its pushes have their own (RATE_LIMIT_PUSH_MAX is 5).
    for (let i = 0; i < 5; i++) expect(await postPush(h, testPush(), from(address))).toMatchObject({ status: 200, body: ACK });
    const limited = await postPush(h, testPush(), from(address));
    expectEnvelope(limited, 429);
    expect(limited.body.message).toMatch(/Too many pushes from this address: at most 5 per 60 s/);
  });

  it("answers node's 408 to a push whose body never came in Viatom's envelope, and problem+json on the route beside it", async () => {
    const [onReceiver, beside] = await Promise.all([stalledPost(h.url, `${RELOCATED}?token=${TEST_WEBHOOK_TOKEN}`), stalledPost(h.url, UNMARKED)]);
    expect(onReceiver).toMatchObject({ status: 408, contentType: 'application/json; charset=utf-8', body: { code: 408, reason: '', data: null } });
    expect(onReceiver.body.message).toContain('REQUEST_TIMEOUT_MS');
    expect(beside).toMatchObject({ status: 408, contentType: 'application/problem+json', body: { status: 408, title: 'Request Timeout' } });
  });

  it('answers problem+json to a request no route matched, at its path or the real receiver\'s: it is on no push receiver', async () => {
    for (const path of [RELOCATED, PUSH_PATH]) {
      const res = await api(h, 'GET', path);
      expectProblem(res, 404);
      expect(res.body.detail).toBe(`No route GET ${path}.`);
    }
  });
});
