import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import { RequestMethod } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger as PinoLogger } from 'nestjs-pino';
import { REQUEST_ID_HEADER, requestId } from './common/logging';
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
export const HELMET_OPTIONS: FastifyHelmetOptions = {
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
  app.useLogger(app.get(PinoLogger));
  app.flushLogs();

  const fastify = app.getHttpAdapter().getInstance();
  // Registered now, loaded before the routes are: every answer carries the headers.
  void fastify.register(helmet, HELMET_OPTIONS);
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
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
