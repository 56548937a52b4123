import { CuttableRelay } from '@health-bridge/health-archive/testing';
import { createSandbox } from '@health-bridge/viatom-sandbox';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { register } from 'prom-client';
import { testPush } from '@health-bridge/viatom-protocol/testing';
import { api, expectProblem, postPush, startApi, TEST_API_KEY, TEST_WEBHOOK_TOKEN, type ApiHarness } from './api-harness';
import { STORAGE_ERRORS_METRIC, STORAGE_UP_METRIC } from '../src/common/rate-limit-storage';
import { forgetRedisKeys, newRedisPrefix, redisKeysUnder, TEST_REDIS_URL } from './redis-keys';

// Rate limits shared by replicas through the machine's Redis (127.0.0.1:6379), and failing open
// when Redis is unreachable or goes away. Every test uses a key prefix of its own and deletes
// only its own keys. The database plays no part in counting: SQLite only.

const REDIS_URL = TEST_REDIS_URL;
const WRONG_TOKEN = 'not-the-webhook-token-0123';

async function metricValue(name: string): Promise<number> {
  const metric = register.getSingleMetric(name);
  return metric ? ((await metric.get()).values[0]?.value ?? 0) : 0;
}

/** A sample of GET /metrics (the Prometheus text format): a metric without labels. */
async function scraped(base: string, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

const listCalls = (h: Pick<ApiHarness, 'url'>) => api(h, 'GET', '/api/v1/pushes?limit=1');
const push = (h: ApiHarness, token = TEST_WEBHOOK_TOKEN) => postPush(h, testPush(), { token, headers: { 'x-forwarded-for': '198.51.100.20' } });

/** JSON log lines written by the apps of a test, with a way to wait for one. */
function logLines() {
  const lines: Array<{ level: number; msg: string }> = [];
  const raw: string[] = [];
  return {
    stream: { write: (line: string) => void (raw.push(line), lines.push(JSON.parse(line))) },
    raw,
    matching: (level: number, pattern: RegExp) => lines.filter((l) => l.level === level && pattern.test(l.msg)),
    async waitFor(level: number, pattern: RegExp, count: number, what: string): Promise<void> {
      for (let i = 0; i < 150 && this.matching(level, pattern).length < count; i++) await sleep(100);
      if (this.matching(level, pattern).length < count) throw new Error(`never logged ${count}× ${what}; log: ${raw.join('')}`);
    },
  };
}
const WARN = 40;
const INFO = 30;
const UNREACHABLE = /^Redis .* is unreachable \(.*\): requests are let through without rate limits until it is back$/;
const BACK = /^Redis .* is back: rate limits are enforced and shared again$/;

/** Starts harnesses together and closes every one that started, whatever happens. */
async function withApis(envs: Array<Record<string, string>>, run: (apps: ApiHarness[]) => Promise<void>, logStream?: { write(line: string): void }) {
  const started = await Promise.allSettled(envs.map((env) => startApi({ name: 'sqlite' }, { TRUST_PROXY: '127.0.0.1', ...env }, { logStream })));
  const apps = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  try {
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    await run(apps);
  } finally {
    await Promise.allSettled(apps.map((h) => h.close()));
  }
}

describe('rate limits shared through Redis', () => {
  const prefixes: string[] = [];
  afterAll(() => forgetRedisKeys(prefixes));

  it('gives two instances with the same REDIS_URL and prefix one API limit; another prefix, or no REDIS_URL, counts on its own', async () => {
    const shared = newRedisPrefix();
    const other = newRedisPrefix();
    prefixes.push(shared, other);
    const limit = { RATE_LIMIT_API_MAX: '3', RATE_LIMIT_WINDOW_SECONDS: '60' };
    await withApis(
      [
        { ...limit, REDIS_URL, RATE_LIMIT_REDIS_PREFIX: shared },
        { ...limit, REDIS_URL, RATE_LIMIT_REDIS_PREFIX: shared },
        { ...limit, REDIS_URL, RATE_LIMIT_REDIS_PREFIX: other },
        limit,
      ],
      async ([a, b, otherPrefix, inMemory]) => {
        // Alternating: the fourth call in total is over the limit, on either instance.
        for (const h of [a, b, a]) expect((await listCalls(h)).status).toBe(200);
        const limited = await listCalls(b);
        expectProblem(limited, 429);
        expect(limited.body.detail).toMatch(/at most 3 per 60 s/);
        expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
        expectProblem(await listCalls(a), 429);
        // The counters are in Redis, under the prefix, and nowhere else.
        expect(await redisKeysUnder(shared)).toEqual(expect.arrayContaining([expect.stringMatching(/^health-bridge-test:.*\{api:key:[0-9a-f]{64}:api\}:hits$/)]));
        // Another deployment (prefix) and a process without Redis each have a whole allowance of their own.
        for (const h of [otherPrefix, inMemory]) {
          for (let i = 0; i < 3; i++) expect((await listCalls(h)).status).toBe(200);
          expectProblem(await listCalls(h), 429);
        }
        expect(await redisKeysUnder(other)).toHaveLength(2); // hits and blocked
        expect(await metricValue(STORAGE_UP_METRIC)).toBe(1);
      },
    );
  });

  it('counts failed push checks across both instances, and still never refuses a push that passes', async () => {
    const shared = newRedisPrefix();
    prefixes.push(shared);
    await withApis(
      [1, 2].map(() => ({ REDIS_URL, RATE_LIMIT_REDIS_PREFIX: shared, RATE_LIMIT_PUSH_FAILURES_MAX: '3' })),
      async ([a, b]) => {
        for (const h of [a, b, a]) expect((await push(h, WRONG_TOKEN)).status).toBe(401);
        for (const h of [b, a]) {
          const blocked = await push(h, WRONG_TOKEN);
          expect(blocked.status).toBe(429);
          expect(blocked.body).toMatchObject({ code: 429, message: expect.stringMatching(/failed push checks/) });
        }
        expect((await push(b)).status).toBe(200);
        expect((await push(a)).status).toBe(200);
      },
    );
  });
});

describe('Redis unreachable (fail open)', () => {
  it('starts, serves every request unlimited, logs one warning without the password, and says so in the metrics', async () => {
    const log = logLines();
    const errorsBefore = await metricValue(STORAGE_ERRORS_METRIC);
    const env = {
      // Nothing listens on port 1: every connection attempt is refused.
      REDIS_URL: 'redis://:hunter2-redis-password@127.0.0.1:1',
      RATE_LIMIT_API_MAX: '2',
      RATE_LIMIT_PUSH_FAILURES_MAX: '1',
      LOG_LEVEL: 'info',
    };
    await withApis(
      [env],
      async ([h]) => {
        for (let i = 0; i < 6; i++) expect((await listCalls(h)).status).toBe(200);
        // Failed push checks are still refused, for themselves (401), not blocked (429).
        for (let i = 0; i < 3; i++) expect((await push(h, WRONG_TOKEN)).status).toBe(401);
        expect((await push(h)).status).toBe(200);
        // Every count that Redis did not answer: six API calls and three failed checks (a push that passes counts nothing).
        expect((await metricValue(STORAGE_ERRORS_METRIC)) - errorsBefore).toBe(9);
        expect(await metricValue(STORAGE_UP_METRIC)).toBe(0);
        expect(await scraped(h.url, STORAGE_UP_METRIC)).toBe(0);
        expect(await scraped(h.url, STORAGE_ERRORS_METRIC)).toBeGreaterThanOrEqual(9);
        const warnings = log.matching(WARN, UNREACHABLE);
        expect(warnings).toHaveLength(1);
        expect(warnings[0].msg).toContain('redis://:***@127.0.0.1:1');
        expect(log.raw.join('')).not.toContain('hunter2');
      },
      log.stream,
    );
  });
});

describe('Redis going away mid-run', () => {
  const relay = new CuttableRelay(REDIS_URL);
  const prefix = newRedisPrefix();
  beforeAll(() => relay.start());
  afterAll(async () => {
    await relay.cut();
    await forgetRedisKeys([prefix]);
  });

  it('keeps serving while it is away, logs the outage once per instance and its end, shares the limit again after, and closes its connection', async () => {
    const log = logLines();
    const env = { REDIS_URL: relay.databaseUrl, RATE_LIMIT_REDIS_PREFIX: prefix, RATE_LIMIT_API_MAX: '4', LOG_LEVEL: 'info' };
    await withApis(
      [env, env],
      async ([a, b]) => {
        for (const h of [a, b]) expect((await listCalls(h)).status).toBe(200);
        expect(relay.connections).toBe(2);

        await relay.cut();
        const errorsBefore = await metricValue(STORAGE_ERRORS_METRIC);
        for (const h of [a, b, a, b, a, b]) expect((await listCalls(h)).status).toBe(200);
        expect((await metricValue(STORAGE_ERRORS_METRIC)) - errorsBefore).toBe(6);
        expect(await metricValue(STORAGE_UP_METRIC)).toBe(0);
        await log.waitFor(WARN, UNREACHABLE, 2, 'the outage');

        await relay.restore();
        await log.waitFor(INFO, BACK, 2, 'the end of the outage');
        expect(await metricValue(STORAGE_UP_METRIC)).toBe(1);
        // The two calls counted before the cut are still counted: two more, then the limit, on either instance.
        for (const h of [a, b]) expect((await listCalls(h)).status).toBe(200);
        for (const h of [a, b]) expectProblem(await listCalls(h), 429);
        // One warning per instance for the whole outage, however many requests it let through.
        expect(log.matching(WARN, UNREACHABLE)).toHaveLength(2);

        await Promise.all([a.close(), b.close()]);
        for (let i = 0; i < 50 && relay.connections > 0; i++) await sleep(100);
        expect(relay.connections).toBe(0);
      },
      log.stream,
    );
  });
});

/** A port free a moment ago, for a process that must be told its port. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

interface ApiProcess {
  url: string;
  output: string[];
  stop(): Promise<void>;
}

const ROOT = resolve(__dirname, '../../..');

/** The API as `npm run start:api` runs it, from the sources (ts-node): its own process, its own module graph and memory. */
async function startApiProcess(env: Record<string, string>): Promise<ApiProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    ['-r', require.resolve('ts-node/register'), '-r', require.resolve('tsconfig-paths/register'), join(ROOT, 'apps/api/src/main.ts')],
    {
      // Elsewhere than the repository, so that no local .env is read.
      cwd: tmpdir(),
      env: { PATH: process.env.PATH, TS_NODE_TRANSPILE_ONLY: 'true', TS_NODE_PROJECT: join(ROOT, 'tsconfig.base.json'), HOST: '127.0.0.1', PORT: String(port), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(kill);
  };
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) break;
    const status = await fetch(`${url}/health`).then((res) => res.status, () => 0);
    if (status === 200) return { url, output, stop };
    await sleep(100);
  }
  await stop();
  throw new Error(`the API process did not start on port ${port}:\n${output.join('')}`);
}

describe('two API processes on one Redis', () => {
  it('share one limit', async () => {
    const prefix = newRedisPrefix();
    const sandbox = createSandbox({ secret: 'sandbox-secret-for-tests', accessToken: 'sandbox-access-token-for-tests' });
    const dataDir = mkdtempSync(join(tmpdir(), 'health-bridge-shared-limit-'));
    const processes: ApiProcess[] = [];
    try {
      const sandboxUrl = await sandbox.listen(0);
      const env = (name: string) => ({
        DATABASE_URL: `sqlite:${join(dataDir, `${name}.sqlite`)}`,
        VIATOM_BASE_URL: sandboxUrl,
        VIATOM_SECRET: 'sandbox-secret-for-tests',
        VIATOM_ACCESS_TOKEN: 'sandbox-access-token-for-tests',
        API_KEYS: TEST_API_KEY,
        WEBHOOK_TOKEN: TEST_WEBHOOK_TOKEN,
        REDIS_URL,
        RATE_LIMIT_REDIS_PREFIX: prefix,
        RATE_LIMIT_API_MAX: '3',
        SWAGGER_ENABLED: 'false',
      });
      const started = await Promise.allSettled(['a', 'b'].map((name) => startApiProcess(env(name))));
      for (const s of started) if (s.status === 'fulfilled') processes.push(s.value);
      for (const s of started) if (s.status === 'rejected') throw s.reason;
      const [a, b] = processes;

      for (const p of [a, b, a]) expect((await listCalls(p)).status).toBe(200);
      for (const p of [b, a]) expectProblem(await listCalls(p), 429);
      for (const p of [a, b]) {
        // Each process's own metrics: Redis reachable, every count answered.
        expect(await scraped(p.url, STORAGE_UP_METRIC)).toBe(1);
        expect(await scraped(p.url, STORAGE_ERRORS_METRIC)).toBe(0);
      }
      for (const p of [a, b]) expect(p.output.join('')).toContain(`Rate-limit counters in Redis ${REDIS_URL} (keys ${prefix}…): shared by every replica`);
    } finally {
      await Promise.allSettled(processes.map((p) => p.stop()));
      await sandbox.close();
      rmSync(dataDir, { recursive: true, force: true });
      await forgetRedisKeys([prefix]);
    }
  }, 120_000);
});
