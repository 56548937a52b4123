import { testDatabaseTargets } from '@health-bridge/health-archive/testing';
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { api, expectProblem, postPush, PUSH_PATH, pushMessage, resetState, startApi, TEST_WEBHOOK_TOKEN, type ApiHarness } from './api-harness';

// The HTTP layer under the routes: bodies decoded and inflated as declared (and refused
// clearly when they cannot be), slow and stalled clients cut off, aborted requests logged as
// what they are, and a 404 that does not echo its query string.

const ACK = { code: 0, message: 'success', reason: '', data: {} };
/** The push receiver's path and token, as a raw request's start line has them. */
const PUSH_TARGET = `${PUSH_PATH}?token=${TEST_WEBHOOK_TOKEN}`;
/** 张三 in GBK (and GB18030). */
const ZHANG_SAN_GBK = Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]);
/** 𠀀 (U+20000), a four-byte GB18030 sequence that GBK does not have. */
const U20000_GB18030 = Buffer.from([0x95, 0x32, 0x82, 0x36]);

/** A push whose `user_info.name` is given as bytes, the rest as ASCII: the body's text once decoded has `name`. */
function pushBytes(nameBytes: Buffer, name: string): { bytes: Buffer; text: string } {
  const [before, after] = JSON.stringify(pushMessage({ user_info: { name: '\u0000' } })).split('\\u0000');
  return { bytes: Buffer.concat([Buffer.from(before), nameBytes, Buffer.from(after)]), text: `${before}${name}${after}` };
}

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('bodies as sent, on $name', (target) => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi(target, { BODY_LIMIT_BYTES: '65536' });
  });
  afterAll(() => h?.close());
  beforeEach(() => resetState(h));

  const pushCount = async () => Number((await h.dataSource.query('SELECT COUNT(*) AS n FROM push_log'))[0].n);
  /** The push log's newest entry, as the API returns it. */
  const lastLogged = async () => (await api(h, 'GET', '/api/v1/pushes?limit=1')).body.items[0];

  it.each([
    ['gbk', ZHANG_SAN_GBK, '张三'],
    ['GB18030', U20000_GB18030, '𠀀'],
    ['gb2312', ZHANG_SAN_GBK, '张三'],
  ])('decodes a body declared as %s, and the push log returns its text', async (charset, bytes, name) => {
    const push = pushBytes(bytes, name);
    const res = await postPush(h, push.bytes, { headers: { 'content-type': `application/json; charset=${charset}` } });
    expect(res).toMatchObject({ status: 200, body: ACK });
    expect(await lastLogged()).toMatchObject({ rawMessage: push.text, message: expect.objectContaining({ user_info: { name } }) });
  });

  it('takes UTF-8 declared the way Java senders do, and UTF-8 by default, a byte-order mark dropped', async () => {
    const push = pushBytes(Buffer.from('张三'), '张三');
    for (const contentType of ['application/json;charset=UTF-8', 'application/json; charset="utf-8"', 'application/json', 'Application/JSON; Charset=utf8']) {
      const res = await postPush(h, push.bytes, { headers: { 'content-type': contentType } });
      expect({ contentType, status: res.status }).toEqual({ contentType, status: 200 });
    }
    const withBom = pushBytes(Buffer.from('李四'), '李四');
    expect((await postPush(h, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), withBom.bytes]))).status).toBe(200);
    expect((await lastLogged()).rawMessage).toBe(withBom.text);
  });

  it('answers 400 for bytes that are not valid in the charset, and stores nothing', async () => {
    const cases: Array<[string, Buffer, RegExp]> = [
      ['application/json', pushBytes(ZHANG_SAN_GBK, '').bytes, /not valid UTF-8: declare its charset/],
      ['application/json; charset=utf-8', pushBytes(Buffer.from([0xff, 0xfe]), '').bytes, /not valid UTF-8/],
      ['application/json; charset=gbk', pushBytes(U20000_GB18030, '').bytes, /not valid gbk/],
      ['application/json; charset=gbk', pushBytes(Buffer.from([0x81, 0x20]), '').bytes, /not valid gbk/],
    ];
    for (const [contentType, bytes, message] of cases) {
      const res = await postPush(h, bytes, { headers: { 'content-type': contentType } });
      expect({ contentType, status: res.status }).toEqual({ contentType, status: 400 });
      expect(res.body).toMatchObject({ code: 20015, message: expect.stringMatching(message), reason: '', data: null });
    }
    expect(await pushCount()).toBe(0);
  });

  it('answers 415 for a charset it cannot read, saying so, on the push receiver and on the API', async () => {
    const body = JSON.stringify(pushMessage());
    const res = await postPush(h, body, { headers: { 'content-type': 'application/json; charset=klingon' } });
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ code: 415, message: expect.stringContaining('charset "klingon" is not one this service reads'), data: null });
    const apiRes = await api(h, 'POST', '/api/v1/authorizations/cancel', '{"phone":"15312341234"}', { 'content-type': 'application/json; charset=x-unknown' });
    expectProblem(apiRes, 415);
    expect(apiRes.body.detail).toContain('charset "x-unknown"');
    // Another content type is a different mistake on the API, and said so.
    const plain = await api(h, 'POST', '/api/v1/authorizations/cancel', '{"phone":"15312341234"}', { 'content-type': 'text/plain' });
    expectProblem(plain, 415);
    expect(plain.body.detail).toBe('The body must be JSON (Content-Type: application/json).');
    expect(await pushCount()).toBe(0);
  });

  it("reads a push as JSON whatever its Content-Type says, or without one, and keeps its text; what is not JSON is a 400 in Viatom's envelope", async () => {
    const sent: string[] = [];
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream', 'application/vnd.viatom+json', 'text/plain; charset=gbk', undefined]) {
      const push = contentType?.includes('gbk') ? pushBytes(ZHANG_SAN_GBK, '张三') : pushBytes(Buffer.from('张三'), '张三');
      const res = await postWithoutJsonLabel(h, push.bytes, contentType);
      expect({ contentType, status: res.status, body: res.body }).toEqual({ contentType, status: 200, body: ACK });
      expect((await lastLogged()).rawMessage).toBe(push.text);
      sent.push(push.text);
    }
    expect(await pushCount()).toBe(sent.length);
    // Compressed, unlabelled.
    const push = pushBytes(Buffer.from('李四'), '李四');
    expect((await postWithoutJsonLabel(h, gzipSync(push.bytes), undefined, { 'content-encoding': 'gzip' })).status).toBe(200);
    expect((await lastLogged()).rawMessage).toBe(push.text);
    // Not JSON, whatever the label.
    for (const contentType of ['application/x-www-form-urlencoded', undefined]) {
      const res = await postWithoutJsonLabel(h, Buffer.from('phone=15312341234&type=2'), contentType);
      expect({ contentType, status: res.status }).toEqual({ contentType, status: 400 });
      expect(res.body).toMatchObject({ code: 20015, reason: '', data: null });
    }
    expect(await pushCount()).toBe(sent.length + 1);
  });

  it('answers 400 naming the field to a REST body nested too deeply or holding text no database keeps, and stores nothing', async () => {
    const deep = `{"phone":${'['.repeat(3000)}${']'.repeat(3000)}}`;
    const cases: Array<[string, string, string, string | RegExp]> = [
      ['POST', '/api/v1/authorizations/cancel', deep, /^phone(\[0\])+$/],
      ['POST', '/api/v1/authorizations/auth-url', `{"language":"zh-CN","x":${'['.repeat(2000)}${']'.repeat(2000)}}`, /^x(\[0\])+$/],
      ['POST', '/api/v1/webhook-endpoints', '{"url":"http://127.0.0.1:9/x","description":"a\\u0000b"}', 'description'],
      ['POST', '/api/v1/webhook-endpoints', '{"url":"http://127.0.0.1:9/x","description":"x\\ud83dy"}', 'description'],
      ['POST', '/api/v1/webhook-endpoints', '{"url":"http://127.0.0.1:9/x","eventTypes":["authorization.granted\\u0000"]}', 'eventTypes[0]'],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await api(h, method, path, body, { 'content-type': 'application/json' });
      expectProblem(res, 400);
      expect({ path, errors: res.body.errors }).toEqual({ path, errors: [{ field: typeof field === 'string' ? field : expect.stringMatching(field), message: expect.stringMatching(/nested too deeply|NUL character|lone surrogate/) }] });
    }
    expect((await api(h, 'GET', '/api/v1/webhook-endpoints')).body.items).toEqual([]);
    // Nesting within the limit is judged by the route's own rules (here: an unknown field).
    const shallow = await api(h, 'POST', '/api/v1/authorizations/cancel', `{"phone":"15312341234","x":${'['.repeat(20)}${']'.repeat(20)}}`, { 'content-type': 'application/json' });
    expectProblem(shallow, 400);
    expect(shallow.body.errors).toEqual([expect.objectContaining({ field: 'x' })]);
  });

  it.each([
    ['gzip', gzipSync],
    ['x-gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
    ['identity', (b: Buffer) => b],
  ])('inflates a body sent with Content-Encoding: %s and keeps its text', async (coding, compress) => {
    const push = pushBytes(Buffer.from('张三'), '张三');
    const res = await postPush(h, compress(push.bytes), { headers: { 'content-encoding': coding } });
    expect(res).toMatchObject({ status: 200, body: ACK });
    expect((await lastLogged()).rawMessage).toBe(push.text);
  });

  it('inflates, then decodes the declared charset', async () => {
    const push = pushBytes(ZHANG_SAN_GBK, '张三');
    const res = await postPush(h, gzipSync(push.bytes), { headers: { 'content-type': 'application/json; charset=gbk', 'content-encoding': 'GZIP' } });
    expect(res.status).toBe(200);
    expect((await lastLogged()).rawMessage).toBe(push.text);
  });

  it('answers 413 for a body that inflates past BODY_LIMIT_BYTES (a zip bomb), stores nothing, and serves on', async () => {
    const bomb = gzipSync(Buffer.from(`{"type":1,"data":{"blob":"${'0'.repeat(20_000_000)}"}}`));
    expect(bomb.length).toBeLessThan(65536); // small as sent: only the inflated size is over the limit
    const res = await postPush(h, bomb, { headers: { 'content-encoding': 'gzip' } });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ code: 413, message: expect.stringContaining('once decompressed, is larger than the configured limit') });
    const justUnder = pushMessage({ user_info: { note: '0'.repeat(60_000) } });
    expect((await postPush(h, gzipSync(JSON.stringify(justUnder)), { headers: { 'content-encoding': 'gzip' } })).status).toBe(200);
    expect(await pushCount()).toBe(1);
  });

  it('answers 415 for an encoding it does not inflate, 400 for a body that is not what its encoding says', async () => {
    const body = JSON.stringify(pushMessage());
    for (const coding of ['compress', 'zstd', 'gzip, gzip']) {
      const res = await postPush(h, body, { headers: { 'content-encoding': coding } });
      expect({ coding, status: res.status }).toEqual({ coding, status: 415 });
      expect(res.body).toMatchObject({ code: 415, message: expect.stringMatching(/Content-Encoding|compressed once/) });
    }
    const notGzip = await postPush(h, body, { headers: { 'content-encoding': 'gzip' } });
    expect(notGzip).toMatchObject({ status: 400, body: { code: 20015, message: 'The body is not valid gzip data (its Content-Encoding).' } });
    const cut = gzipSync(body).subarray(0, 30);
    expect((await postPush(h, cut, { headers: { 'content-encoding': 'gzip' } })).status).toBe(400);
    expect(await pushCount()).toBe(0);
  });
});

/** A push sent with this Content-Type, or with none (fetch would add one), over node's http. */
function postWithoutJsonLabel(h: ApiHarness, body: Buffer, contentType: string | undefined, extra: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { 'content-length': body.length, ...extra };
    if (contentType !== undefined) headers['content-type'] = contentType;
    const req = httpRequest(`${h.url}${PUSH_TARGET}`, { method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** One HTTP exchange over a bare socket, for what fetch will not do: stall, trickle, abort. */
class RawClient {
  private readonly sockets = new Set<Socket>();

  constructor(private readonly url: string) {}

  /** Connects; `received` resolves with everything the server sent once it closes the connection. */
  open(): { socket: Socket; received: Promise<string> } {
    const { port, hostname } = new URL(this.url);
    const socket = connect(Number(port), hostname);
    this.sockets.add(socket);
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    const received = new Promise<string>((resolve) => socket.on('close', () => resolve(text)));
    socket.on('error', () => undefined);
    return { socket, received };
  }

  closeAll(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }
}

function parseAnswer(text: string): { status: number; headers: Record<string, string>; body: any } {
  const [head, ...rest] = text.split('\r\n\r\n');
  const [statusLine, ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  const body = rest.join('\r\n\r\n');
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1]), headers, body: body ? JSON.parse(body) : undefined };
}

function requestHead(path: string, bodyLength: number, extra = ''): string {
  return `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${bodyLength}\r\nConnection: close\r\n${extra}\r\n`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The transport is cut before any query runs: one engine is enough.
describe('slow, stalled and aborted clients', () => {
  let h: ApiHarness;
  let client: RawClient;
  const lines: Array<Record<string, any>> = [];
  beforeAll(async () => {
    h = await startApi(
      { name: 'sqlite' },
      { LOG_LEVEL: 'info', REQUEST_TIMEOUT_MS: '2000', HEADERS_TIMEOUT_MS: '1000', KEEP_ALIVE_TIMEOUT_MS: '65000' },
      { logStream: { write: (line: string) => void lines.push(JSON.parse(line)) } },
    );
    client = new RawClient(h.url);
  });
  afterEach(() => client.closeAll());
  afterAll(() => h?.close());
  beforeEach(async () => {
    await resetState(h);
    lines.length = 0;
  });

  const pushCount = async () => Number((await h.dataSource.query('SELECT COUNT(*) AS n FROM push_log'))[0].n);
  /** Waits (up to 5 s) for a log line; a line that never comes fails the test with what was logged. */
  async function logLine(predicate: (line: Record<string, any>) => boolean): Promise<Record<string, any>> {
    for (let waited = 0; waited < 5000; waited += 20) {
      const found = lines.find(predicate);
      if (found) return found;
      await sleep(20);
    }
    throw new Error(`no such log line among ${JSON.stringify(lines)}`);
  }
  const stillServes = async () => {
    expect((await api(h, 'GET', '/health')).status).toBe(200);
    const res = await postPush(h, pushMessage());
    expect(res).toMatchObject({ status: 200, body: ACK });
  };

  it("answers 408 in Viatom's envelope to a push whose body does not come, logs it as timed out, and serves on", async () => {
    const { socket, received } = client.open();
    socket.write(requestHead(PUSH_TARGET, 300) + '{"type":2,');
    const answer = parseAnswer(await received);
    expect(answer.status).toBe(408);
    expect(answer.headers).toMatchObject({ connection: 'close', 'content-type': 'application/json; charset=utf-8' });
    expect(answer.body).toMatchObject({ code: 408, message: expect.stringContaining('REQUEST_TIMEOUT_MS'), data: null });
    expect(await logLine((l) => l.msg?.startsWith('request timed out'))).toMatchObject({
      level: 40,
      req: { method: 'POST', url: '/api/v1/webhooks/viatom?token=[Redacted]' },
      res: { statusCode: 408 },
    });
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    expect(await pushCount()).toBe(0);
    await stillServes();
  });

  it("answers what node cannot parse (headers too large, an unknown method) in Viatom's envelope on the push receiver, problem+json elsewhere", async () => {
    const cases: Array<[string, string, number, string]> = [
      [`POST ${PUSH_TARGET} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 'push', 431, 'application/json; charset=utf-8'],
      [`FOO ${PUSH_TARGET} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`, 'push', 400, 'application/json; charset=utf-8'],
      [`POST /api/v1/authorizations/cancel HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 'api', 431, 'application/problem+json'],
      ['FOO /api/v1/authorizations/cancel HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 'api', 400, 'application/problem+json'],
    ];
    for (const [request, to, status, type] of cases) {
      const { socket, received } = client.open();
      socket.write(request);
      const answer = parseAnswer(await received);
      expect({ to, status: answer.status, type: answer.headers['content-type'] }).toEqual({ to, status, type });
      if (to === 'push') expect(answer.body).toMatchObject({ code: status === 400 ? 20015 : status, reason: '', data: null });
      else expect(answer.body).toMatchObject({ status });
    }
    await stillServes();
  });

  it('answers 408 (problem+json) to a connection that sends no complete headers, or nothing at all', async () => {
    const silent = client.open();
    const partial = client.open();
    partial.socket.write('POST /api/v1/authorizations/cancel HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    for (const { received } of [silent, partial]) {
      const answer = parseAnswer(await received);
      expect(answer.status).toBe(408);
      expect(answer.headers['content-type']).toBe('application/problem+json');
      expect(answer.body).toMatchObject({ status: 408, title: 'Request Timeout', detail: expect.stringContaining('HEADERS_TIMEOUT_MS') });
    }
    expect(await logLine((l) => l.msg?.startsWith('connection closed'))).toMatchObject({ level: 30, res: { statusCode: 408 } });
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    await stillServes();
  });

  it('takes a body that arrives slowly but within REQUEST_TIMEOUT_MS', async () => {
    const body = JSON.stringify(pushMessage());
    const { socket, received } = client.open();
    socket.write(requestHead(PUSH_TARGET, Buffer.byteLength(body)));
    const pieces = 5;
    for (let i = 0; i < pieces; i++) {
      await sleep(150);
      socket.write(body.slice((i * body.length) / pieces, ((i + 1) * body.length) / pieces));
    }
    expect(parseAnswer(await received)).toMatchObject({ status: 200, body: ACK });
    expect(await pushCount()).toBe(1);
  });

  it('logs a request aborted mid-body at info, not as a database failure, and serves on', async () => {
    const { socket, received } = client.open();
    socket.write(requestHead(PUSH_TARGET, 300) + '{"type":2,"data":{"phone":"153');
    await sleep(200); // the server has read the headers and is waiting for the rest
    socket.destroy();
    await received;
    expect(await logLine((l) => l.msg === 'request aborted by the client')).toMatchObject({
      level: 30,
      req: { method: 'POST', url: '/api/v1/webhooks/viatom?token=[Redacted]', remoteAddress: '127.0.0.1' },
    });
    await sleep(100); // anything else the abort would log
    expect(lines.filter((l) => l.level >= 40)).toEqual([]);
    expect(JSON.stringify(lines)).not.toMatch(/Database unavailable|503/);
    expect(await pushCount()).toBe(0);
    await stillServes();
  });

  it('logs a compressed body aborted mid-way the same way', async () => {
    const gzipped = gzipSync(JSON.stringify(pushMessage()));
    const { socket, received } = client.open();
    socket.write(requestHead(PUSH_TARGET, gzipped.length, 'Content-Encoding: gzip\r\n'));
    socket.write(gzipped.subarray(0, 20));
    await sleep(200);
    socket.destroy();
    await received;
    expect(await logLine((l) => l.msg === 'request aborted by the client')).toMatchObject({ level: 30 });
    await sleep(100);
    expect(lines.filter((l) => l.level >= 40)).toEqual([]);
    await stillServes();
  });

  it('answers 400 to a body that stops being HTTP mid-way (a broken chunk), and logs it as cut off', async () => {
    const { socket, received } = client.open();
    socket.write(`POST ${PUSH_TARGET} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"typ\r\n`);
    await sleep(100);
    socket.write('not-a-chunk-size\r\n');
    const answer = parseAnswer(await received);
    expect(answer).toMatchObject({ status: 400, body: { code: 20015, message: 'The request is not valid HTTP.' } });
    expect(await logLine((l) => l.msg?.startsWith('request cut off'))).toMatchObject({ level: 40, res: { statusCode: 400 } });
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    await stillServes();
  });

  it('keeps idle connections open for KEEP_ALIVE_TIMEOUT_MS, and says so', async () => {
    const { socket, received } = client.open();
    socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await sleep(100);
    socket.destroy();
    const answer = parseAnswer(await received);
    expect(answer.status).toBe(200);
    expect(answer.headers['keep-alive']).toBe('timeout=65');
  });
});

describe('an unknown route', () => {
  let h: ApiHarness;
  const lines: string[] = [];
  beforeAll(async () => {
    h = await startApi({ name: 'sqlite' }, { LOG_LEVEL: 'info' }, { logStream: { write: (line: string) => void lines.push(line) } });
  });
  afterAll(() => h?.close());

  it('answers 404 naming the method and path, never the query string, in the answer or the log', async () => {
    const res = await api(h, 'GET', '/api/v1/nope?token=secret123456789');
    expectProblem(res, 404);
    expect(res.body.detail).toBe('No route GET /api/v1/nope.');
    const outside = await api(h, 'POST', '/nope/deeper?access-token=secret123456789', {});
    expectProblem(outside, 404);
    expect(outside.body.detail).toBe('No route POST /nope/deeper.');
    for (const text of [res.text, outside.text, lines.join('')]) expect(text).not.toContain('secret123456789');
    expect(lines.map((line) => JSON.parse(line)).filter((l) => l.res?.statusCode === 404).map((l) => l.req.url)).toEqual([
      '/api/v1/nope?token=[Redacted]',
      '/nope/deeper?access-token=[Redacted]',
    ]);
  });

  it("answers a path the router cannot read (a bad escape, a parameter over 100 characters) as the API answers, never echoing it", async () => {
    const long = '15312341234'.repeat(10);
    const cases: Array<[string, number, string]> = [
      ['/api/v1/authorizations/%FF', 400, 'application/problem+json'],
      ['/api/v1/authorizations/%ED%A0%80', 400, 'application/problem+json'],
      [`/api/v1/authorizations/${long}`, 414, 'application/problem+json'],
      [`/api/v1/people/${long}/export`, 414, 'application/problem+json'],
      [`/fhir/Patient/${'a'.repeat(200)}`, 414, 'application/fhir+json'],
      ['/fhir/Patient/%FF', 400, 'application/fhir+json'],
    ];
    for (const [path, status, type] of cases) {
      const res = await api(h, 'GET', path);
      expect({ path, status: res.status, type: res.headers.get('content-type') }).toEqual({ path, status, type: expect.stringContaining(type) });
      if (type === 'application/problem+json') expectProblem(res, status);
      else expect(res.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid' }] });
      // The API's headers, its request id, and nothing of the path.
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(res.headers.get('x-request-id')).toEqual(expect.any(String));
      expect(res.text).not.toContain('15312341234');
      expect(res.text).not.toContain('%FF');
    }
    // One log line each, the path masked and cut.
    const logged = lines.map((line) => JSON.parse(line)).filter((l) => [400, 414].includes(l.res?.statusCode));
    expect(logged.map((l) => [l.res.statusCode, l.req.url])).toEqual([
      [400, '/api/v1/authorizations/%FF'],
      [400, '/api/v1/authorizations/%ED%A0%80'],
      [414, '/api/v1/authorizations/[110 characters]'],
      [414, '/api/v1/people/[110 characters]/export'],
      [414, '/fhir/Patient/[200 characters]'],
      [400, '/fhir/Patient/%FF'],
    ]);
    expect(lines.join('')).not.toContain('15312341234');
  });
});
