import { RequestMethod } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
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
export function fastifyOptions(config: Pick<AppConfig, 'bodyLimitBytes'>) {
  return { bodyLimit: config.bodyLimitBytes, trustProxy: false };
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

  const fastify = app.getHttpAdapter().getInstance();
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
