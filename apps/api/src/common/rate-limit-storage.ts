import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import Redis from 'ioredis';
import { Counter, Gauge, register } from 'prom-client';
import { maskUrlPassword, type RateLimitRedisConfig } from '../config/security-config';

type StorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** What a request counts for while Redis cannot be asked: nothing, so it is let through. */
const LET_THROUGH: StorageRecord = { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };

/**
 * A healthy Redis answers the counting script in well under a millisecond: a request waits at
 * most this long for it before it is let through, and a connection that stops answering is
 * dropped (and reconnected) soon after.
 */
const COMMAND_TIMEOUT_MS = 500;
const SOCKET_TIMEOUT_MS = 1_000;
/** Also how long the start waits for Redis, at most, before it goes on without it. */
const CONNECT_TIMEOUT_MS = 2_000;

export const STORAGE_ERRORS_METRIC = 'health_bridge_rate_limit_storage_errors_total';
export const STORAGE_UP_METRIC = 'health_bridge_rate_limit_storage_up';

// On the default registry, once per process: tests build many apps in one process.
const metric = <T>(name: string, create: () => T): T => (register.getSingleMetric(name) as T | undefined) ?? create();
const storageErrors = () =>
  metric(STORAGE_ERRORS_METRIC, () => new Counter({ name: STORAGE_ERRORS_METRIC, help: 'Rate-limit counts that Redis did not answer; each let its request through unlimited (fail open)' }));
const storageUp = () => metric(STORAGE_UP_METRIC, () => new Gauge({ name: STORAGE_UP_METRIC, help: 'Whether the rate-limit counters in Redis are reachable (1) or not (0)' }));

/**
 * The throttler's counters in Redis (REDIS_URL), so that every replica counts against one limit.
 * Failing open: while Redis is down or slow, requests are let through unlimited rather than
 * refused, since a rate limit is a guard against floods, not a reason to turn away Viatom or an
 * integrator. Each such request counts in `health_bridge_rate_limit_storage_errors_total`; an
 * outage is logged once (warn) and its end once. The client reconnects for ever; nothing
 * queues while it is away.
 */
export class SharedRateLimitStorage implements ThrottlerStorage, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private readonly redis: Redis;
  private readonly counters: ThrottlerStorageRedisService;
  private readonly target: string;
  private readonly password: string;
  private readonly errors = storageErrors();
  private readonly up = storageUp();
  /** `unsure`: the connection closed and no count has failed yet (a reconnection may come first). */
  private state: 'new' | 'up' | 'unsure' | 'down' = 'new';

  constructor(private readonly config: RateLimitRedisConfig) {
    this.target = maskUrlPassword(config.url);
    this.password = decodeURIComponent(new URL(config.url).password);
    this.redis = new Redis(config.url, {
      keyPrefix: config.keyPrefix,
      // Connected by onModuleInit: building the module graph (the OpenAPI export) connects nothing.
      lazyConnect: true,
      // While disconnected a count fails at once instead of waiting in a queue, and one in
      // flight when the connection drops fails at once instead of after a reconnection.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: COMMAND_TIMEOUT_MS,
      socketTimeout: SOCKET_TIMEOUT_MS,
      connectTimeout: CONNECT_TIMEOUT_MS,
      // A connection given up on (at shutdown, when QUIT went unanswered) has nothing left to send: no grace timer holding the process.
      disconnectTimeout: 0,
    });
    this.counters = new ThrottlerStorageRedisService(this.redis);
    this.redis.on('ready', () => this.reachable());
    // Connection errors arrive here (a listener also keeps ioredis from printing each one).
    this.redis.on('error', (error: Error) => this.unreachable(error));
    this.redis.on('close', () => {
      if (this.state !== 'up') return;
      this.state = 'unsure';
      this.up.set(0);
    });
    this.up.set(0);
  }

  /** Waits for the first connection attempt, so that limits are shared from the first request; a Redis that is down does not stop the start. */
  async onModuleInit(): Promise<void> {
    await this.redis.connect().catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => this.redis.disconnect());
    else this.redis.disconnect();
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<StorageRecord> {
    try {
      const record = await this.counters.increment(key, ttl, limit, blockDuration, throttlerName);
      this.reachable();
      return record;
    } catch (error) {
      this.errors.inc();
      this.unreachable(error as Error);
      return LET_THROUGH;
    }
  }

  private reachable(): void {
    if (this.state === 'up') return;
    const was = this.state;
    this.state = 'up';
    this.up.set(1);
    if (was === 'new') this.logger.log(`Rate-limit counters in Redis ${this.target} (keys ${this.config.keyPrefix}…): shared by every replica`);
    if (was === 'down') this.logger.log(`Redis ${this.target} is back: rate limits are enforced and shared again`);
  }

  private unreachable(error: Error): void {
    this.up.set(0);
    if (this.state === 'down') return;
    this.state = 'down';
    // ioredis says "Stream isn't writeable…" for a count asked while it is reconnecting.
    const message = error.message.startsWith("Stream isn't writeable") ? 'not connected' : error.message;
    const reason = this.password ? message.split(this.password).join('***') : message;
    this.logger.warn(`Redis ${this.target} is unreachable (${reason}): requests are let through without rate limits until it is back`);
  }
}
