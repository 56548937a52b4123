/**
 * The client's HTTP: one exchange against a server whose answers each test chooses (what the
 * sandbox cannot do: a body cut or stalled half-way, an endless answer, a redirect, TLS), the
 * egress proxy (a real forward proxy), the agents, the axios hook, and the client outside Nest.
 * Viatom's own faults are tested against the sandbox, in the other specs.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent, createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { ViatomEndpoint, ViatomHeader } from '@health-bridge/viatom-protocol';
import { closedPort, failure, until } from '@health-bridge/viatom-sandbox';
import { createViatomClient, ViatomApiError, ViatomClient, ViatomClientModule, ViatomTransportError, type ViatomTransportFailure } from '../src';
import { useClientHarness } from './client-harness';
import { startForwardProxy, type ForwardProxy } from './forward-proxy';

const SECRET = 'transport-spec-secret-5b7e';
const ACCESS_TOKEN = 'transport-spec-access-token-2d9a';
const PROXY_USER = 'egress user';
const PROXY_PASSWORD = 'p@ss:w0rd/…';
const PROXY_AUTHORIZATION = `Basic ${Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64')}`;
/** A self-signed certificate for 127.0.0.1 and localhost (test only): an https Viatom with a private CA. */
const TLS = {
  cert: readFileSync(join(__dirname, 'fixtures/test-origin.cert.pem')),
  key: readFileSync(join(__dirname, 'fixtures/test-origin.key.pem')),
};
const JUMP_PATH = 'https://viatom.example/auth/#/?sign=ab+/cd==';
const SUCCESS = JSON.stringify({ code: 0, message: 'success', reason: '', data: { jump_path: JUMP_PATH } });

const harness = useClientHarness({
  secret: SECRET,
  accessToken: ACCESS_TOKEN,
  neverLogged: [PROXY_PASSWORD, encodeURIComponent(PROXY_PASSWORD), PROXY_AUTHORIZATION],
});

interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
  /** The client's end of the connection: the same port for a reused connection. */
  clientPort: number;
}

interface Origin {
  /** `http://127.0.0.1:port`, or `https://…` with TLS. */
  url: string;
  received: Received[];
  openConnections(): number;
}

type Answer = (request: IncomingMessage, response: ServerResponse) => void;

const servers: { close(): Promise<void> }[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

/** A local server standing in for Viatom, answering as the test says; closed after the test. */
async function startOrigin(answer: Answer, tls = false): Promise<Origin> {
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ url: request.url ?? '', headers: request.headers, rawHeaders: request.rawHeaders, body: Buffer.concat(chunks), clientPort: request.socket.remotePort ?? 0 });
      answer(request, response);
    });
  };
  const server: Server = tls ? createHttpsServer(TLS, handle) : createHttpServer(handle);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  });
  const { port } = server.address() as AddressInfo;
  return { url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`, received, openConnections: () => sockets.size };
}

async function startProxy(credentials = { username: PROXY_USER, password: PROXY_PASSWORD }): Promise<ForwardProxy> {
  const proxy = await startForwardProxy(credentials);
  servers.push(proxy);
  return proxy;
}

const succeed: Answer = (_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(SUCCESS);

async function expectTransport(promise: Promise<unknown>, kind: ViatomTransportFailure, status?: number): Promise<ViatomTransportError> {
  const error = await failure(promise);
  expect(error).toBeInstanceOf(ViatomTransportError);
  expect(error).toMatchObject({ kind, status });
  harness.expectNoCredentials(error);
  for (const secret of [PROXY_PASSWORD, PROXY_AUTHORIZATION]) expect(JSON.stringify({ ...error, message: error.message })).not.toContain(secret);
  return error;
}

describe('one exchange', () => {
  it('sends the body as UTF-8 JSON with its length, and the headers; reads any status with its whole body', async () => {
    const origin = await startOrigin((_request, response) =>
      response.writeHead(418, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 100005, message: '短い answer', reason: 'r', data: null })),
    );
    const client = await harness.client({ baseUrl: origin.url });
    const phone = '１５３１２３４１２３４'; // full-width digits: three bytes each in UTF-8

    const error = await failure(client.cancelAuthorization(phone));

    expect(error).toBeInstanceOf(ViatomApiError);
    expect(error).toMatchObject({ code: 100005, viatomMessage: '短い answer' });
    const [request] = origin.received;
    const sent = JSON.stringify({ phone });
    expect(request.url).toBe(ViatomEndpoint.AuthCancel);
    expect(request.body.toString('utf8')).toBe(sent);
    expect(request.headers).toMatchObject({
      'content-length': String(Buffer.byteLength(sent)),
      [ViatomHeader.Secret]: SECRET,
      [ViatomHeader.AccessToken]: ACCESS_TOKEN,
      [ViatomHeader.Language]: 'zh-CN',
    });
    expect(request.headers['content-type']).toMatch(/^application\/json/);
  });

  it('refuses an answer longer than 1 MiB as it arrives, without reading the rest, and does not retry', async () => {
    const total = 64 * 1024 * 1024;
    let written = 0;
    let finished = false;
    const origin = await startOrigin((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, ' ');
      const pump = () => {
        while (written < total) {
          written += chunk.length;
          if (!response.write(chunk)) {
            response.once('drain', pump);
            return;
          }
        }
        finished = true;
        response.end();
      };
      pump();
    });
    const client = await harness.client({ baseUrl: origin.url });

    const error = await expectTransport(client.getAuthorizationUrl(), 'answer-too-large');

    expect(error.message).toContain('longer than 1048576 bytes');
    expect(finished).toBe(false);
    expect(written).toBeLessThan(total);
    expect(origin.received).toHaveLength(1);
  });

  it('a connection dropped in the middle of the answer is connection-reset, and is retried', async () => {
    const origin = await startOrigin((_request, response) => {
      response.writeHead(200, { 'content-length': '100' });
      response.write('{"code":0,');
      setTimeout(() => response.socket?.destroy(), 20);
    });
    const client = await harness.client({ baseUrl: origin.url });

    const error = await expectTransport(client.getAuthorizationUrl(), 'connection-reset');

    expect(error.attempts).toBe(3);
    expect(origin.received).toHaveLength(3);
  });

  it("an attempt's own timeout covers the answer's body: a body that stalls half-way is a timeout, retried", async () => {
    const origin = await startOrigin((_request, response) => {
      response.writeHead(200, { 'content-length': '100' });
      response.write('{"code":0,'); // and nothing more
    });
    const client = await harness.client({ baseUrl: origin.url, timeoutMs: 2_000, retry: { attemptTimeoutMs: 150 } });

    const error = await expectTransport(client.getAuthorizationUrl(), 'timeout');

    expect(error.message).toContain('150 ms');
    expect(error.attempts).toBe(3);
    expect(origin.received).toHaveLength(3);
  });

  it('follows no redirect: a 307 is an answer (http-status), and where it points is not called', async () => {
    const origin = await startOrigin((request, response) => {
      if (request.url === '/elsewhere') return succeed(request, response);
      response.writeHead(307, { location: `${origin.url}/elsewhere` }).end();
    });
    const client = await harness.client({ baseUrl: origin.url });

    const error = await expectTransport(client.getAuthorizationUrl(), 'http-status', 307);

    expect(error.attempts).toBe(1);
    expect(origin.received.map((request) => request.url)).toEqual([ViatomEndpoint.AuthJumpPath]);
  });

  it.each(['open.viatomtech.com.cn', 'ftp://open.viatomtech.com.cn'])('refuses a baseUrl that is not an http(s) URL: %s', async (baseUrl) => {
    await expect(harness.client({ baseUrl })).rejects.toThrow(/baseUrl must be an http:\/\/ or https:\/\/ URL/);
  });

  it('keeps one connection alive across calls', async () => {
    const origin = await startOrigin(succeed);
    const client = await harness.client({ baseUrl: origin.url });

    await expect(client.getAuthorizationUrl()).resolves.toBe(JUMP_PATH);
    await expect(client.getAuthorizationUrl()).resolves.toBe(JUMP_PATH);

    expect(origin.received.map((request) => request.headers['connection'])).toEqual(['keep-alive', 'keep-alive']);
    expect(new Set(origin.received.map((request) => request.clientPort)).size).toBe(1);
  });

  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ] as const)('reads an answer compressed with %s although none was asked for', async (encoding, compress) => {
    const origin = await startOrigin((_request, response) => response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': encoding }).end(compress(SUCCESS)));
    const client = await harness.client({ baseUrl: origin.url });

    await expect(client.getAuthorizationUrl()).resolves.toBe(JUMP_PATH);
    expect(origin.received[0].headers['accept-encoding']).toBeUndefined();
  });

  it('a compressed answer that is corrupt is a dropped connection (connection-reset), not a success', async () => {
    const origin = await startOrigin((_request, response) =>
      response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(gzipSync(SUCCESS).subarray(0, 20)),
    );
    const client = await harness.client({ baseUrl: origin.url });

    await expectTransport(client.getAuthorizationUrl(), 'connection-reset');
  });
});

describe('the adapter under axios', () => {
  it('sends the length of what it sends, whatever an interceptor set, and no Content-Length twice', async () => {
    const origin = await startOrigin((_request, response) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 0, message: 'success', reason: '', data: null })),
    );
    const client = await harness.client({
      baseUrl: origin.url,
      configureAxios: (axios) => {
        axios.interceptors.request.use((config) => {
          config.headers.set('content-length', '1');
          return config;
        });
      },
    });

    await client.cancelAuthorization('13800000000');

    const [request] = origin.received;
    expect(request.rawHeaders.filter((name, i) => i % 2 === 0 && name.toLowerCase() === 'content-length')).toHaveLength(1);
    expect(request.headers['content-length']).toBe(String(request.body.length));
    expect(request.body.toString('utf8')).toBe(JSON.stringify({ phone: '13800000000' }));
  });

  it("a host may go back to axios' own http adapter; the client's promises hold on it too (no redirect followed)", async () => {
    const origin = await startOrigin((request, response) => {
      if (request.url === ViatomEndpoint.AuthJumpPath) return succeed(request, response);
      response.writeHead(307, { location: `${origin.url}${ViatomEndpoint.AuthJumpPath}` }).end();
    });
    const client = await harness.client({ baseUrl: origin.url, configureAxios: (axios) => void (axios.defaults.adapter = 'http') });

    await expect(client.getAuthorizationUrl()).resolves.toBe(JUMP_PATH);
    await expectTransport(client.cancelAuthorization('13800000000'), 'http-status', 307);
    expect(origin.received.map((request) => request.url)).toEqual([ViatomEndpoint.AuthJumpPath, ViatomEndpoint.AuthCancel]);
  });
});

describe('agents', () => {
  it('closes the connections it opened itself with its module', async () => {
    const origin = await startOrigin(succeed);
    const moduleRef = await harness.compile([ViatomClientModule.forRoot({ baseUrl: origin.url, secret: SECRET, accessToken: ACCESS_TOKEN })]);
    await moduleRef.get(ViatomClient).getAuthorizationUrl();
    expect(origin.openConnections()).toBe(1);

    await moduleRef.close();

    await until(() => origin.openConnections() === 0, 'the client closed its connection');
  });

  it('uses the https agent it is given (here, trusting a private CA), and leaves it open: it is the host’s', async () => {
    const origin = await startOrigin(succeed, true);
    const httpsAgent = new HttpsAgent({ keepAlive: true, ca: TLS.cert });
    const moduleRef = await harness.compile([ViatomClientModule.forRoot({ baseUrl: origin.url, secret: SECRET, accessToken: ACCESS_TOKEN, httpsAgent })]);

    await expect(moduleRef.get(ViatomClient).getAuthorizationUrl()).resolves.toBe(JUMP_PATH);
    expect(origin.received[0].headers[ViatomHeader.Secret]).toBe(SECRET);
    await moduleRef.close();
    expect(origin.openConnections()).toBe(1);

    httpsAgent.destroy();
    await until(() => origin.openConnections() === 0, 'the host closed its agent');
  });

  it('without that CA, an https Viatom with a certificate it cannot verify is a network failure', async () => {
    const origin = await startOrigin(succeed, true);
    const client = await harness.client({ baseUrl: origin.url, retry: { maxAttempts: 1 } });

    const error = await expectTransport(client.getAuthorizationUrl(), 'network');

    expect(error.message).toMatch(/certificate/i);
  });
});

describe('through an egress proxy (proxyUrl)', () => {
  it('an http:// Viatom: each call is sent to the proxy by its absolute URL, with the credentials as Proxy-Authorization', async () => {
    const proxy = await startProxy();
    const client = await harness.client({ proxyUrl: proxy.url });

    await expect(client.getAuthorizationUrl()).resolves.toContain('sign=');
    await expect(client.getAuthorizationUrl()).resolves.toContain('sign=');

    expect(proxy.requests.map(({ method, target, proxyAuthorization }) => ({ method, target, proxyAuthorization }))).toEqual([
      { method: 'POST', target: `${harness.baseUrl}${ViatomEndpoint.AuthJumpPath}`, proxyAuthorization: PROXY_AUTHORIZATION },
      { method: 'POST', target: `${harness.baseUrl}${ViatomEndpoint.AuthJumpPath}`, proxyAuthorization: PROXY_AUTHORIZATION },
    ]);
    // The connection to the proxy is kept alive.
    expect(new Set(proxy.requests.map((request) => request.clientPort)).size).toBe(1);
    expect(harness.sandbox.calls.map((call) => [call.endpoint, call.secret, call.accessToken])).toEqual([
      ['jump_path', 'valid', 'valid'],
      ['jump_path', 'valid', 'valid'],
    ]);
  });

  it('an https:// Viatom: through one CONNECT tunnel, kept alive, with the TLS to Viatom inside it', async () => {
    const origin = await startOrigin(succeed, true);
    const proxy = await startProxy();
    const moduleRef = await harness.compile([
      ViatomClientModule.forRoot({ baseUrl: origin.url, secret: SECRET, accessToken: ACCESS_TOKEN, proxyUrl: proxy.url, httpsAgent: new HttpsAgent({ ca: TLS.cert }) }),
    ]);
    const client = moduleRef.get(ViatomClient);

    await expect(client.getAuthorizationUrl()).resolves.toBe(JUMP_PATH);
    await expect(client.getAuthorizationUrl()).resolves.toBe(JUMP_PATH);

    // The proxy saw the host and port only; Viatom got both calls, with the credentials, over one tunnel.
    expect(proxy.requests.map(({ method, target, proxyAuthorization }) => ({ method, target, proxyAuthorization }))).toEqual([
      { method: 'CONNECT', target: new URL(origin.url).host, proxyAuthorization: PROXY_AUTHORIZATION },
    ]);
    expect(origin.received.map((request) => [request.url, request.headers[ViatomHeader.Secret]])).toEqual([
      [ViatomEndpoint.AuthJumpPath, SECRET],
      [ViatomEndpoint.AuthJumpPath, SECRET],
    ]);
    expect(origin.received.every((request) => request.headers['proxy-authorization'] === undefined)).toBe(true);

    // The tunnel is the client's own: closed with its module.
    await moduleRef.close();
    await until(() => origin.openConnections() === 0, 'the client closed its tunnel');
  });

  it('none configured: HTTP_PROXY and HTTPS_PROXY in the environment are ignored (only the app reads the environment)', async () => {
    const origin = await startOrigin(succeed);
    const proxy = await startProxy();
    const saved = { HTTP_PROXY: process.env['HTTP_PROXY'], http_proxy: process.env['http_proxy'] };
    process.env['HTTP_PROXY'] = process.env['http_proxy'] = proxy.url;
    try {
      const client = await harness.client({ baseUrl: origin.url });
      await expect(client.getAuthorizationUrl()).resolves.toBe(JUMP_PATH);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    expect(proxy.requests).toEqual([]);
    expect(origin.received).toHaveLength(1);
  });

  it.each([
    ['an http:// Viatom', 'http://127.0.0.1:9'],
    ['an https:// Viatom', 'https://127.0.0.1:9'],
  ])('%s behind a proxy that is down: connection-refused, retried', async (_name, baseUrl) => {
    const client = await harness.client({ baseUrl, proxyUrl: `http://${PROXY_USER}:${encodeURIComponent(PROXY_PASSWORD)}@127.0.0.1:${await closedPort()}` });

    const error = await expectTransport(client.getAuthorizationUrl(), 'connection-refused');

    expect(error.attempts).toBe(3);
  });

  it.each([
    ['an http:// Viatom', false],
    ['an https:// Viatom', true],
  ])('%s behind a proxy that refuses the credentials: its 407 is http-status 407, not retried', async (_name, tls) => {
    const origin = await startOrigin(succeed, tls);
    const proxy = await startProxy();
    const wrongCredentials = proxy.url.replace(encodeURIComponent(PROXY_PASSWORD), 'wrong');
    const client = await harness.client({ baseUrl: origin.url, proxyUrl: wrongCredentials, httpsAgent: new HttpsAgent({ ca: TLS.cert }) });

    const error = await expectTransport(client.getAuthorizationUrl(), 'http-status', 407);

    expect(error.attempts).toBe(1);
    expect(proxy.requests).toHaveLength(1);
    expect(origin.received).toHaveLength(0);
  });

  it.each([
    ['not a URL', 'hunter2-secret@proxy example', /proxyUrl is not a URL/],
    ['without its scheme', 'user:hunter2-secret@proxy.example:3128', /proxyUrl must start with http:\/\//],
    ['another scheme', 'socks5://user:hunter2-secret@127.0.0.1:1080', /proxyUrl must be an http:\/\/ proxy, not socks5:/],
    ['a broken percent-encoding', 'http://user:hunter2-secret%zz@127.0.0.1:3128', /proxyUrl has a user or password that is not valid percent-encoding/],
  ])('refuses a proxyUrl that is %s, naming the problem but never echoing the URL', async (_name, proxyUrl, why) => {
    const error = await failure(harness.client({ proxyUrl }));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(why);
    expect(error.message).not.toContain('hunter2-secret');
  });
});

describe('configureAxios', () => {
  it('is given the client’s own axios instance: its interceptors see each request and each answer (as text)', async () => {
    const answers: { status: number; data: unknown }[] = [];
    const traced = await harness.client({
      configureAxios: (axios) => {
        axios.interceptors.request.use((config) => {
          config.headers.set('x-trace-id', 'trace-1');
          return config;
        });
        axios.interceptors.response.use((response) => {
          answers.push({ status: response.status, data: response.data });
          return response;
        });
      },
    });
    const plain = await harness.client();

    await traced.getAuthorizationUrl();
    await plain.getAuthorizationUrl();

    expect(harness.sandbox.calls.map((call) => call.headers['x-trace-id'])).toEqual(['trace-1', undefined]);
    expect(answers).toEqual([{ status: 200, data: expect.stringContaining('"jump_path"') }]);
  });

  it('may set default headers for every method and for POST: each request carries both, beside the credentials', async () => {
    const client = await harness.client({
      configureAxios: (axios) => {
        axios.defaults.headers.common['x-tenant'] = 'clinic-7';
        axios.defaults.headers.post['x-route'] = 'egress-2';
      },
    });

    // The sandbox answers only a request with the right credentials.
    await expect(client.getAuthorizationUrl()).resolves.toContain('/auth/');
    await expect(client.getAuthorizationUrl({ language: 'en-US' })).resolves.toContain('/auth/');

    expect(harness.sandbox.calls).toHaveLength(2);
    for (const call of harness.sandbox.calls) {
      expect(call.headers).toMatchObject({ 'x-tenant': 'clinic-7', 'x-route': 'egress-2' });
    }
  });
});

describe('createViatomClient (outside Nest)', () => {
  it('makes the same client, whose close() closes its connections', async () => {
    const origin = await startOrigin(succeed);
    const client = createViatomClient({ baseUrl: origin.url, secret: SECRET, accessToken: ACCESS_TOKEN });

    await expect(client.getAuthorizationUrl()).resolves.toBe(JUMP_PATH);
    expect(origin.received[0].headers).toMatchObject({ [ViatomHeader.Secret]: SECRET, [ViatomHeader.AccessToken]: ACCESS_TOKEN });
    const nowhere = createViatomClient({ baseUrl: `http://127.0.0.1:${await closedPort()}`, secret: SECRET, accessToken: ACCESS_TOKEN, retry: { maxAttempts: 1 } });
    await expectTransport(nowhere.getAuthorizationUrl(), 'connection-refused');
    nowhere.close();

    client.close();
    await until(() => origin.openConnections() === 0, 'the client closed its connection');
  });
});
