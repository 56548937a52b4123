import { isUtf8 } from 'node:buffer';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Transform, type Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { HttpException, RequestMethod } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { operationOutcome } from '@health-bridge/fhir';
import helmet, { type HelmetOptions } from 'helmet';
import type { Logger as PinoLogger } from 'pino';
import { logRequest, PinoNestLogger, REQUEST_ID_HEADER, requestId, ROOT_LOGGER } from './common/logging';
import { problem, PROBLEM_CONTENT_TYPE } from './common/problem';
import { pushErrorEnvelope, TRANSPORT_ANSWER } from './common/problem.filter';
import { FHIR_CONTENT_TYPE } from './fhir/fhir-route';
import { createValidationPipe, unstorableBody } from './common/validation';
import { installConsole, type ConsoleServing } from './console/console-files';
import { installMetrics } from './metrics/metrics-endpoint';
import { type AppConfig } from './config/app-config';
import { createOpenApiDocument, setupSwagger } from './swagger';
import { isPushReceiverRoute } from './webhooks/push-receiver';

export const API_PREFIX = 'api/v1';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body's text exactly as received, after charset decoding (kept as the push's raw message). */
    rawBody?: string;
    /** The body's bytes as sent, after Content-Encoding is undone (what a push signature covers). */
    rawBodyBytes?: Buffer;
  }
}

/** Fastify options that the app needs; used by main.ts and by the tests alike. */
export function fastifyOptions(
  config: Pick<AppConfig, 'bodyLimitBytes' | 'trustProxy' | 'requestTimeoutMs' | 'headersTimeoutMs' | 'keepAliveTimeoutMs'>,
) {
  // X-Forwarded-For is believed only from the configured proxies (addresses / CIDR ranges):
  // `request.ip` is then the client the last trusted proxy saw, otherwise the socket's peer.
  return {
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy.length > 0 ? config.trustProxy : false,
    requestIdHeader: false as const,
    genReqId: requestId,
    // Fastify turns node's request timeout off unless told: a client that sent its headers and
    // then nothing would hold its connection for ever. Node answers 408 and closes the
    // connection (answerClientError); a request already received is never cut short.
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    http: {
      requestTimeout: config.requestTimeoutMs,
      headersTimeout: config.headersTimeoutMs,
      // Node looks for late requests only this often (every 30 s by default): a timeout is then
      // enforced at most a tenth of itself, and never more than a second, late.
      connectionsCheckingInterval: Math.min(1_000, Math.floor(Math.min(config.headersTimeoutMs, config.requestTimeoutMs) / 10)),
    },
    frameworkErrors: answerRouterError,
  };
}

/**
 * The router's own errors, raised before any route is chosen (so before every hook and Nest's
 * filter): a path that is not valid percent-encoded UTF-8 (`%FF`), or a path parameter longer
 * than Fastify's 100 characters. Fastify's bare JSON would echo the path (a phone, a key pasted
 * into it) without the security headers; this answers as the API does, problem+json (an
 * OperationOutcome under /fhir), and never echoes the path.
 */
function answerRouterError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const status = error.code === 'FST_ERR_BAD_URL' ? 400 : error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : (error.statusCode ?? 500);
  const detail =
    status === 400
      ? 'The URL path is not valid: it holds a percent-escape that is not UTF-8.'
      : status === 414
        ? 'A segment of the URL path is longer than any id or phone this API takes (100 characters).'
        : 'The request could not be routed.';
  // No hook runs for such a request: what the onRequest and onResponse hooks do, done here.
  const configured = CONFIGURED.get(request.server);
  if (configured) reply.headers(configured.headers);
  reply.header(REQUEST_ID_HEADER, request.id).status(status);
  if (request.url.startsWith('/fhir/')) {
    reply.header('content-type', FHIR_CONTENT_TYPE).send(operationOutcome(status === 500 ? 'exception' : 'invalid', detail));
  } else {
    reply.header('content-type', PROBLEM_CONTENT_TYPE).send(problem(status, detail));
  }
  if (configured) logRequest(configured.logger, request, reply, '');
}

/** What configureApp set up on each Fastify instance, for the router's errors (answered before any hook). */
const CONFIGURED = new WeakMap<object, { logger: PinoLogger; headers: Record<string, string> }>();

/**
 * Security headers. The CSP is helmet's default minus `upgrade-insecure-requests` (TLS is the
 * load balancer's business, and it would break Swagger UI over plain HTTP in development);
 * Swagger UI needs nothing more: its scripts are files of this origin, its styles inline.
 */
export const HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: true,
    directives: {
      'upgrade-insecure-requests': null,
      'frame-ancestors': ["'none'"],
      'connect-src': ["'self'"],
    },
  },
  crossOriginEmbedderPolicy: false,
};

/**
 * The headers helmet sets for these options, computed once: they depend on nothing in the
 * request (no nonces), and building them is most of helmet's cost, which @fastify/helmet pays
 * again on every request.
 */
export function securityHeaders(options: HelmetOptions = HELMET_OPTIONS): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, () => undefined);
  return headers;
}

/** Nest's own body parser is off: configureApp installs the JSON parser (it keeps the raw body). */
export const NEST_APP_OPTIONS = { bodyParser: false } as const;

/**
 * Everything between "the module graph exists" and "listen": the one pipeline used by
 * main.ts, the e2e tests and the OpenAPI export, so tests run what production runs.
 */
export function configureApp(app: NestFastifyApplication, config: AppConfig): { console: ConsoleServing } {
  // Outside /api/v1: the health probes, and FHIR, whose base is a URL of its own (`/fhir`).
  app.setGlobalPrefix(API_PREFIX, {
    exclude: [...['health', 'health/live', 'health/ready'].map((path) => ({ path, method: RequestMethod.GET })), { path: 'fhir/{*path}', method: RequestMethod.GET }],
  });
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  // Nest's own log lines (bootstrap, the problem filter, the libs) go through pino too, as JSON.
  app.useLogger(app.get(PinoNestLogger));
  app.flushLogs();
  const logger = app.get<PinoLogger>(ROOT_LOGGER);

  const fastify = app.getHttpAdapter().getInstance();
  // Every answer (errors, 404s, /health and Swagger UI included) carries the security headers
  // and its request id.
  const headers = securityHeaders();
  CONFIGURED.set(fastify, { logger, headers });
  // Node's clientError sees only the raw request: these are the ones a push receiver route took,
  // and the paths of those routes, as they are registered (for a request that never got a route).
  const pushRequests = new WeakSet<IncomingMessage>();
  const pushPaths = new Set<string>();
  fastify.addHook('onRoute', (route) => {
    if (route.config?.pushReceiver === true) pushPaths.add(route.url);
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.headers(headers);
    reply.header(REQUEST_ID_HEADER, request.id);
    // Node keeps a peer's address once it has been read (once per connection): read now, it is
    // still there for the log line of a request whose socket is gone (aborted, timed out).
    void request.raw.socket?.remoteAddress;
    if (isPushReceiverRoute(request)) pushRequests.add(request.raw);
    done();
  });
  const observeRequest = installMetrics(app, config);
  fastify.addHook('onResponse', (request, reply, done) => {
    // Fastify builds routeOptions anew on every read: read once, for the log line and the metric.
    const route = request.routeOptions.url;
    logRequest(logger, request, reply, route);
    observeRequest?.(request, reply, route);
    done();
  });
  // A compressed body is inflated before it is parsed; Fastify's body limit then holds for
  // the inflated size too (a zip bomb is a 413).
  fastify.addHook('preParsing', (request, _reply, payload, done) => {
    const coding = request.headers['content-encoding'];
    if (coding === undefined || !hasJsonBody(request)) return done(null, payload);
    try {
      done(null, inflated(payload, coding, config.bodyLimitBytes));
    } catch (error) {
      done(error as Error);
    }
  });
  // JSON is the only body this API takes (anything else is 415), decoded as its charset
  // says. The decoded text is kept beside the parsed value; an empty body is "no body" (the
  // auth-url body is optional); prototype-pollution keys are refused by Fastify's own secure parser.
  // The push receiver reads every body as JSON whatever its Content-Type, or none: a sender may
  // leave it out or send its client's default (Java's HttpURLConnection sends
  // application/x-www-form-urlencoded), and a push is not refused for its label.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  const parseBody = (request: FastifyRequest, body: Buffer, done: (error: Error | null, value?: unknown) => void) => {
    let text: string;
    try {
      text = decodeBody(body, request.headers['content-type']);
    } catch (error) {
      return done(error as Error, undefined);
    }
    request.rawBody = text;
    request.rawBodyBytes = body;
    if (text.trim() === '') return done(null, undefined);
    // A push is checked by the push rules (they answer in Viatom's envelope what they refuse).
    if (isPushReceiverRoute(request)) return parseJson(request, text, done);
    parseJson(request, text, (error: Error | null, value?: unknown) => (error ? done(error, undefined) : done(unstorableBody(value), value)));
  };
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => parseBody(request, body as Buffer, done));
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) =>
    isPushReceiverRoute(request) ? parseBody(request, body as Buffer, done) : done(new HttpException(problem(415, NOT_JSON), 415), undefined),
  );
  // Fastify's own answer to a late or broken connection is bare JSON and unlogged.
  fastify.server.removeAllListeners('clientError');
  fastify.server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => answerClientError(logger, error, socket, { requests: pushRequests, paths: pushPaths }));

  if (config.swaggerEnabled) setupSwagger(app, createOpenApiDocument(app));
  const served = installConsole(app, config.console);
  if (!served.served && served.reason === 'not-built') {
    logger.warn({ consoleDir: served.dir }, 'The operator console is not built: /console answers 404 until `npm run build` has run (or set CONSOLE_DIR, or CONSOLE_ENABLED=false).');
  }
  return { console: served };
}

/** Body decoding: what a charset label names, for the labels seen (only labels node knows are kept). */
const ENCODINGS = new Map<string, string>([['utf-8', 'utf-8']]);
const CHARSET = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i;

/**
 * The body's text, as its `charset` declares (UTF-8 by default, a UTF-8 byte-order mark
 * dropped). Bytes that are not valid in that charset are a 400, never replaced by U+FFFD:
 * the text kept must be the text sent. A charset node's TextDecoder does not know is a 415.
 */
function decodeBody(bytes: Buffer, contentType: string | undefined): string {
  const match = contentType === undefined ? null : CHARSET.exec(contentType);
  const label = match ? (match[1] ?? match[2]).trim().toLowerCase() : 'utf-8';
  let encoding = ENCODINGS.get(label);
  if (encoding === undefined) {
    try {
      encoding = new TextDecoder(label).encoding;
    } catch {
      const shown = JSON.stringify(label.slice(0, 40));
      throw new HttpException(problem(415, `The body's charset ${shown} is not one this service reads: send UTF-8, or declare a charset such as gbk or gb18030.`), 415);
    }
    ENCODINGS.set(label, encoding);
  }
  if (encoding === 'utf-8') {
    if (!isUtf8(bytes)) {
      const hint = match ? '' : ': declare its charset if it is another, e.g. Content-Type: application/json; charset=gbk';
      throw new HttpException(problem(400, `The body is not valid UTF-8${hint}.`), 400);
    }
    const text = bytes.toString('utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    throw new HttpException(problem(400, `The body is not valid ${encoding} text (its declared charset).`), 400);
  }
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'QUERY']);

/** What a body of another content type than JSON is told (the push receiver aside). */
const NOT_JSON = 'The body must be JSON (Content-Type: application/json).';

/** A body parsed as JSON: the only bodies worth inflating (any other is refused). On the push receiver, any body. */
function hasJsonBody(request: FastifyRequest): boolean {
  const { headers } = request;
  const contentType = headers['content-type']?.split(';')[0].trim().toLowerCase();
  const empty = headers['transfer-encoding'] === undefined && (headers['content-length'] === undefined || headers['content-length'] === '0');
  return BODY_METHODS.has(request.method) && (contentType === 'application/json' || isPushReceiverRoute(request)) && !empty;
}

/**
 * The body of a request with `Content-Encoding`, inflated. `identity` passes; gzip (x-gzip),
 * deflate (zlib format, as HTTP means it) and br are inflated; anything else is a 415. The
 * inflated bytes are counted and inflating stops past `limit` (413), and the compressed bytes
 * are reported as `receivedEncodedLength`, which Fastify checks against Content-Length and the limit.
 */
function inflated(payload: Readable, header: string, limit: number): Readable {
  const codings = header
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  if (codings.length === 0) return payload;
  const unsupported = (detail: string) => new HttpException(problem(415, detail), 415);
  if (codings.length > 1) throw unsupported('The body may be compressed once (Content-Encoding: gzip, deflate or br), not several times.');
  const [coding] = codings;
  const inflater =
    coding === 'gzip' || coding === 'x-gzip' ? createGunzip() : coding === 'deflate' ? createInflate() : coding === 'br' ? createBrotliDecompress() : undefined;
  if (!inflater) throw unsupported(`Content-Encoding ${JSON.stringify(coding.slice(0, 40))} is not supported: send the body as it is, or compressed with gzip, deflate or br.`);

  let inflatedLength = 0;
  const body = Object.assign(
    new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        inflatedLength += chunk.length;
        if (inflatedLength > limit) callback(new HttpException(problem(413, 'The body, once decompressed, is larger than the configured limit (BODY_LIMIT_BYTES).'), 413));
        else callback(null, chunk);
      },
    }),
    { receivedEncodedLength: 0 },
  );
  payload.on('data', (chunk: Buffer) => (body.receivedEncodedLength += chunk.length));
  // The client going away reaches Fastify as it would without compression.
  payload.on('error', (error) => body.destroy(error));
  inflater.on('error', () => body.destroy(new HttpException(problem(400, `The body is not valid ${coding} data (its Content-Encoding).`), 400)));
  // An error nobody reads (a request answered before its body was) must not throw.
  body.on('error', () => undefined);
  body.on('close', () => {
    payload.unpipe(inflater);
    inflater.destroy();
  });
  payload.pipe(inflater).pipe(body);
  return body;
}

/** The path of the request line a packet starts with (`POST /api/v1/webhooks/viatom?token=… HTTP/1.1`), without its query. */
function requestPathOf(packet: Buffer | undefined): string | null {
  if (!packet) return null;
  const line = /^[!-~]{1,32} (\/[^ ?\r\n]*)/.exec(packet.subarray(0, 2048).toString('latin1'));
  return line ? line[1] : null;
}

/**
 * Node's `clientError`: a connection that sent no complete headers within HEADERS_TIMEOUT_MS
 * or no complete request within REQUEST_TIMEOUT_MS (ERR_HTTP_REQUEST_TIMEOUT), or bytes that
 * are not HTTP. Answered as Fastify would (408, 431 or 400, then the connection closed), but in
 * this API's shape: Viatom's envelope to a request a push receiver route took (`pushRequests`),
 * problem+json otherwise, a connection whose request headers never came whole included (it is on
 * no route). A request whose body was still arriving then fails in the ProblemFilter, which logs
 * it; the socket says why.
 */
function answerClientError(
  logger: PinoLogger,
  error: NodeJS.ErrnoException & { rawPacket?: Buffer },
  socket: Socket,
  push: { requests: WeakSet<IncomingMessage>; paths: ReadonlySet<string> },
): void {
  // The client went away (a reset, or its end of the connection closed mid-request): nobody to answer.
  if (error.code === 'ECONNRESET' || error.code === 'HPE_INVALID_EOF_STATE' || socket.destroyed) {
    socket.destroy();
    return;
  }
  const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const detail =
    status === 408
      ? 'The request did not arrive in time (HEADERS_TIMEOUT_MS for its headers, REQUEST_TIMEOUT_MS for all of it).'
      : status === 431
        ? 'The request headers are too large.'
        : 'The request is not valid HTTP.';
  // The answer in progress on this socket, as node's own handler finds it (`socketOnError`).
  const inFlight = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
  (socket as Socket & { [TRANSPORT_ANSWER]?: number })[TRANSPORT_ANSWER] = status;
  if (socket.writable && !inFlight?.headersSent) {
    // A request node could not parse (headers too large, an unknown method) has no request
    // object: its request line, when the bytes node kept start with one, says where it went.
    const toPush = inFlight?.req !== undefined ? push.requests.has(inFlight.req) : push.paths.has(requestPathOf(error.rawPacket) ?? '');
    const body = JSON.stringify(toPush ? pushErrorEnvelope(status, detail) : problem(status, detail));
    const type = toPush ? 'application/json; charset=utf-8' : PROBLEM_CONTENT_TYPE;
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  if (!inFlight) logger.info({ remoteAddress: socket.remoteAddress, res: { statusCode: status } }, `connection closed: ${detail}`);
  socket.destroy();
}
