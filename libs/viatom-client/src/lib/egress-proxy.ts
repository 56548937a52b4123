import { request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions, type RequestOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';

/** The egress proxy of `proxyUrl`. `authorization` (the Proxy-Authorization value) is a secret: never logged. */
export interface EgressProxy {
  host: string;
  port: number;
  username: string;
  password: string;
  authorization?: string;
}

/**
 * Reads `proxyUrl` (`http://user:password@host:3128`; the user and password percent-encoded
 * as in any URL). Refuses what it cannot use, naming the problem but never echoing the URL,
 * which may hold a password.
 */
export function parseProxyUrl(proxyUrl: string): EgressProxy {
  const bad = (why: string) => new TypeError(`ViatomClient: proxyUrl ${why} (expected http://user:password@proxy.example:3128)`);
  let url: URL;
  try {
    url = new URL(proxyUrl);
  } catch {
    throw bad('is not a URL');
  }
  if (url.protocol !== 'http:') {
    // Named only when it is a proxy scheme: what stands before a colon may be a user name (`user:pass@host`).
    throw bad(/^(https|socks[45]?[ah]?):$/.test(url.protocol) ? `must be an http:// proxy, not ${url.protocol}//` : 'must start with http://');
  }
  let username: string;
  let password: string;
  try {
    username = decodeURIComponent(url.username);
    password = decodeURIComponent(url.password);
  } catch {
    throw bad('has a user or password that is not valid percent-encoding');
  }
  const credentials = username !== '' || password !== '';
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? 80 : Number(url.port),
    username,
    password,
    authorization: credentials ? `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}` : undefined,
  };
}

/** The proxy answered the CONNECT with another status than 200 (e.g. 407: wrong credentials). */
export class ProxyTunnelError extends Error {
  readonly code = 'ERR_PROXY_TUNNEL';

  constructor(readonly status: number) {
    super(`the proxy refused the tunnel with HTTP ${status}`);
    this.name = 'ProxyTunnelError';
  }
}

/**
 * An https agent that reaches each origin through the proxy's CONNECT tunnel: the TLS to
 * Viatom runs inside it (the proxy sees only host and port), and tunnels are pooled and kept
 * alive like direct connections. axios' own proxy support would open a new tunnel per call.
 */
export class ProxyTunnelAgent extends HttpsAgent {
  constructor(
    private readonly proxy: EgressProxy,
    /** A proxy that accepts the connection but never answers the CONNECT gives up after this. */
    private readonly connectTimeoutMs: number,
    options: AgentOptions,
  ) {
    super(options);
  }

  override createConnection(options: RequestOptions, callback: (error: Error | null, socket?: Duplex) => void): undefined {
    const host = options.host ?? 'localhost';
    const authority = `${host.includes(':') ? `[${host}]` : host}:${options.port ?? 443}`;
    const connect = httpRequest({
      host: this.proxy.host,
      port: this.proxy.port,
      method: 'CONNECT',
      path: authority,
      headers: { host: authority, ...(this.proxy.authorization ? { 'proxy-authorization': this.proxy.authorization } : {}) },
      agent: false,
    });
    const timer = setTimeout(
      () => connect.destroy(Object.assign(new Error(`the proxy did not open the tunnel within ${this.connectTimeoutMs} ms`), { code: 'ETIMEDOUT' })),
      this.connectTimeoutMs,
    );
    connect.once('connect', (response, socket, head) => {
      clearTimeout(timer);
      if (response.statusCode !== 200) {
        socket.destroy();
        callback(new ProxyTunnelError(response.statusCode ?? 0));
        return;
      }
      if (head.length > 0) socket.unshift(head);
      callback(null, tlsConnect({ ...(options as ConnectionOptions), socket }));
    });
    connect.once('error', (error) => {
      clearTimeout(timer);
      callback(error);
    });
    connect.end();
    return undefined;
  }
}
