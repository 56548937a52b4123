import type { Type } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { createTestDatabase, HEALTH_ARCHIVE_DATA_SOURCE, CuttableRelay, OpenedResources, type TestDatabase, type TestDatabaseTarget } from '@health-bridge/health-archive/testing';
import { DataProtection } from '@health-bridge/health-archive';
import { testPush } from '@health-bridge/viatom-protocol/testing';
import { createSandbox, type PushRecord, type Sandbox } from '@health-bridge/viatom-sandbox';
import type { DestinationStream } from 'pino';
import type { DataSource } from 'typeorm';
import { AppModule } from '../src/app.module';
import { loadConfig, type AppConfig } from '../src/config/app-config';
import { configureApp, fastifyOptions, NEST_APP_OPTIONS } from '../src/configure-app';

export const TEST_API_KEY = 'test-api-key-0123456789';
export const TEST_WEBHOOK_TOKEN = 'test-webhook-token-0123456789';
const SECRET = 'sandbox-secret-for-tests';
const ACCESS_TOKEN = 'sandbox-access-token-for-tests';
/** Where Viatom is told to push (with `?token=`): a public contract, so the tests spell it out. */
export const PUSH_PATH = '/api/v1/webhooks/viatom';

export interface ApiHarness {
  /** Base URL of the running API, e.g. http://127.0.0.1:PORT */
  url: string;
  app: NestFastifyApplication;
  sandbox: Sandbox;
  sandboxUrl: string;
  config: AppConfig;
  dataSource: DataSource;
  database: TestDatabase;
  /** The push receiver URL, with the webhook token. */
  pushUrl: string;
  /** The keys the database's data is sealed with (to read a row in a test, or hash a phone as the service does). */
  protection: DataProtection;
  close(): Promise<void>;
}

/**
 * The whole service as production runs it (same config loader, same configureApp, real
 * HTTP), on a throw-away database, wired to an in-process Viatom sandbox. `controllers`: test
 * controllers mounted in the app's own module, beside its routes (so they get its providers and guards).
 */
export async function startApi(
  target: TestDatabaseTarget,
  env: Record<string, string> = {},
  options: { logStream?: DestinationStream; controllers?: Type[] } = {},
): Promise<ApiHarness> {
  const opened = new OpenedResources(`startApi on ${target.name}`);
  const sandbox = createSandbox({ secret: SECRET, accessToken: ACCESS_TOKEN });
  opened.add(() => sandbox.close());
  const sandboxUrl = await opened.step('starting the Viatom sandbox', () => sandbox.listen(0));
  const database = await opened.step('creating the test database', () => createTestDatabase(target));
  opened.add(() => database.drop());
  const config = await opened.step('loading the configuration', () => loadConfig({
    DATABASE_URL: database.options.url,
    ...(database.options.schema ? { DATABASE_SCHEMA: database.options.schema } : {}),
    VIATOM_BASE_URL: sandboxUrl,
    VIATOM_SECRET: SECRET,
    VIATOM_ACCESS_TOKEN: ACCESS_TOKEN,
    VIATOM_TIMEOUT_MS: '2000',
    API_KEYS: TEST_API_KEY,
    WEBHOOK_TOKEN: TEST_WEBHOOK_TOKEN,
    // Quiet and unthrottled unless a test asks (logging.e2e, rate-limit.e2e).
    LOG_LEVEL: 'silent',
    RATE_LIMIT_API_MAX: '0',
    RATE_LIMIT_PUSH_MAX: '0',
    // push-auth, webhooks and fuzz send far more refused pushes from 127.0.0.1 than the default allows.
    RATE_LIMIT_PUSH_FAILURES_MAX: '0',
    // Data stays after a withdrawal unless a test asks (withdrawal.e2e): tests read what a cancel left.
    RETENTION_AFTER_WITHDRAWAL: 'P3650D',
    // The database's own keys (each test database has new ones).
    ...sameDatabaseEnv({ database }),
    ...env,
  }));
  const appModule = AppModule.forRoot(config, { logStream: options.logStream });
  const moduleRef = await opened.step('compiling the application module', () =>
    Test.createTestingModule({ imports: [{ ...appModule, controllers: [...(appModule.controllers ?? []), ...(options.controllers ?? [])] }] }).compile(),
  );
  // Closing the app closes its module too; until there is an app, the module is closed alone.
  let closeApp = () => moduleRef.close();
  opened.add(() => closeApp());
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(fastifyOptions(config)), {
    ...NEST_APP_OPTIONS,
    logger: false,
  });
  closeApp = () => app.close();
  const url = await opened.step('starting the API', async () => {
    configureApp(app, config);
    await app.listen(0, env.HOST ?? '127.0.0.1');
    const address = await app.getUrl();
    return env.HOST ? address : address.replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
  });
  const pushUrl = `${url}${PUSH_PATH}?token=${TEST_WEBHOOK_TOKEN}`;
  sandbox.setPushUrl(pushUrl);
  return {
    url,
    app,
    sandbox,
    sandboxUrl,
    config,
    dataSource: app.get<DataSource>(HEALTH_ARCHIVE_DATA_SOURCE),
    database,
    pushUrl,
    protection: app.get(DataProtection),
    // Closes the app, the database and the sandbox, each even when another fails (e.g. a test destroyed the DataSource).
    close: () => opened.close(),
  };
}

/** The environment of another API on the same database as `h` (a replica): its URL, schema and data keys. */
export function sameDatabaseEnv(h: Pick<ApiHarness, 'database'>): Record<string, string> {
  return {
    DATABASE_URL: h.database.options.url,
    ...(h.database.options.schema ? { DATABASE_SCHEMA: h.database.options.schema } : {}),
    DATA_ENCRYPTION_KEYS: h.database.keys.encryptionKeys.map(({ id, key }) => `${id}:${key.toString('base64')}`).join(','),
    DATA_HASH_KEY: h.database.keys.hashKey.toString('base64'),
  };
}

/** The API on PostgreSQL, reaching the database only through a relay that a test can cut, reset and restore. */
export interface ApiBehindRelay {
  h: ApiHarness;
  relay: CuttableRelay;
  /** Brings the relay back (so that the API's pool closes cleanly), closes the API, then the relay. */
  close(): Promise<void>;
}

/**
 * startApi on PostgreSQL with DATABASE_URL through a started relay; the test schema is the
 * harness's own, on the real server. `query`: parameters added to the relayed URL (e.g. an
 * application_name that tells the API's backends apart). The relay is closed if the API fails to start.
 */
export async function startApiBehindRelay(postgresUrl: string, env: Record<string, string> = {}, query: Record<string, string> = {}): Promise<ApiBehindRelay> {
  const relay = new CuttableRelay(postgresUrl);
  await relay.start();
  let h: ApiHarness;
  try {
    h = await startApi({ name: 'postgres', url: postgresUrl }, { DATABASE_URL: relay.urlWith(query), ...env });
  } catch (error) {
    await relay.cut();
    throw error;
  }
  return {
    h,
    relay,
    close: async () => {
      try {
        await relay.restore();
        await h.close();
      } finally {
        await relay.cut();
      }
    },
  };
}

/** fetch with the API key, JSON in and out. */
export async function api(
  harness: Pick<ApiHarness, 'url'>,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Headers; text: string }> {
  const response = await fetch(`${harness.url}${path}`, {
    method,
    headers: {
      'x-api-key': TEST_API_KEY,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: parsedOrText(text), headers: response.headers, text };
}

/** Calls the sandbox's admin API. */
export async function sandboxAdmin(harness: Pick<ApiHarness, 'sandboxUrl'>, path: string, body: unknown = {}): Promise<any> {
  const response = await fetch(`${harness.sandboxUrl}/admin${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`sandbox admin ${path}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

/** Empties the tables and forgets what the sandbox saw (calls, pushes, authorized phones, faults). */
export async function resetState(harness: Pick<ApiHarness, 'dataSource' | 'sandbox'>): Promise<void> {
  await harness.sandbox.settled();
  harness.sandbox.reset();
  await harness.dataSource.query('DELETE FROM measurement');
  await harness.dataSource.query('DELETE FROM push_log');
  await harness.dataSource.query('DELETE FROM user_authorization');
  await harness.dataSource.query('DELETE FROM consent_record');
  await harness.dataSource.query('DELETE FROM access_audit');
  // The outbox (its deliveries go with it); the webhook endpoints stay.
  await harness.dataSource.query('DELETE FROM event');
  await harness.dataSource.query('DELETE FROM event_subject');
}

/**
 * testPush (a type-2 push for 15312341234, a fresh data_tag each call) with any field replaced by
 * anything, what Viatom never sends included: for the tests of what the receiver refuses.
 */
export function pushMessage(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...testPush(), ...overrides };
}

export interface PushOptions {
  /** Sent as `?token=` (default the harness's WEBHOOK_TOKEN); null or '' sends none. */
  token?: string | null;
  /** Added to `Content-Type: application/json`, or replacing it (a charset, Content-Encoding, signatures, X-Forwarded-For…). */
  headers?: Record<string, string>;
  /** The receiver's path, when it is not the push receiver's. */
  path?: string;
  signal?: AbortSignal;
}

/** An answer of the push receiver: the body parsed when it is JSON (Viatom's envelope), else its text. */
export interface PushAnswer {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

/**
 * Posts a push to the receiver as Viatom does. `body`: an object is sent as its JSON; a string
 * or bytes are sent as they are (JSON as a sender wrote it, another charset, a compressed body).
 */
export async function postPush(harness: Pick<ApiHarness, 'url'>, body: unknown, options: PushOptions = {}): Promise<PushAnswer> {
  const { token = TEST_WEBHOOK_TOKEN, headers = {}, path = PUSH_PATH, signal } = options;
  const response = await fetch(`${harness.url}${path}${token ? `?token=${encodeURIComponent(token)}` : ''}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
    signal,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: parsedOrText(text), text };
}

function parsedOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text; // not JSON: keep the text
  }
}

/** Asserts an RFC 9457 problem answer with this status, and that it leaks no internals. */
export function expectProblem(res: { status: number; headers: Headers; body: any }, status: number): void {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
  expect(JSON.stringify(res.body)).not.toMatch(/stack|at Object\.|\.ts:\d+/);
}

/** The sandbox's send records, each asserted answered 200 by the API (the push was stored). */
export function delivered(records: PushRecord[]): PushRecord[] {
  for (const record of records) expect({ status: record.status, error: record.error }).toEqual({ status: 200, error: null });
  return records;
}

/** Follows `nextCursor` from the first page to the last; returns every page's items. */
export async function allPages(harness: Pick<ApiHarness, 'url'>, path: string, limit: number): Promise<any[][]> {
  const pages: any[][] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const res = await api(harness, 'GET', `${path}${separator}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    pages.push(res.body.items);
    cursor = res.body.nextCursor;
    if (cursor !== null) expect(res.body.items).toHaveLength(limit);
    if (pages.length > 1000) throw new Error('pagination does not end');
  } while (cursor !== null);
  return pages;
}
