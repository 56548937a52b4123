import { isFhirRoute } from '../fhir/fhir-route';
import { ExecutionContext, HttpException, Injectable, Logger } from '@nestjs/common';
import { normalizeIp, ThrottlerGuard, type ThrottlerLimitDetail, type ThrottlerModuleOptions, type ThrottlerStorage } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import type { AppConfig } from '../config/app-config';
import { isPushReceiverHandler } from '../webhooks/push-receiver';
import { API_KEY_HEADER, digestKeys, matchesSecret } from './api-key.guard';
import { SharedRateLimitStorage } from './rate-limit-storage';
import { problem } from './problem';

/** Counters apart, so a flood of API calls never starves Viatom's pushes. */
export const API_THROTTLER = 'api';
export const PUSH_THROTTLER = 'push';
const PUSH_FAILURES = 'push-failures';

const routeOf = (context: ExecutionContext): string => context.switchToHttp().getRequest<FastifyRequest>().routeOptions?.url ?? '';
/** The integrator API: the routes under the API prefix and the FHIR API, except a push receiver, which has limits of its own. */
const isIntegratorApi = (context: ExecutionContext) =>
  (routeOf(context).startsWith('/api/') || isFhirRoute(context.switchToHttp().getRequest<FastifyRequest>())) && !isPushReceiverHandler(context);

/** Answers 429 with Retry-After (problem+json, or Viatom's envelope on the push receiver: the filter decides). */
function tooManyRequests(reply: FastifyReply, secondsLeft: number, detail: string): never {
  const retryAfter = Math.max(1, Math.ceil(secondsLeft));
  reply.header('retry-after', String(retryAfter));
  throw new HttpException(problem(429, `${detail} Try again in ${retryAfter} s.`), 429);
}

/**
 * `api`: per integrator key (a valid key's SHA-256; a missing or wrong key counts against the
 * caller's address instead, so random keys do not escape the limit). The push receiver is
 * limited by PushRateLimits, from its own guard: only there is it known whether a push passed.
 * Counters are in Redis with REDIS_URL (shared by every replica, failing open), else in memory, per process.
 */
export function throttlerOptions(config: Pick<AppConfig, 'apiKeys' | 'rateLimit'>): ThrottlerModuleOptions {
  const keys = digestKeys(config.apiKeys);
  const { windowSeconds, apiMax } = config.rateLimit;
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
    ],
    // One counter per caller across every route, not one per route.
    generateKey: (_context, tracker, name) => `${name}:${tracker}`,
    setHeaders: false,
    storage: config.rateLimit.redis ? new SharedRateLimitStorage(config.rateLimit.redis) : undefined,
  };
}

/** The throttler, answering 429 problem+json (or Viatom's envelope on the push receiver) with Retry-After. */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    tooManyRequests(reply, detail.timeToBlockExpire, `Too many requests: at most ${detail.limit} per ${Math.round(detail.ttl / 1000)} s.`);
  }
}

/**
 * The push receiver's limits, kept in the throttler's storage (so a Redis storage shares them
 * across replicas as well). Viatom's retry policy is unknown and a catch-up burst after an
 * outage is legitimate, so a push that passed every check counts against nothing and is never
 * refused unless RATE_LIMIT_PUSH_MAX is set. What is limited by default is failing:
 * RATE_LIMIT_PUSH_FAILURES_MAX failed checks from one address in a window, after which its
 * further failures are answered 429 (with Retry-After, without a log line each) until the
 * window passes. A failing attempt is refused either way; what keeps the token safe is its
 * strength (at least 16 characters, compared in constant time), and the limit keeps a
 * guesser's noise out of the logs. Counted per address; IPv6 per /64, which one host can hold whole.
 * Nothing here runs for a push that passes: the hot path pays nothing for it.
 */
export class PushRateLimits {
  private readonly logger = new Logger('PushAuth');
  private readonly windowMs: number;
  private readonly failuresLimited: boolean;
  /** Addresses whose block was logged, until when. */
  private readonly announced = new Map<string, number>();

  constructor(
    private readonly storage: ThrottlerStorage,
    private readonly limits: AppConfig['rateLimit'],
    /** Whether any push check is configured: with none, nothing can fail. */
    checked: boolean,
  ) {
    this.windowMs = limits.windowSeconds * 1000;
    this.failuresLimited = checked && limits.pushFailuresMax > 0;
  }

  /**
   * Counts a failed check. Beyond the limit the failure is answered 429 here (this throws),
   * logged once per block; within it, the caller answers and logs it.
   */
  async countFailure(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (!this.failuresLimited) return;
    const source = sourceOf(request);
    const failures = await this.storage.increment(`${PUSH_FAILURES}:${source}`, this.windowMs, this.limits.pushFailuresMax, this.windowMs, PUSH_FAILURES);
    if (!failures.isBlocked) return;
    if (this.firstOfBlock(source, failures.timeToBlockExpire)) {
      this.logger.warn(`${this.limits.pushFailuresMax} failed push checks from ${request.ip} in ${this.limits.windowSeconds} s: its further failures are answered 429`);
    }
    tooManyRequests(reply, failures.timeToBlockExpire, `Too many failed push checks from this address: at most ${this.limits.pushFailuresMax} per ${this.limits.windowSeconds} s.`);
  }

  /** True once per block and process: the storage says whether an address is blocked, not since when. */
  private firstOfBlock(source: string, secondsLeft: number): boolean {
    const now = Date.now();
    if ((this.announced.get(source) ?? 0) > now) return false;
    if (this.announced.size >= 10_000) this.announced.clear();
    this.announced.set(source, now + secondsLeft * 1000);
    return true;
  }

  /** Opt-in (RATE_LIMIT_PUSH_MAX): counts a push that passed every check, refusing it over the limit. */
  async countAccepted(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (this.limits.pushMax === 0) return;
    const record = await this.storage.increment(`${PUSH_THROTTLER}:${sourceOf(request)}`, this.windowMs, this.limits.pushMax, this.windowMs, PUSH_THROTTLER);
    if (record.isBlocked) {
      tooManyRequests(reply, record.timeToBlockExpire, `Too many pushes from this address: at most ${this.limits.pushMax} per ${this.limits.windowSeconds} s.`);
    }
  }
}

const sourceOf = (request: FastifyRequest) => `ip:${normalizeIp(request.ip)}`;
