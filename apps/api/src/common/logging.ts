import type { IncomingMessage } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import type { Params } from 'nestjs-pino';
import { maskPhone } from '@health-bridge/viatom-client';
import type { AppConfig } from '../config/app-config';

export const REQUEST_ID_HEADER = 'x-request-id';
const REDACTED = '[Redacted]';

/** Headers never logged in clear: credentials of every kind, whatever the configured names. */
const SECRET_HEADER = /authorization|cookie|token|secret|signature|api-key|apikey|session|password/i;
/** A phone number as it may appear in a URL or a message (6 to 20 digits, optional +). */
const PHONE_LIKE = /(?<![\w.])\+?\d{6,20}(?![\w.])/g;
/** Query parameters whose value is harmless and useful in a log line. */
const PLAIN_QUERY = new Set(['limit', 'status', 'type', 'outcome', 'dataType']);

/** The headers of a request, with every credential replaced by `[Redacted]`. */
export function redactHeaders(headers: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name] = SECRET_HEADER.test(name) ? REDACTED : value;
  return out;
}

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

/** pino-http options: JSON lines, a request id, no credential, no phone number, no token in a URL. */
export function pinoHttpOptions(config: Pick<AppConfig, 'logLevel'>): Options {
  return {
    level: config.logLevel,
    // The id Fastify gave the request (see fastifyOptions): one id in the answer and in every line.
    genReqId: (req) => (req as IncomingMessage & { id?: string }).id ?? requestId(req),
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    autoLogging: { ignore: (req) => req.url === '/health' },
    serializers: {
      req: (req: { id: unknown; method: string; url: string; headers: Record<string, unknown>; remoteAddress?: string }) => ({
        id: req.id,
        method: req.method,
        url: maskUrl(req.url),
        headers: redactHeaders(req.headers),
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    // Belt and braces: should a credential reach a log object some other way, pino removes it.
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', 'req.headers["x-webhook-token"]', 'secret', 'accessToken', 'headers.secret', 'headers["access-token"]'],
      censor: REDACTED,
    },
    hooks: {
      // Every message, from any library: phone-like digit runs masked.
      logMethod(args, method) {
        method.apply(
          this,
          args.map((arg) => (typeof arg === 'string' ? maskPhones(arg) : arg)) as Parameters<typeof method>,
        );
      },
    },
  };
}

/** nestjs-pino's parameters; `stream` lets a test read the log lines. */
export function loggerParams(config: Pick<AppConfig, 'logLevel'>, stream?: DestinationStream): Params {
  return {
    pinoHttp: stream ? [pinoHttpOptions(config), stream] : pinoHttpOptions(config),
    // Nest 11's path syntax (the default '*' is converted with a warning at every start).
    forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
  };
}
