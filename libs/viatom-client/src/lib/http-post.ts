import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** An HTTP answer, whatever its status, with its whole body as text. */
export interface HttpAnswer {
  status: number;
  body: string;
}

/**
 * Why no answer came back. `code` is the socket's error code (ECONNREFUSED, ECONNRESET,
 * ENOTFOUND…), or one of: ETIMEDOUT (the attempt's timeout), ERR_CANCELED (the caller's signal),
 * ERR_ANSWER_TOO_LARGE. The message never holds the request's headers.
 */
export class HttpPostError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpPostError';
  }
}

export interface HttpPostOptions {
  headers: Record<string, string>;
  /** Keep-alive agents, one per protocol. */
  agents: { http: HttpAgent; https: HttpsAgent };
  timeoutMs: number;
  signal: AbortSignal;
  /** Longer answers are refused (ERR_ANSWER_TOO_LARGE). */
  maxAnswerBytes: number;
}

/**
 * One POST on node's own HTTP client: no redirects followed, the answer read whole as UTF-8
 * text. Settles once: with the answer, or with an HttpPostError.
 */
export function httpPost(url: URL, body: string, options: HttpPostOptions): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    if (options.signal.aborted) {
      reject(new HttpPostError('ERR_CANCELED', 'canceled before it was sent'));
      return;
    }
    const https = url.protocol === 'https:';
    const payload = Buffer.from(body, 'utf8');
    const request = (https ? httpsRequest : httpRequest)(url, {
      method: 'POST',
      headers: { ...options.headers, 'content-length': String(payload.length) },
      agent: https ? options.agents.https : options.agents.http,
    });

    let settled = false;
    const finish = (error: HttpPostError | null, answer?: HttpAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      if (error) {
        request.destroy();
        reject(error);
      } else {
        resolve(answer as HttpAnswer);
      }
    };
    const onAbort = () => finish(new HttpPostError('ERR_CANCELED', 'canceled'));
    const timer = setTimeout(() => finish(new HttpPostError('ETIMEDOUT', `no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    options.signal.addEventListener('abort', onAbort, { once: true });

    request.on('error', (error: NodeJS.ErrnoException) => finish(new HttpPostError(error.code ?? 'ERR_NETWORK', error.message)));
    request.on('response', (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let length = 0;
      response.on('data', (chunk: Buffer) => {
        length += chunk.length;
        if (length > options.maxAnswerBytes) {
          finish(new HttpPostError('ERR_ANSWER_TOO_LARGE', `the answer is longer than ${options.maxAnswerBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => finish(null, { status: response.statusCode ?? 0, body: Buffer.concat(chunks, length).toString('utf8') }));
      // The connection dropped while the answer was being read.
      response.on('error', () => finish(new HttpPostError('ECONNRESET', 'the connection was dropped during the answer')));
      response.on('close', () => {
        if (!response.complete) finish(new HttpPostError('ECONNRESET', 'the connection was dropped during the answer'));
      });
    });
    request.end(payload);
  });
}
