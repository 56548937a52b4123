import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { problem } from './problem';

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

/** Configured keys as SHA-256 digests: plain keys are hashed, `sha256:<hex>` entries are taken as is. */
export function digestKeys(keys: string[]): Buffer[] {
  return keys.map((key) => (key.startsWith('sha256:') ? Buffer.from(key.slice(7), 'hex') : sha256(key)));
}

/** Global guard: every route but those marked `@PublicRoute()` needs a valid `X-API-Key`. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly keys: Buffer[];

  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.keys = digestKeys(config.apiKeys);
  }

  canActivate(context: ExecutionContext): boolean {
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers[API_KEY_HEADER];
    if (typeof header !== 'string' || header.length === 0) {
      throw new UnauthorizedException(problem(401, 'The X-API-Key header is missing.'));
    }
    if (!matchesSecret(header, this.keys)) throw new UnauthorizedException(problem(401, 'The X-API-Key is not valid.'));
    return true;
  }
}
