import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import helmet, { type HelmetOptions } from 'helmet';
import type { Logger as PinoLogger } from 'pino';
import { logRequest, PinoNestLogger, REQUEST_ID_HEADER, requestId, ROOT_LOGGER } from './common/logging';
import { createValidationPipe } from './common/validation';
import { type AppConfig } from './config/app-config';
import { createOpenApiDocument, setupSwagger } from './swagger';

export const API_PREFIX = 'api/v1';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body exactly as received (for signatures and audit). */
    rawBody?: string;
  }
}

/** Fastify options that the app needs; used by main.ts and by the tests alike. */
export function fastifyOptions(config: Pick<AppConfig, 'bodyLimitBytes' | 'trustProxy'>) {
  // X-Forwarded-For is believed only from the configured proxies (addresses / CIDR ranges):
  // `request.ip` is then the client the last trusted proxy saw, otherwise the socket's peer.
  return {
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy.length > 0 ? config.trustProxy : false,
    requestIdHeader: false as const,
    genReqId: requestId,
  };
}

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
export function configureApp(app: NestFastifyApplication, config: AppConfig): void {
  app.setGlobalPrefix(API_PREFIX, { exclude: [{ path: 'health', method: RequestMethod.GET }] });
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
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.headers(headers);
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    logRequest(logger, request, reply);
    done();
  });
  // JSON is the only body this API takes (anything else is 415). The raw text is kept beside
  // the parsed value; an empty body is "no body" (the auth-url body is optional);
  // prototype-pollution keys are refused by Fastify's own secure parser.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    request.rawBody = text;
    if (text.trim() === '') return done(null, undefined);
    parseJson(request, text, done);
  });

  if (config.swaggerEnabled) setupSwagger(app, createOpenApiDocument(app));
}
