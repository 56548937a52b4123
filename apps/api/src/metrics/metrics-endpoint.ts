import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { matchesSecret } from '../common/api-key.guard';
import { problem, PROBLEM_CONTENT_TYPE } from '../common/problem';
import type { AppConfig } from '../config/app-config';
import { ApiMetrics } from './api-metrics';

export const METRICS_PATH = '/metrics';

export interface MetricsAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * What `GET /metrics` answers, on the API's port or on METRICS_PORT alike: the text format,
 * or 401 when METRICS_TOKEN is set and the request does not carry it as a bearer token.
 */
export function metricsAnswerer(metrics: ApiMetrics, token: string | null): (authorization: string | undefined) => Promise<MetricsAnswer> {
  const accepted = token === null ? null : [createHash('sha256').update(token, 'utf8').digest()];
  return async (authorization): Promise<MetricsAnswer> => {
    if (accepted !== null) {
      const given = /^Bearer +(\S+) *$/i.exec(authorization ?? '')?.[1];
      if (given === undefined || !matchesSecret(given, accepted)) {
        const detail = given === undefined ? 'Metrics need the METRICS_TOKEN as `Authorization: Bearer <token>`.' : 'The metrics token is not valid.';
        return {
          status: 401,
          headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'www-authenticate': 'Bearer realm="metrics"' },
          body: JSON.stringify(problem(401, detail)),
        };
      }
    }
    return { status: 200, headers: { 'content-type': metrics.contentType, 'cache-control': 'no-store' }, body: await metrics.scrape() };
  };
}

/**
 * The request histogram (every answered request, in the onResponse hook) and, unless
 * METRICS_PORT moves it away, `GET /metrics` on the API's port: a plain Fastify route like
 * /docs, outside /api/v1, outside Swagger (it is for operators, not integrators) and outside
 * the integrator API key and rate limits; the token, when set, is its lock.
 */
/** Records an answered request; `route` is its pattern (`request.routeOptions.url`), read once by the caller. */
export type RequestObserver = (request: FastifyRequest, reply: FastifyReply, route: string | undefined) => void;

export function installMetrics(app: NestFastifyApplication, config: Pick<AppConfig, 'metrics' | 'nodeEnv'>): RequestObserver | null {
  if (!config.metrics.enabled) return null;
  const metrics = app.get(ApiMetrics);
  ApiMetrics.collectProcessMetrics();
  const fastify = app.getHttpAdapter().getInstance();
  // Called from configure-app's one onResponse hook, which reads the route pattern once for the log line and this.
  const observe: RequestObserver = (request, reply, route) => metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime);
  if (config.metrics.port !== undefined) return observe;
  if (config.nodeEnv === 'production' && config.metrics.token === null) {
    new Logger('Metrics').warn("/metrics is open to anyone who reaches the API's port: set METRICS_TOKEN, or METRICS_PORT on a port that is not exposed.");
  }
  const answer = metricsAnswerer(metrics, config.metrics.token);
  fastify.get(METRICS_PATH, async (request, reply) => {
    const { status, headers, body } = await answer(request.headers.authorization);
    return reply.code(status).headers(headers).send(body);
  });
  return observe;
}
