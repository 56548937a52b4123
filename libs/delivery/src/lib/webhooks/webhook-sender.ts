import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { isForbiddenAddress } from '../endpoints/target-policy';
import { FORBIDDEN_TARGET, guardedLookup } from './guarded-lookup';

/** One attempt's request: the endpoint's URL, the signed headers, the body signed. */
export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** How an attempt went, as the delivery log keeps it. */
export interface AttemptResult {
  /** The receiver's HTTP status; null when none came (refused, reset, timed out…). */
  statusCode: number | null;
  durationMs: number;
  /** Why it failed, in a few words (never a secret); null on success. */
  error: string | null;
  /** The receiver's Retry-After header, as sent. */
  retryAfter: string | null;
  /** Stopped by the service itself (shutting down): not the receiver's doing, not recorded. */
  abandoned: boolean;
}

export function isSuccess(result: AttemptResult): boolean {
  return result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
}

export interface WebhookSenderSettings {
  /** The whole attempt (connect, headers, body) within this, or it failed. */
  timeoutMs: number;
  allowPrivateTargets: boolean;
}

/** The most of an answer read: a receiver owes nothing but its status, and a huge body must not cost memory. */
const MAX_ANSWER_BYTES = 64 * 1024;
const MAX_ERROR_LENGTH = 1024;

/** An idle connection to a receiver is closed after this long (below the 5 s keep-alive of node's own servers). */
const IDLE_CONNECTION_MS = 4_000;
/** Idle connections kept per receiver (host and port) for the next attempts. */
const MAX_IDLE_PER_RECEIVER = 256;

/**
 * Sends webhooks over node's http/https: POST, no redirect followed (a 3xx is a failure: the
 * endpoint's URL should be changed), the whole attempt bounded by `timeoutMs`. Connections are
 * kept alive between attempts to the same receiver (a connection and, over https, a TLS handshake
 * per webhook would cost more than the webhook), and each is checked when it connects (the
 * address connected to is the address checked; a kept connection stays on it). A kept connection
 * the receiver closed meanwhile fails the attempt before any answer: such an attempt is sent once
 * more on a new connection. Never throws: every outcome is an AttemptResult.
 */
export class WebhookSender {
  private readonly agents: { 'http:': http.Agent; 'https:': https.Agent };

  constructor(private readonly settings: WebhookSenderSettings) {
    const kept = { keepAlive: true, timeout: IDLE_CONNECTION_MS, maxFreeSockets: MAX_IDLE_PER_RECEIVER, scheduling: 'lifo' as const };
    this.agents = { 'http:': new http.Agent(kept), 'https:': new https.Agent(kept) };
  }

  send(request: WebhookRequest, signal?: AbortSignal): Promise<AttemptResult> {
    const started = Date.now();
    const failed = (error: string, abandoned = false): AttemptResult => ({
      statusCode: null,
      durationMs: Date.now() - started,
      error: redact(error),
      retryAfter: null,
      abandoned,
    });

    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return Promise.resolve(failed('the endpoint URL is not a valid URL'));
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return Promise.resolve(failed('the endpoint URL is not http or https'));
    // An IP literal is connected to without a lookup: it is checked here instead.
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (!this.settings.allowPrivateTargets && isIP(host) !== 0 && isForbiddenAddress(host)) {
      return Promise.resolve(failed(`refused: ${host} is an address webhooks may not reach (loopback, private, link-local…)`));
    }
    if (signal?.aborted) return Promise.resolve(failed('abandoned: the service is stopping', true));

    return new Promise<AttemptResult>((resolve) => {
      let settled = false;
      let request$: http.ClientRequest;
      const settle = (result: AttemptResult, reusable = false) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        // An answer read to its end leaves the connection to the next attempt; anything else closes it.
        if (!reusable) request$.destroy();
        resolve(result);
      };
      const timer = setTimeout(() => settle(failed(`no complete answer within ${this.settings.timeoutMs} ms`)), this.settings.timeoutMs);
      const onAbort = () => settle(failed('abandoned: the service is stopping', true));
      signal?.addEventListener('abort', onAbort, { once: true });

      const post = (fresh: boolean) => {
        const client = url.protocol === 'https:' ? https : http;
        request$ = client.request(url, {
          method: 'POST',
          headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
          agent: fresh ? false : this.agents[url.protocol as 'http:' | 'https:'],
          lookup: this.settings.allowPrivateTargets ? undefined : guardedLookup,
        });
        let answered = false;
        request$.on('error', (error: NodeJS.ErrnoException) => {
          // A kept connection the receiver had closed: once more on a new one (the same webhook-id).
          if (!answered && !fresh && request$.reusedSocket && isClosedConnection(error) && !settled) return post(true);
          settle(failed(describeNetworkError(error, host)));
        });
        request$.on('response', (response) => {
          answered = true;
          const statusCode = response.statusCode ?? 0;
          // The answer is read (to reuse the connection) but its text is not kept: a receiver
          // may echo the event, and the delivery log and the logs hold no personal data.
          let read = 0;
          const done = (reusable: boolean) =>
            settle(
              {
                statusCode,
                durationMs: Date.now() - started,
                error: statusCode >= 200 && statusCode < 300 ? null : describeStatus(statusCode),
                retryAfter: typeof response.headers['retry-after'] === 'string' ? response.headers['retry-after'] : null,
                abandoned: false,
              },
              reusable,
            );
          response.on('data', (chunk: Buffer) => {
            read += chunk.length;
            // Enough has been read to know the answer: the rest is not waited for (nor the connection kept).
            if (read >= MAX_ANSWER_BYTES) done(false);
          });
          response.on('end', () => done(true));
          // The body cut short after the status came: the receiver did not answer whole.
          response.on('error', (error: NodeJS.ErrnoException) => settle(failed(describeNetworkError(error, host))));
          response.on('aborted', () => settle(failed('the receiver closed the connection before its answer ended')));
        });
        request$.end(request.body);
      };
      post(false);
    });
  }

  /** Closes the connections kept (the service is stopping). */
  close(): void {
    this.agents['http:'].destroy();
    this.agents['https:'].destroy();
  }
}

/** The errors of a connection closed by the other side before it answered. */
function isClosedConnection(error: NodeJS.ErrnoException): boolean {
  return error.code === 'ECONNRESET' || error.code === 'EPIPE' || error.message === 'socket hang up';
}

/** A failed answer by its status alone: what the receiver's body said is its own business (and may be the event echoed). */
function describeStatus(statusCode: number): string {
  const why = statusCode >= 300 && statusCode < 400 ? ' (redirects are not followed: change the endpoint URL)' : '';
  return `HTTP ${statusCode}${why}`;
}

function describeNetworkError(error: NodeJS.ErrnoException, host: string): string {
  switch (error.code) {
    case FORBIDDEN_TARGET:
      return `refused: ${host} resolves only to addresses webhooks may not reach (loopback, private, link-local…)`;
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset by the receiver';
    case 'EPIPE':
      return 'connection closed by the receiver while the webhook was sent';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host ${host} not found (DNS)`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'receiver unreachable (network)';
    case 'ETIMEDOUT':
      return 'connection timed out';
  }
  if (error.code?.startsWith('ERR_TLS') || /CERT|SSL|TLS/.test(error.code ?? '')) return `TLS error: ${error.code}`;
  if (error.message === 'socket hang up') return 'connection closed by the receiver before it answered';
  return `network error: ${error.code ?? error.message}`;
}

/** Error text for the log (a network error's description): no signing secret, and bounded. */
function redact(text: string): string {
  const clean = text.replace(/whsec_[A-Za-z0-9+/=]*/g, 'whsec_***');
  return clean.length > MAX_ERROR_LENGTH ? `${clean.slice(0, MAX_ERROR_LENGTH - 1)}…` : clean;
}
