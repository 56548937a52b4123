import type { LoggerService } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { pino, type DestinationStream, type Level, type Logger as PinoLogger, type LoggerOptions } from 'pino';
import { maskPhone, normalizePhone, unformatPhone } from '@health-bridge/viatom-protocol';
import type { AppConfig } from '../config/app-config';

export const REQUEST_ID_HEADER = 'x-request-id';
const REDACTED = '[Redacted]';

/** Query parameters whose value is harmless and useful in a log line. */
const PLAIN_QUERY = new Set(['limit', 'status', 'type', 'outcome', 'dataType', 'hours']);

// Phone-shaped text, as people write phones: ASCII or full-width digits; separators (spaces,
// dashes, dots, brackets) only where they group a number, so that addresses (172.16.131.112),
// times and lists of numbers stay readable.
const DIGIT = '[0-9\\uff10-\\uff19]';
const PLUS = '[+\\uff0b]';
const SEPARATOR = '[\\s\\-.()\\[\\]\\uff08\\uff09\\uff0d\\uff0e\\u2010-\\u2015]{0,2}';
/**
 * A Chinese mobile (1[3-9] and nine digits, in 3-4-4 groups if grouped), optionally after
 * +86 / 0086 / 86; or an international number: "+" and 6 to 20 digits, grouped as it comes.
 * Never a part of a longer run of digits: epoch times (10 or 13 digits), ids and durations
 * stay readable.
 */
const PHONE_SHAPED = new RegExp(
  `(?<!${DIGIT})(?:` +
    `(?:(?:${PLUS}|[0\\uff10]{2})?[8\\uff18][6\\uff16]${SEPARATOR})?[1\\uff11][3-9\\uff13-\\uff19]${DIGIT}${SEPARATOR}${DIGIT}{4}${SEPARATOR}${DIGIT}{4}` +
    `|${PLUS}${SEPARATOR}${DIGIT}(?:${SEPARATOR}${DIGIT}){5,19}` +
    `)(?!${DIGIT})`,
  'g',
);
const CHINESE_MOBILE = /^1[3-9]\d{9}$/;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/**
 * A phone as written (`+86 153-1234-1234`, full-width digits…) masked in ASCII digits
 * (`+861****1234`); what is not a number once its separators are dropped is redacted whole.
 */
function maskWrittenPhone(text: string): string {
  const digits = unformatPhone(text);
  return /^\+?\d+$/.test(digits) ? maskPhone(digits) : REDACTED;
}

/** Masks phone-shaped numbers in free text (`15312341234` → `153****1234`). */
export function maskPhones(text: string): string {
  return text.replace(PHONE_SHAPED, maskWrittenPhone);
}

/** A query key or value as the server reads it (`+` is a space); kept as it came when it is no valid escape. */
function decodeQueryPart(part: string): string {
  return decodeSegment(part.replace(/\+/g, ' '));
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // kept as it came
  }
}

/** The longest path segment logged as it is (Fastify's bound on a route parameter). */
const MAX_LOGGED_SEGMENT = 100;

/**
 * A URL as it may be logged. In the path, the segment of a route parameter named `phone`
 * (`route`: the matched pattern, e.g. `/api/v1/authorizations/:phone`) is masked whole
 * whatever its form, phone-shaped numbers elsewhere, and a segment over MAX_LOGGED_SEGMENT
 * is logged as its length; every query value is redacted (`?token=[Redacted]`) but for a few
 * harmless ones (limit, status…).
 */

export function maskUrl(url: string | undefined, route?: string): string {
  if (!url) return '';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const segments = path.split('/');
  const pattern = route?.includes('/:phone') ? route.split('/') : undefined;
  const maskedPath = segments
    .map((segment, i) => {
      // Only a 404 or the router's 414 logs one; a run of digits that long is no phone to the
      // masker, yet may hold some.
      if (segment.length > MAX_LOGGED_SEGMENT) return `[${segment.length} characters]`;
      if (pattern?.length === segments.length && /^:phone\b/.test(pattern[i])) return segment === '' ? segment : maskWrittenPhone(decodeSegment(segment));
      if (!/[\d%\uff10-\uff19+]/.test(segment)) return segment; // nothing a phone could be written with
      const decoded = decodeSegment(segment);
      // A whole segment that the phone rule reads as a mobile or an international number,
      // however it is grouped (`1531-234-1234`, `153 - 1234 - 1234`): an epoch time or an id is neither.
      const phone = IPV4.test(decoded) ? null : normalizePhone(decoded);
      if (phone && (CHINESE_MOBILE.test(phone) || phone.startsWith('+'))) return maskPhone(phone);
      const masked = maskPhones(decoded);
      return masked === decoded ? segment : masked;
    })
    .join('/');
  if (q === -1) return maskedPath;
  const query = url
    .slice(q + 1)
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const eq = pair.indexOf('=');
      // A bare value (`?15312341234`, `?<token>`): nothing says it is harmless.
      if (eq === -1) return REDACTED;
      // Keys and values are read as the server reads them (decoded) before they are judged:
      // `%31%35%33…` is a phone too. A key is shown only when it is a plain name.
      const key = decodeQueryPart(pair.slice(0, eq));
      const shownKey = /^[\w.[\]-]{1,64}$/.test(key) && maskPhones(key) === key ? key : REDACTED;
      return PLAIN_QUERY.has(key) ? `${shownKey}=${maskPhones(decodeQueryPart(pair.slice(eq + 1)))}` : `${shownKey}=${REDACTED}`;
    })
    .join('&');
  return `${maskedPath}?${query}`;
}

/**
 * Fastify's request id (also pino's): the caller's `X-Request-Id` when it is sane, otherwise a
 * new UUID. configureApp echoes it in the answer.
 */
export function requestId(req: { headers: Record<string, string | string[] | undefined> }): string {
  const given = req.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && /^[A-Za-z0-9._:-]{1,64}$/.test(given) ? given : randomUUID();
}

/** The process's one pino logger. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/**
 * The root logger: JSON lines, no credential, no phone number. `stream`: where lines go;
 * tests read them. By default stdout, written asynchronously: lines that arrive while a write
 * is under way go out together with the next one (a synchronous write per line cost ~10% of a
 * push under load). pino flushes what is pending when the process exits; a crash (SIGKILL) can
 * lose the lines of the last moment, never a push.
 */
export function createRootLogger(config: Pick<AppConfig, 'logLevel'>, stream?: DestinationStream): PinoLogger {
  const options: LoggerOptions = {
    level: config.logLevel,
    // Belt and braces: should a credential reach a log object some other way, pino removes it.
    redact: {
      paths: ['secret', 'accessToken', 'headers.secret', 'headers["access-token"]', 'headers.authorization', 'headers.cookie', 'headers["x-api-key"]', 'headers["x-webhook-token"]'],
      censor: REDACTED,
    },
    hooks: {
      // Every message, from any library: phone-like digit runs masked.
      logMethod(args, method) {
        method.apply(this, args.map((arg) => (typeof arg === 'string' ? maskPhones(arg) : arg)) as Parameters<typeof method>);
      },
    },
  };
  return pino(options, stream ?? pino.destination({ dest: 1, sync: false }));
}

/** Health probes: an orchestrator calls them every few seconds per replica, and they say nothing a metric does not. */
const PROBE_ROUTES = new Set(['/health', '/health/live', '/health/ready']);

/**
 * One line per answered request (not for the health probes): its id, method, masked URL, source address,
 * status and duration; at `error` for 5xx, `warn` for 4xx. Headers are not logged.
 */
export function logRequest(logger: PinoLogger, request: FastifyRequest, reply: FastifyReply, route = request.routeOptions.url): void {
  const status = reply.statusCode;
  const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
  if (PROBE_ROUTES.has(route ?? '') || !logger.isLevelEnabled(level)) return;
  logger[level]({ req: requestFields(request, route), res: { statusCode: status }, responseTime: Math.round(reply.elapsedTime) }, 'request completed');
}

/**
 * The line of a request whose body never arrived whole, so that nothing answered it: the
 * client went away (`info`: nothing is wrong with the service), or node's HTTP layer answered
 * it itself (`answered`: 408 at REQUEST_TIMEOUT_MS, 400 for bytes that are not HTTP) and
 * closed the connection (`warn`, as any 4xx).
 */
export function logRequestCutOff(logger: PinoLogger, request: FastifyRequest, reply: FastifyReply, answered?: number): void {
  const fields = { req: requestFields(request), responseTime: Math.round(reply.elapsedTime) };
  if (answered === undefined) logger.info(fields, 'request aborted by the client');
  else if (answered === 408) logger.warn({ ...fields, res: { statusCode: 408 } }, 'request timed out: its body did not arrive within REQUEST_TIMEOUT_MS');
  else logger.warn({ ...fields, res: { statusCode: answered } }, 'request cut off: its body is not valid HTTP');
}

function requestFields(request: FastifyRequest, route = request.routeOptions.url) {
  return { id: request.id, method: request.method, url: maskUrl(request.url, route), remoteAddress: request.ip };
}

/**
 * Nest's logger (its own lines and every `new Logger(context)` of the app and the libs) writing
 * to the root pino logger: `{ level, context, msg }`, and `stack` for errors.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: PinoLogger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /** Nest passes `(message, context)`, or `(message, stack, context)` for errors. */
  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const rest = [...params];
    const context = rest.length > 0 && typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const fields: Record<string, unknown> = context ? { context } : {};
    const stack = rest.find((p) => typeof p === 'string');
    if (stack && (level === 'error' || level === 'fatal')) fields['stack'] = stack;
    if (message instanceof Error) this.pino[level]({ ...fields, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.pino[level]({ ...fields, ...message });
    else this.pino[level](fields, String(message));
  }
}
