// Liveness and readiness as an orchestrator reads them: /health/live says the process answers,
// /health/ready that it can serve (database reachable, every migration applied). Viatom's
// circuit is shown and never makes it unready. The probes are not request-logged.
import { runPendingMigrations } from '@health-bridge/health-archive';
import { testDatabaseTargets, type CuttableRelay } from '@health-bridge/health-archive/testing';
import { api, expectProblem, startApi, startApiBehindRelay, type ApiBehindRelay, type ApiHarness } from './api-harness';

const postgresUrl = process.env.TEST_DATABASE_URL;
const probe = (h: ApiHarness, path: string) => api(h, 'GET', path, undefined, { 'x-api-key': '' });

describe.each(testDatabaseTargets(postgresUrl))('liveness and readiness on $name', (target) => {
  let h: ApiHarness;
  const lines: string[] = [];
  beforeAll(async () => {
    h = await startApi(target, { LOG_LEVEL: 'info' }, { logStream: { write: (line: string) => void lines.push(line) } });
  });
  afterAll(() => h?.close());

  it('/health/live: 200 ok without an API key', async () => {
    const res = await probe(h, '/health/live');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('/health/ready: 200 ready with the database up and every migration applied', async () => {
    const res = await probe(h, '/health/ready');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', database: 'up', migrations: 'applied', viatomCircuit: 'closed' });
  });

  it('both are outside /api/v1, and /health answers as before', async () => {
    expectProblem(await api(h, 'GET', '/api/v1/health/live'), 404);
    expectProblem(await api(h, 'GET', '/api/v1/health/ready'), 404);
    expect((await probe(h, '/health')).body).toEqual({ status: 'ok', database: 'up', viatomCircuit: 'closed' });
  });

  it('the probes are not request-logged; other requests, an unknown path under /health included, are', async () => {
    lines.length = 0;
    for (const path of ['/health', '/health/live', '/health/ready', '/health/ready?verbose=1']) await probe(h, path);
    expect((await probe(h, '/health/other')).status).toBe(404);
    await api(h, 'GET', '/api/v1/pushes');
    const logged = lines.map((line) => JSON.parse(line)).filter((entry) => entry.msg === 'request completed').map((entry) => entry.req.url);
    expect(logged).toEqual(['/health/other', '/api/v1/pushes']);
  });
});

describe.each(testDatabaseTargets(postgresUrl))('readiness and migrations on $name (DATABASE_MIGRATIONS_RUN=false)', (target) => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi(target, { DATABASE_MIGRATIONS_RUN: 'false' });
  });
  afterAll(() => h?.close());

  it('is not ready until every migration is applied (live all along); once seen applied, that is remembered', async () => {
    expect(await probe(h, '/health/ready')).toMatchObject({ status: 503, body: { status: 'not-ready', database: 'up', migrations: 'pending', viatomCircuit: 'closed' } });
    expect((await probe(h, '/health/live')).status).toBe(200);

    await runPendingMigrations(h.dataSource);
    // One migration recorded as not applied: still pending.
    const [last] = await h.dataSource.query('SELECT id, timestamp, name FROM migrations ORDER BY timestamp DESC LIMIT 1');
    await h.dataSource.query(`DELETE FROM migrations WHERE name = '${last.name}'`);
    expect(await probe(h, '/health/ready')).toMatchObject({ status: 503, body: { status: 'not-ready', migrations: 'pending' } });

    await h.dataSource.query(`INSERT INTO migrations (id, timestamp, name) VALUES (${Number(last.id)}, ${Number(last.timestamp)}, '${last.name}')`);
    expect(await probe(h, '/health/ready')).toMatchObject({ status: 200, body: { status: 'ready', database: 'up', migrations: 'applied' } });

    // Not looked up again (a probe costs one ping): the row going away is not noticed.
    await h.dataSource.query(`DELETE FROM migrations WHERE name = '${last.name}'`);
    expect(await probe(h, '/health/ready')).toMatchObject({ status: 200, body: { migrations: 'applied' } });
    await h.dataSource.query(`INSERT INTO migrations (id, timestamp, name) VALUES (${Number(last.id)}, ${Number(last.timestamp)}, '${last.name}')`);
  });
});

describe("readiness and Viatom's circuit", () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi({ name: 'sqlite' }, { VIATOM_RETRY_MAX_ATTEMPTS: '1', VIATOM_BREAKER_THRESHOLD: '1', VIATOM_BREAKER_COOLDOWN_MS: '60000' });
  });
  afterAll(() => h?.close());

  it('stays ready with the circuit open, and shows it', async () => {
    h.sandbox.setFault({ dropConnection: true });
    expect((await api(h, 'POST', '/api/v1/authorizations/auth-url')).status).toBe(502);
    expect(await probe(h, '/health/ready')).toMatchObject({ status: 200, body: { status: 'ready', viatomCircuit: 'open' } });
    expect((await probe(h, '/health')).body).toMatchObject({ status: 'degraded', viatomCircuit: 'open' });
  });
});

describe('readiness with the database gone (SQLite: the DataSource destroyed)', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi({ name: 'sqlite' });
  });
  afterAll(() => h?.close());

  it('503 not-ready, database down, migrations still known applied; live stays 200', async () => {
    expect((await probe(h, '/health/ready')).status).toBe(200);
    await h.dataSource.destroy();
    expect(await probe(h, '/health/ready')).toMatchObject({ status: 503, body: { status: 'not-ready', database: 'down', migrations: 'applied' } });
    expect(await probe(h, '/health/live')).toMatchObject({ status: 200, body: { status: 'ok' } });
  });
});

(postgresUrl ? describe : describe.skip)('readiness through a PostgreSQL outage (a relay cut, then restored)', () => {
  let h: ApiHarness;
  let relay: CuttableRelay;
  let behindRelay: ApiBehindRelay | undefined;
  beforeAll(async () => {
    behindRelay = await startApiBehindRelay(postgresUrl as string, { DATABASE_MIGRATIONS_RUN: 'false' });
    ({ h, relay } = behindRelay);
  });
  afterAll(() => behindRelay?.close());

  it('is not ready while the database is down (migrations unknown: never seen), ready again once it is back', async () => {
    await relay.cut();
    expect(await probe(h, '/health/ready')).toMatchObject({ status: 503, body: { status: 'not-ready', database: 'down', migrations: 'unknown' } });
    expect((await probe(h, '/health/live')).status).toBe(200);

    await relay.restore();
    expect(await probe(h, '/health/ready')).toMatchObject({ status: 503, body: { database: 'up', migrations: 'pending' } });
    await runPendingMigrations(h.dataSource);
    expect(await probe(h, '/health/ready')).toMatchObject({ status: 200, body: { status: 'ready', database: 'up', migrations: 'applied' } });

    await relay.cut();
    expect(await probe(h, '/health/ready')).toMatchObject({ status: 503, body: { status: 'not-ready', database: 'down', migrations: 'applied' } });
    await relay.restore();
    expect((await probe(h, '/health/ready')).status).toBe(200);
  });
});
