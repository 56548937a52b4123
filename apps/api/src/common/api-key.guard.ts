import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { problem } from './problem';
import { matchingKey, namedKeys, type NamedKey } from './api-keys';

export { digestKeys, matchingKey, namedKeys, parseApiKeyEntry, type NamedKey } from './api-keys';

export const API_KEY_HEADER = 'x-api-key';
const PUBLIC_ROUTE = 'health-bridge:public';

/** Marks a route (or controller) that does not take the integrator API key. */
export const PublicRoute = () => SetMetadata(PUBLIC_ROUTE, true);

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** True when `given` matches one of the configured keys, compared in constant time. */
export function matchesSecret(given: string, accepted: Buffer[]): boolean {
  const digest = sha256(given);
  // Compare against every key, without stopping early, so timing says nothing of which matched.
  let matched = false;
  for (const key of accepted) matched = timingSafeEqual(digest, key) || matched;
  return matched;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The name of the integrator key the request carried (set by ApiKeyGuard). */
    apiKeyName?: string;
  }
}

/** Global guard: every route but those marked `@PublicRoute()` needs a valid `X-API-Key`. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly keys: NamedKey[];

  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.keys = namedKeys(config.apiKeys);
  }

  canActivate(context: ExecutionContext): boolean {
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers[API_KEY_HEADER];
    if (typeof header !== 'string' || header.length === 0) {
      throw new UnauthorizedException(problem(401, 'The X-API-Key header is missing.'));
    }
    const key = matchingKey(header, this.keys);
    if (!key) throw new UnauthorizedException(problem(401, 'The X-API-Key is not valid.'));
    request.apiKeyName = key.name;
    return true;
  }
}
