import { ExecutionContext, HttpException, Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail, type ThrottlerModuleOptions } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import type { AppConfig } from '../config/app-config';
import { API_KEY_HEADER, digestKeys, matchesSecret } from './api-key.guard';
import { PUSH_RECEIVER_PATH } from './problem.filter';
import { problem } from './problem';

/** Two throttlers with their own counters, so a flood of API calls never starves Viatom's pushes. */
export const API_THROTTLER = 'api';
export const PUSH_THROTTLER = 'push';

const routeOf = (context: ExecutionContext): string => context.switchToHttp().getRequest<FastifyRequest>().routeOptions?.url ?? '';
const isPush = (context: ExecutionContext) => routeOf(context) === PUSH_RECEIVER_PATH;
const isIntegratorApi = (context: ExecutionContext) => routeOf(context).startsWith('/api/') && !isPush(context);

/**
 * `api`: per integrator key (a valid key's SHA-256; a missing or wrong key counts against the
 * caller's address instead, so random keys do not escape the limit). `push`: per source address.
 * Storage is in memory, per process: see the README to share it through Redis across replicas.
 */
export function throttlerOptions(config: Pick<AppConfig, 'apiKeys' | 'rateLimit'>): ThrottlerModuleOptions {
  const keys = digestKeys(config.apiKeys);
  const { windowSeconds, apiMax, pushMax } = config.rateLimit;
  return {
    throttlers: [
      {
        name: API_THROTTLER,
        ttl: windowSeconds * 1000,
        limit: apiMax,
        skipIf: (context) => apiMax === 0 || !isIntegratorApi(context),
        getTracker: (req) => {
          const key = (req as FastifyRequest).headers[API_KEY_HEADER];
          if (typeof key === 'string' && key.length > 0 && matchesSecret(key, keys)) return `key:${createHash('sha256').update(key).digest('hex')}`;
          return `ip:${(req as FastifyRequest).ip}`;
        },
      },
      {
        name: PUSH_THROTTLER,
        ttl: windowSeconds * 1000,
        limit: pushMax,
        skipIf: (context) => pushMax === 0 || !isPush(context),
        getTracker: (req) => `ip:${(req as FastifyRequest).ip}`,
      },
    ],
    // One counter per caller across every route, not one per route.
    generateKey: (_context, tracker, name) => `${name}:${tracker}`,
    setHeaders: false,
  };
}

/** The throttler, answering 429 problem+json (or Viatom's envelope on the push receiver) with Retry-After. */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const retryAfter = Math.max(1, Math.ceil(detail.timeToBlockExpire));
    context.switchToHttp().getResponse<FastifyReply>().header('retry-after', String(retryAfter));
    throw new HttpException(problem(429, `Too many requests: at most ${detail.limit} per ${Math.round(detail.ttl / 1000)} s. Try again in ${retryAfter} s.`), 429);
  }
}
