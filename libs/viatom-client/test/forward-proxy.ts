import { Agent as HttpAgent, createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

/** What the proxy was asked: an absolute-URI request (an http target) or a CONNECT (an https one). */
export interface ProxiedRequest {
  method: string;
  /** `http://host:port/path` for a forwarded request, `host:port` for a CONNECT. */
  target: string;
  proxyAuthorization?: string;
  /** The client's end of the connection to the proxy: the same port for a reused connection. */
  clientPort: number;
}

export interface ForwardProxy {
  /** `http://user:password@127.0.0.1:port` (percent-encoded), or without credentials when none are required. */
  readonly url: string;
  readonly requests: ProxiedRequest[];
  close(): Promise<void>;
}

/**
 * A small forward proxy, as an enterprise's egress proxy is: it forwards absolute-URI requests
 * to http targets and opens CONNECT tunnels to https ones, and with credentials it answers 407
 * to whoever does not send them as `Proxy-Authorization: Basic`. It records what it was asked.
 */
export async function startForwardProxy(credentials?: { username: string; password: string }): Promise<ForwardProxy> {
  const expected = credentials && `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  const upstreamAgent = new HttpAgent({ keepAlive: true });
  const record = (request: IncomingMessage) => {
    requests.push({
      method: request.method ?? '',
      target: request.url ?? '',
      proxyAuthorization: request.headers['proxy-authorization'],
      clientPort: request.socket.remotePort ?? 0,
    });
    return expected === undefined || request.headers['proxy-authorization'] === expected;
  };

  const server = createServer((request, response) => {
    if (!record(request)) {
      response.writeHead(407, { 'proxy-authenticate': 'Basic realm="test proxy"', 'content-type': 'text/plain' }).end('proxy credentials required');
      return;
    }
    const target = new URL(request.url ?? '');
    // Hop-by-hop headers stay here: the proxy's credentials are never passed on.
    const { 'proxy-authorization': _credentials, 'proxy-connection': _connection, connection: _hop, ...headers } = request.headers;
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: request.method, path: `${target.pathname}${target.search}`, headers, agent: upstreamAgent },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => (response.headersSent ? response.destroy() : response.writeHead(502).end()));
    request.pipe(upstream);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('connect', (request: IncomingMessage, client: Socket, head: Buffer) => {
    if (!record(request)) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test proxy"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const [host, port] = splitAuthority(request.url ?? '');
    const upstream = connect(port, host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const userInfo = credentials ? `${encodeURIComponent(credentials.username)}:${encodeURIComponent(credentials.password)}@` : '';
  return {
    url: `http://${userInfo}127.0.0.1:${port}`,
    requests,
    async close() {
      upstreamAgent.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function splitAuthority(authority: string): [string, number] {
  const at = authority.lastIndexOf(':');
  return [authority.slice(0, at).replace(/^\[|\]$/g, ''), Number(authority.slice(at + 1))];
}
