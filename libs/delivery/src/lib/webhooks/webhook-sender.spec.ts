import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FORBIDDEN_TARGET, guardedLookup } from './guarded-lookup';
import { isSuccess, WebhookSender } from './webhook-sender';

/** A real receiver on 127.0.0.1 answering as `handle` says; it keeps what it received. */
class Receiver {
  readonly received: Array<{ method?: string; url?: string; headers: IncomingMessage['headers']; body: string }> = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  /** Connections made to this receiver. */
  connections = 0;
  handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end('ok');

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.received.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        this.handle(req, res);
      });
    });
    this.server.on('connection', (socket) => {
      this.connections++;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A port nothing listens on: one just closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('WebhookSender', () => {
  let receiver: Receiver;
  let url: string;
  let sender: WebhookSender;
  const send = (path = '/hook', s = sender, signal?: AbortSignal) =>
    s.send({ url: `${url}${path}`, headers: { 'content-type': 'application/json', 'webhook-id': 'evt_1' }, body: '{"type":"x","n":"é"}' }, signal);

  beforeEach(async () => {
    sender = new WebhookSender({ timeoutMs: 500, allowPrivateTargets: true });
    receiver = new Receiver();
    url = await receiver.listen();
  });
  afterEach(() => {
    sender.close();
    return receiver.close();
  });

  it('POSTs the body and headers as given; a 2xx is a success', async () => {
    receiver.handle = (_req, res) => res.writeHead(204).end();
    const result = await send();
    expect(result).toMatchObject({ statusCode: 204, error: null, abandoned: false });
    expect(isSuccess(result)).toBe(true);
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(receiver.received).toEqual([
      expect.objectContaining({
        method: 'POST',
        url: '/hook',
        body: '{"type":"x","n":"é"}',
        headers: expect.objectContaining({ 'content-type': 'application/json', 'webhook-id': 'evt_1', 'content-length': String(Buffer.byteLength('{"type":"x","n":"é"}')) }),
      }),
    ]);
  });

  it('keeps the connection for the next attempts to the same receiver', async () => {
    receiver.handle = (_req, res) => res.writeHead(204).end();
    for (let i = 0; i < 5; i++) expect(await send()).toMatchObject({ statusCode: 204 });
    expect(receiver.received).toHaveLength(5);
    expect(receiver.connections).toBe(1);
  });

  it('sends once more, on a new connection, when a kept connection was closed by the receiver before it answered', async () => {
    const requestsOn = new WeakMap<Socket, number>();
    // Each connection answers its first request and drops the next (as a receiver whose idle timeout just fired).
    receiver.handle = (req, res) => {
      const n = (requestsOn.get(req.socket) ?? 0) + 1;
      requestsOn.set(req.socket, n);
      if (n === 1) res.writeHead(204).end();
      else req.socket.destroy();
    };
    expect(await send()).toMatchObject({ statusCode: 204 });
    expect(await send()).toMatchObject({ statusCode: 204, error: null });
    expect(receiver.received.map((r) => r.headers['webhook-id'])).toEqual(['evt_1', 'evt_1', 'evt_1']);
    expect(receiver.connections).toBe(2);
  });

  it('does not keep a connection whose answer was not read to its end', async () => {
    receiver.handle = (_req, res) => {
      res.writeHead(200);
      res.write(Buffer.alloc(70 * 1024, 'a'));
    };
    expect(await send()).toMatchObject({ statusCode: 200 });
    receiver.handle = (_req, res) => res.writeHead(204).end();
    expect(await send()).toMatchObject({ statusCode: 204 });
    expect(receiver.connections).toBe(2);
  });

  it('fails on a 500 by its status alone: what the receiver said (here the event echoed, a phone in it) is not kept', async () => {
    receiver.handle = (_req, res) => res.writeHead(500).end(`broken: ${receiver.received.at(-1)?.body} 15312341234 whsec_c2VjcmV0c2VjcmV0`);
    const result = await send();
    expect(isSuccess(result)).toBe(false);
    expect(result.statusCode).toBe(500);
    expect(result.error).toBe('HTTP 500');
  });

  it('does not follow a redirect: a 3xx is a failure', async () => {
    receiver.handle = (req, res) => (req.url === '/hook' ? res.writeHead(302, { location: `${url}/elsewhere` }).end() : res.end('ok'));
    const result = await send();
    expect(result).toMatchObject({ statusCode: 302, error: expect.stringContaining('redirects are not followed') });
    expect(receiver.received.map((r) => r.url)).toEqual(['/hook']);
  });

  it('passes on Retry-After', async () => {
    receiver.handle = (_req, res) => res.writeHead(429, { 'retry-after': '30' }).end();
    expect(await send()).toMatchObject({ statusCode: 429, retryAfter: '30', error: 'HTTP 429' });
  });

  it('gives up on a receiver that does not answer within the timeout', async () => {
    receiver.handle = () => undefined;
    expect(await send()).toMatchObject({ statusCode: null, error: 'no complete answer within 500 ms', abandoned: false });
  });

  it('gives up on an answer whose body does not end within the timeout', async () => {
    receiver.handle = (_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
    };
    expect(await send()).toMatchObject({ statusCode: null, error: 'no complete answer within 500 ms' });
  });

  it('reads no more than 64 KiB of a huge answer', async () => {
    receiver.handle = (_req, res) => {
      res.writeHead(200);
      res.write(Buffer.alloc(70 * 1024, 'a'));
      // Never ended: a success all the same, once enough is read.
    };
    expect(await send()).toMatchObject({ statusCode: 200, error: null });
  });

  it('fails on a connection reset before the answer', async () => {
    receiver.handle = (req) => req.socket.destroy();
    expect(await send()).toMatchObject({ statusCode: null, error: expect.stringMatching(/connection (reset|closed)/) });
    expect(receiver.received).toHaveLength(1);
  });

  it('fails on a reset of a kept connection when the new one is reset too (sent twice, not more)', async () => {
    receiver.handle = (_req, res) => res.writeHead(204).end();
    await send();
    receiver.handle = (req) => req.socket.destroy();
    expect(await send()).toMatchObject({ statusCode: null, error: expect.stringMatching(/connection (reset|closed)/) });
    expect(receiver.received).toHaveLength(3);
  });

  it('fails on a connection refused', async () => {
    url = `http://127.0.0.1:${await closedPort()}`;
    expect(await send()).toMatchObject({ statusCode: null, error: 'connection refused' });
  });

  it('fails on a host that does not resolve', async () => {
    url = 'http://no-such-host.invalid';
    expect(await send()).toMatchObject({ statusCode: null, error: 'host no-such-host.invalid not found (DNS)' });
  });

  it('is abandoned, not failed, when the service stops', async () => {
    receiver.handle = () => undefined;
    const stopping = new AbortController();
    const sent = send('/hook', sender, stopping.signal);
    await new Promise((resolve) => setTimeout(resolve, 50));
    stopping.abort();
    expect(await sent).toMatchObject({ statusCode: null, abandoned: true });
  });

  describe('when private targets are not allowed', () => {
    const strict = new WebhookSender({ timeoutMs: 500, allowPrivateTargets: false });
    afterAll(() => strict.close());

    it('refuses a private IP literal without connecting', async () => {
      const result = await send('/hook', strict);
      expect(result).toMatchObject({ statusCode: null, error: expect.stringContaining('refused: 127.0.0.1') });
      expect(receiver.received).toEqual([]);
    });

    it('refuses, at connect time, a name that resolves to a private address', async () => {
      url = url.replace('127.0.0.1', 'localhost');
      const result = await send('/hook', strict);
      expect(result).toMatchObject({ statusCode: null, error: expect.stringContaining('refused: localhost resolves only to addresses') });
      expect(receiver.received).toEqual([]);
    });
  });
});

describe('guardedLookup', () => {
  const lookup = (host: string, all: boolean) =>
    new Promise<{ error: NodeJS.ErrnoException | null; address: unknown }>((resolve) =>
      guardedLookup(host, { all }, (error, address) => resolve({ error, address })),
    );

  it.each([true, false])('refuses a name that resolves only to loopback (all: %p)', async (all) => {
    const { error } = await lookup('localhost', all);
    expect(error?.code).toBe(FORBIDDEN_TARGET);
  });

  it('lets a public address through, in the form node asked for', async () => {
    // An IP literal resolves to itself without the network.
    expect(await lookup('93.184.215.14', false)).toEqual({ error: null, address: '93.184.215.14' });
    expect(await lookup('93.184.215.14', true)).toEqual({ error: null, address: [{ address: '93.184.215.14', family: 4 }] });
  });

  it('passes a resolver error on', async () => {
    const { error } = await lookup('no-such-host.invalid', true);
    expect(error?.code).toBe('ENOTFOUND');
  });
});
