import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';

/** The machine's Redis, shared with other test runs: each test keeps to key prefixes of its own. */
export const TEST_REDIS_URL = 'redis://127.0.0.1:6379';

/** A key prefix no other test or run uses. */
export const newRedisPrefix = () => `health-bridge-test:${randomUUID()}:`;

async function withRedis<T>(work: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true });
  await redis.connect();
  try {
    return await work(redis);
  } finally {
    await redis.quit();
  }
}

export const redisKeysUnder = (prefix: string): Promise<string[]> => withRedis((redis) => redis.keys(`${prefix}*`));

/** Deletes the keys under these prefixes, and nothing else. */
export async function forgetRedisKeys(prefixes: string[]): Promise<void> {
  await withRedis(async (redis) => {
    for (const prefix of prefixes) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
    }
  });
}
