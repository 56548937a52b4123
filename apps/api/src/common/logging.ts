import type { LoggerService } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { pino, type DestinationStream, type Level, type Logger as PinoLogger, type LoggerOptions } from 'pino';
import { maskPhone } from '@health-bridge/viatom-client';
import type { AppConfig } from '../config/app-config';

export const REQUEST_ID_HEADER = 'x-request-id';
const REDACTED = '[Redacted]';

/** A phone number as it may appear in a URL or a message (6 to 20 digits, optional +). */
const PHONE_LIKE = /(?<![\w.])\+?\d{6,20}(?![\w.])/g;
/** Query parameters whose value is harmless and useful in a log line. */
const PLAIN_QUERY = new Set(['limit', 'status', 'type', 'outcome', 'dataType']);

/** Masks phone numbers in free text (`15312341234` → `153****1234`). */
export function maskPhones(text: string): string {
  return text.replace(PHONE_LIKE, (m) => maskPhone(m));
}

/**
 * A URL as it may be logged: phone-like path segments masked, every query value masked
 * (`?token=[Redacted]`) but for a few harmless ones (limit, status…).
 */
export function maskUrl(url: string | undefined): string {
  if (!url) return '';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const maskedPath = path
    .split('/')
    .map((segment) => {
      let decoded = segment;
      try {
        decoded = decodeURIComponent(segment);
      } catch {
        /* keep it as it came */
      }
      return /\d{6,}/.test(decoded) ? decoded.replace(/\+?\d{6,}/g, (m) => maskPhone(m)) : segment;
    })
    .join('/');
  if (q === -1) return maskedPath;
  const query = url
    .slice(q + 1)
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const eq = pair.indexOf('=');
      const key = eq === -1 ? pair : pair.slice(0, eq);
      if (eq === -1) return key;
      return PLAIN_QUERY.has(key) ? `${key}=${maskPhones(pair.slice(eq + 1))}` : `${key}=${REDACTED}`;
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

/**
 * One line per answered request (not for /health): its id, method, masked URL, source address,
 * status and duration; at `error` for 5xx, `warn` for 4xx. Headers are not logged.
 */
export function logRequest(logger: PinoLogger, request: FastifyRequest, reply: FastifyReply): void {
  const status = reply.statusCode;
  const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
  if (request.url === '/health' || !logger.isLevelEnabled(level)) return;
  logger[level](
    {
      req: { id: request.id, method: request.method, url: maskUrl(request.url), remoteAddress: request.ip },
      res: { statusCode: status },
      responseTime: Math.round(reply.elapsedTime),
    },
    'request completed',
  );
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
