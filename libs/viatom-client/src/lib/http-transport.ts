import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { HttpModuleOptions, HttpService } from '@nestjs/axios';
import { isAxiosError, isCancel, type AxiosInstance } from 'axios';
import { parseProxyUrl, ProxyTunnelAgent, type ProxyTunnelError } from './egress-proxy';
import { nodeHttpAdapter } from './node-http-adapter';
import { DEFAULT_VIATOM_TIMEOUT_MS, type ViatomClientOptions } from './viatom-client.options';

/** An HTTP answer, whatever its status, with its whole body as text. */
export interface HttpAnswer {
  status: number;
  body: string;
}

/**
 * Why no answer came back. `code` is the socket's error code (ECONNREFUSED, ECONNRESET,
 * ENOTFOUND…), or one of: ETIMEDOUT (the attempt's timeout), ERR_CANCELED (the caller's signal),
 * ERR_ANSWER_TOO_LARGE, ERR_PROXY_TUNNEL (the proxy refused the tunnel: `status` says how).
 * The message never holds the request's headers.
 */
export class HttpTransportError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'HttpTransportError';
  }
}

export interface HttpPostOptions {
  headers: Record<string, string>;
  /** The attempt's own timeout, over the whole exchange (the answer's body included). None: `signal` alone ends it. */
  timeoutMs?: number;
  /** The caller's: aborting it cancels the exchange (ERR_CANCELED). */
  signal: AbortSignal;
  /** Longer answers are refused (ERR_ANSWER_TOO_LARGE), unread past the limit. */
  maxAnswerBytes: number;
}

/** Agents the transport made itself, hence closes (one the host passed stays the host's). */
const ownAgents = new WeakSet<HttpAgent>();

/**
 * Keep-alive probes after a minute idle: what axios sets on every socket it is given. The same
 * value here spares two system calls per request (the agent and axios would each reset it).
 */
const OWN_AGENT_OPTIONS = { keepAlive: true, keepAliveMsecs: 60_000 };

function ownAgent<T extends HttpAgent>(agent: T): T {
  ownAgents.add(agent);
  return agent;
}

/**
 * The configuration of the client's `HttpModule` (its axios instance), from the client's
 * options: the base URL, the agents (keep-alive), the egress proxy, and the client's own adapter
 * on node's http (`nodeHttpAdapter`). What each request must
 * be (no redirects, the answer limit) is set by `httpPost` on the request itself.
 */
export function viatomHttpModuleOptions(options: ViatomClientOptions): HttpModuleOptions {
  const baseURL = options.baseUrl.replace(/\/+$/, '');
  if (!URL.canParse(baseURL) || !/^https?:$/.test(new URL(baseURL).protocol)) {
    throw new TypeError('ViatomClient: baseUrl must be an http:// or https:// URL, e.g. https://open.viatomtech.com.cn');
  }
  const proxy = options.proxyUrl === undefined ? undefined : parseProxyUrl(options.proxyUrl);
  const httpAgent = options.httpAgent ?? ownAgent(new HttpAgent(OWN_AGENT_OPTIONS));
  const common = { baseURL, httpAgent, adapter: nodeHttpAdapter };
  if (proxy === undefined) {
    return { ...common, httpsAgent: options.httpsAgent ?? ownAgent(new HttpsAgent(OWN_AGENT_OPTIONS)), proxy: false };
  }
  if (new URL(baseURL).protocol === 'https:') {
    const tlsOptions = options.httpsAgent?.options ?? {};
    const tunnel = new ProxyTunnelAgent(proxy, options.timeoutMs ?? DEFAULT_VIATOM_TIMEOUT_MS, { ...tlsOptions, ...OWN_AGENT_OPTIONS });
    return { ...common, httpsAgent: ownAgent(tunnel), proxy: false };
  }
  // An http:// target: the adapter sends the absolute URL to the proxy, with Proxy-Authorization.
  const auth = proxy.authorization === undefined ? undefined : { username: proxy.username, password: proxy.password };
  return { ...common, proxy: { protocol: 'http', host: proxy.host, port: proxy.port, auth } };
}

/**
 * Drops from the instance's defaults what a POST from node never reads: the default headers of
 * the other methods (axios merges each of their objects into every request) and the browser's
 * XSRF cookie settings. About a sixth of axios' own work per request (22 → 19 µs a call in
 * plain node, no-op adapter). The defaults of every method (`headers.common`) and of POST
 * (`headers.post`) stay, and a host's `configureAxios` runs after this.
 */
export function leanDefaults(axios: AxiosInstance): void {
  const { common, post } = axios.defaults.headers;
  axios.defaults.headers = { common, post } as AxiosInstance['defaults']['headers'];
  delete axios.defaults.xsrfCookieName;
  delete axios.defaults.xsrfHeaderName;
}

/** Closes the agents the transport made for this axios instance, with their idle connections. */
export function closeOwnAgents(axios: AxiosInstance): void {
  for (const agent of [axios.defaults.httpAgent, axios.defaults.httpsAgent]) {
    if (agent instanceof HttpAgent && ownAgents.has(agent)) agent.destroy();
  }
}

/**
 * One POST through the client's HttpService: no redirects followed, any status read, the
 * answer read as UTF-8 text and refused past `maxAnswerBytes` (axios stops reading there).
 * `path` is relative to the base URL. Settles once: with the answer, or an HttpTransportError.
 */
export async function httpPost(http: HttpService, path: string, body: unknown, options: HttpPostOptions): Promise<HttpAnswer> {
  if (options.signal.aborted) throw new HttpTransportError('ERR_CANCELED', 'canceled before it was sent');
  const attempt = attemptSignal(options.signal, options.timeoutMs);
  try {
    const response = await http.axiosRef.request<string>({
      method: 'POST',
      url: path,
      data: body,
      headers: options.headers,
      signal: attempt.signal,
      maxRedirects: 0,
      maxContentLength: options.maxAnswerBytes,
      validateStatus: null,
      responseType: 'text',
      transformResponse: [],
    });
    return { status: response.status, body: response.data };
  } catch (error) {
    throw failure(error, attempt.timedOut(), options);
  } finally {
    attempt.dispose();
  }
}

/**
 * The signal of one attempt: the caller's, or, with a timeout, one its timer aborts too (axios'
 * own `timeout` does not cover the whole exchange). None is made when the caller's will do.
 */
function attemptSignal(caller: AbortSignal, timeoutMs: number | undefined) {
  if (timeoutMs === undefined) return { signal: caller, timedOut: () => false, dispose: () => undefined };
  const controller = new AbortController();
  let timedOut = false;
  const abort = () => controller.abort();
  const timer = setTimeout(() => {
    timedOut = true;
    abort();
  }, timeoutMs);
  caller.addEventListener('abort', abort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    dispose: () => {
      clearTimeout(timer);
      caller.removeEventListener('abort', abort);
    },
  };
}

/** axios' error, as the transport's. Never passes the AxiosError on: it holds the request's headers. */
function failure(error: unknown, timedOut: boolean, options: HttpPostOptions): HttpTransportError {
  if (timedOut) return new HttpTransportError('ETIMEDOUT', `no answer within ${options.timeoutMs} ms`);
  if (isCancel(error)) return new HttpTransportError('ERR_CANCELED', 'canceled');
  // Not axios' (an interceptor threw): its name only, its message may say anything.
  if (!isAxiosError(error)) return new HttpTransportError('ERR_NETWORK', error instanceof Error ? error.name : 'unknown error');
  switch (error.code) {
    case 'ERR_PROXY_TUNNEL':
      return new HttpTransportError('ERR_PROXY_TUNNEL', error.message, (error.cause as ProxyTunnelError).status);
    case 'ERR_BAD_RESPONSE':
      // Past the status line, axios says ERR_BAD_RESPONSE both for the limit and for an answer cut short.
      return error.message.startsWith('maxContentLength')
        ? new HttpTransportError('ERR_ANSWER_TOO_LARGE', `the answer is longer than ${options.maxAnswerBytes} bytes`)
        : new HttpTransportError('ECONNRESET', 'the connection was dropped during the answer');
    default:
      return new HttpTransportError(error.code ?? 'ERR_NETWORK', error.message);
  }
}
