/**
 * GET /metrics over real HTTP: scraped and read strictly as Prometheus' text format, with
 * counts checked against what was sent (and against the push log), labels that never carry a
 * phone or a URL, the token, the separate port, and metrics switched off.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { testDatabaseTargets } from '@health-bridge/health-archive/testing';
import { accountIdForPhone } from '@health-bridge/viatom-sandbox';
import { MetricsServer } from '../src/metrics/metrics.module';
import { testMeasurementPush } from '@health-bridge/viatom-protocol/testing';
import { api, type ApiHarness, delivered, expectProblem, postPush, PUSH_PATH, pushMessage, startApi } from './api-harness';
import { parsePrometheusText, sampleValue, samplesOf, type MetricFamily } from './prometheus-text';

const AUTHORIZED = '15300000001';
const OUT_OF_ORDER = '15300000002';
const REPEATED = '15300000003';
const LOOKED_UP = '15312341234';
const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';

async function scrape(url: string, headers: Record<string, string> = {}): Promise<{ status: number; contentType: string | null; text: string }> {
  const res = await fetch(`${url}/metrics`, { headers });
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
}

async function metricsOf(url: string, headers: Record<string, string> = {}): Promise<{ families: Map<string, MetricFamily>; text: string }> {
  const res = await scrape(url, headers);
  expect(res.status).toBe(200);
  expect(res.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  return { families: parsePrometheusText(res.text), text: res.text };
}


/** The request histogram's count for this route and status (every method). */
const requests = (families: Map<string, MetricFamily>, route: string, status: string) =>
  samplesOf(families, 'health_bridge_http_request_duration_seconds_count', { route, status_code: status }).reduce((sum, s) => sum + s.value, 0);

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('GET /metrics on $name', (target) => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi(target, {
      VIATOM_RETRY_MAX_ATTEMPTS: '3',
      VIATOM_RETRY_BASE_DELAY_MS: '5',
      VIATOM_RETRY_MAX_DELAY_MS: '20',
      VIATOM_BREAKER_THRESHOLD: '2',
      VIATOM_BREAKER_COOLDOWN_MS: '600000',
    });
  });
  afterAll(() => h?.close());

  it('starts with every push series at 0, the circuit closed, the process metrics, without an API key', async () => {
    const { families } = await metricsOf(h.url);
    for (const type of ['1', '2', '3', 'other']) {
      for (const outcome of ['applied', 'stale', 'archived', 'ignored']) expect(sampleValue(families, 'health_bridge_pushes_total', { type, outcome })).toBe(0);
      expect(sampleValue(families, 'health_bridge_push_duplicates_total', { type })).toBe(0);
    }
    expect(samplesOf(families, 'health_bridge_pushes_total')).toHaveLength(16);
    expect(sampleValue(families, 'health_bridge_viatom_calls_total', { endpoint: 'jump_path', outcome: 'ok' })).toBe(0);
    expect(samplesOf(families, 'health_bridge_viatom_circuit_state').map((s) => [s.labels.state, s.value]).sort()).toEqual([
      ['closed', 1],
      ['half-open', 0],
      ['open', 0],
    ]);
    expect(families.get('health_bridge_http_request_duration_seconds')?.type).toBe('histogram');
    // prom-client's default metrics: event-loop lag, CPU, memory.
    for (const name of ['nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_p99_seconds', 'process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes']) {
      expect(families.has(name)).toBe(true);
    }
    expect(sampleValue(families, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('shows the database pool on PostgreSQL only', async () => {
    await api(h, 'GET', '/api/v1/pushes'); // the pool has opened a connection
    const { families } = await metricsOf(h.url);
    const pool = ['health_bridge_db_pool_connections_in_use', 'health_bridge_db_pool_connections_idle', 'health_bridge_db_pool_waiting_clients', 'health_bridge_db_pool_connections_max'];
    if (target.name === 'sqlite') {
      for (const name of pool) expect(families.has(name)).toBe(false);
      return;
    }
    expect(sampleValue(families, 'health_bridge_db_pool_connections_max')).toBe(h.config.database.poolSize);
    expect(sampleValue(families, 'health_bridge_db_pool_waiting_clients')).toBe(0);
    expect(sampleValue(families, 'health_bridge_db_pool_connections_in_use')).toBe(0);
    expect(sampleValue(families, 'health_bridge_db_pool_connections_idle')).toBeGreaterThanOrEqual(1);

    // Connections held in transactions are in use; more than the pool are waiting.
    const size = h.config.database.poolSize;
    const held: Array<{ release(): Promise<void> }> = [];
    try {
      for (let i = 0; i < size; i += 1) {
        const runner = h.dataSource.createQueryRunner();
        await runner.connect();
        held.push(runner);
      }
      const waiting = h.dataSource.query('SELECT 1');
      const busy = (await metricsOf(h.url)).families;
      expect(sampleValue(busy, 'health_bridge_db_pool_connections_in_use')).toBe(size);
      expect(sampleValue(busy, 'health_bridge_db_pool_connections_idle')).toBe(0);
      expect(sampleValue(busy, 'health_bridge_db_pool_waiting_clients')).toBe(1);
      await held.pop()?.release();
      await waiting;
    } finally {
      for (const runner of held) await runner.release();
    }
  });

  it('counts pushes by type and outcome, repeats apart, and refused pushes by status; as the push log has them', async () => {
    delivered(await h.sandbox.send.authorized({ phone: AUTHORIZED })); // 2 applied
    delivered(await h.sandbox.send.outOfOrder({ phone: OUT_OF_ORDER })); // 3 applied, then 2 stale
    delivered(await h.sandbox.send.measurement({ phone: AUTHORIZED })); // 1 archived
    delivered(await h.sandbox.send.measurement({ phone: AUTHORIZED, dataType: 3 })); // 1 archived
    delivered(await h.sandbox.send.measurement({ accountId: accountIdForPhone(OUT_OF_ORDER) })); // 1 of a revoked account: ignored
    const repeated = pushMessage({ data: { phone: REPEATED } });
    for (let i = 0; i < 3; i += 1) expect((await postPush(h, repeated)).status).toBe(200); // 2 applied, then 2 repeats
    // A measurement sent twice (on PostgreSQL, through the measurement batch): 1 archived, then 1 repeat.
    const measurement = testMeasurementPush({ account_id: accountIdForPhone(AUTHORIZED), time: '2022-12-29 16:30:00' });
    for (let i = 0; i < 2; i += 1) expect((await postPush(h, measurement)).status).toBe(200);
    for (const type of [7, 2_147_483_648]) expect((await postPush(h, pushMessage({ type }))).status).toBe(200); // other, ignored
    expect((await postPush(h, pushMessage({ type: 'two' }))).status).toBe(400);
    expect((await postPush(h, pushMessage(), { token: 'wrong-token-0123456789' })).status).toBe(401);
    expect((await postPush(h, pushMessage(), { token: null })).status).toBe(401);

    const { families } = await metricsOf(h.url);
    const pushes = (type: string, outcome: string) => sampleValue(families, 'health_bridge_pushes_total', { type, outcome });
    expect({
      applied2: pushes('2', 'applied'),
      stale2: pushes('2', 'stale'),
      applied3: pushes('3', 'applied'),
      archived1: pushes('1', 'archived'),
      ignored1: pushes('1', 'ignored'),
      ignoredOther: pushes('other', 'ignored'),
      repeats2: sampleValue(families, 'health_bridge_push_duplicates_total', { type: '2' }),
      repeats1: sampleValue(families, 'health_bridge_push_duplicates_total', { type: '1' }),
    }).toEqual({ applied2: 2, stale2: 1, applied3: 1, archived1: 3, ignored1: 1, ignoredOther: 2, repeats2: 2, repeats1: 1 });

    // Every stored push is counted once, in its type and outcome.
    const logged = (await h.dataSource.query('SELECT type, outcome, COUNT(*) AS n FROM push_log GROUP BY type, outcome')) as Array<{ type: number | string | null; outcome: string; n: number | string }>;
    const counted = samplesOf(families, 'health_bridge_pushes_total').filter((s) => s.value > 0);
    const label = (type: number | string | null) => (['1', '2', '3'].includes(String(type)) ? String(type) : 'other');
    const byLabel = new Map<string, number>();
    for (const row of logged) byLabel.set(`${label(row.type)}/${row.outcome}`, (byLabel.get(`${label(row.type)}/${row.outcome}`) ?? 0) + Number(row.n));
    expect(new Map(counted.map((s) => [`${s.labels.type}/${s.labels.outcome}`, s.value]))).toEqual(byLabel);

    expect(requests(families, PUSH_PATH, '200')).toBe(13);
    expect(requests(families, PUSH_PATH, '400')).toBe(1);
    expect(requests(families, PUSH_PATH, '401')).toBe(2);
  });

  it('counts calls to Viatom by endpoint and outcome, their attempts and time, and shows the circuit', async () => {
    const authUrl = () => api(h, 'POST', '/api/v1/authorizations/auth-url');
    expect((await authUrl()).status).toBe(200);
    h.sandbox.setFault({ errorCode: 109999, count: 2 });
    expect((await authUrl()).status).toBe(200); // 3 attempts
    h.sandbox.setFault({ errorCode: 100005 });
    expectProblem(await authUrl(), 502);
    h.sandbox.setFault({ errorCode: 109993 });
    expectProblem(await authUrl(), 502);
    h.sandbox.resetFaults();
    expect((await api(h, 'POST', '/api/v1/authorizations/cancel', { phone: AUTHORIZED })).status).toBe(200);
    const before = (await metricsOf(h.url)).families;
    expect(sampleValue(before, 'health_bridge_viatom_circuit_state', { state: 'closed' })).toBe(1);

    // Two failed calls in a row open the circuit (VIATOM_BREAKER_THRESHOLD=2); the third is not made.
    h.sandbox.setFault({ dropConnection: true });
    expectProblem(await authUrl(), 502);
    expectProblem(await authUrl(), 502);
    expectProblem(await authUrl(), 503);
    const { families } = await metricsOf(h.url);
    const calls = (endpoint: string, outcome: string) => sampleValue(families, 'health_bridge_viatom_calls_total', { endpoint, outcome });
    expect({
      ok: calls('jump_path', 'ok'),
      refused: calls('jump_path', 'refused'),
      credentials: calls('jump_path', 'credentials-rejected'),
      reset: calls('jump_path', 'connection-reset'),
      circuitOpen: calls('jump_path', 'circuit-open'),
      cancelOk: calls('cancel', 'ok'),
    }).toEqual({ ok: 2, refused: 1, credentials: 1, reset: 2, circuitOpen: 1, cancelOk: 1 });
    // 1 + 3 + 1 + 1 + 3 + 3 + 0 attempts, as the sandbox saw them.
    expect(sampleValue(families, 'health_bridge_viatom_call_attempts_total', { endpoint: 'jump_path' })).toBe(12);
    expect(sampleValue(families, 'health_bridge_viatom_call_attempts_total', { endpoint: 'cancel' })).toBe(1);
    expect(h.sandbox.calls.length).toBe(13);
    expect(sampleValue(families, 'health_bridge_viatom_call_duration_seconds_count', { endpoint: 'jump_path' })).toBe(7);
    expect(sampleValue(families, 'health_bridge_viatom_call_duration_seconds_sum', { endpoint: 'jump_path' })).toBeGreaterThan(0);
    expect(samplesOf(families, 'health_bridge_viatom_circuit_state').map((s) => [s.labels.state, s.value]).sort()).toEqual([
      ['closed', 0],
      ['half-open', 0],
      ['open', 1],
    ]);
  });

  it('labels requests by route pattern: no phone, no URL, a 404 as `unmatched`', async () => {
    // A phone never seen: 404, on a route that matched.
    expectProblem(await api(h, 'GET', `/api/v1/authorizations/${LOOKED_UP}`), 404);
    expect((await api(h, 'GET', `/api/v1/authorizations/${AUTHORIZED}`)).status).toBe(200);
    expectProblem(await api(h, 'DELETE', `/api/v1/authorizations/${LOOKED_UP}`), 404);
    expectProblem(await api(h, 'GET', `/api/v1/pushes?phone=${LOOKED_UP}&limit=0`), 400);
    expectProblem(await api(h, 'GET', `/nothing/${LOOKED_UP}?phone=${LOOKED_UP}`), 404);
    expectProblem(await api(h, 'GET', `/api/v1/authorizations/${LOOKED_UP}`, undefined, { 'x-api-key': 'a-wrong-key-0123456789' }), 401);

    const { families } = await metricsOf(h.url);
    // Not one label anywhere holds a phone (the pushes above carried several) or a query string.
    const values = [...families.values()].flatMap((family) => family.samples.flatMap((sample) => Object.values(sample.labels)));
    expect(values.length).toBeGreaterThan(100);
    expect(values.filter((value) => /\d{6}|\?/.test(value))).toEqual([]);
    const series = samplesOf(families, 'health_bridge_http_request_duration_seconds_count');
    for (const { labels } of series) {
      expect(Object.keys(labels).sort()).toEqual(['method', 'route', 'status_code']);
      expect(labels.route === 'unmatched' || /^\/[\w/:*-]*$/.test(labels.route)).toBe(true);
      expect(labels.status_code).toMatch(/^[1-5]\d\d$/);
    }
    const count = (method: string, route: string, status: string) =>
      sampleValue(families, 'health_bridge_http_request_duration_seconds_count', { method, route, status_code: status });
    expect(count('GET', '/api/v1/authorizations/:phone', '404')).toBe(1);
    expect(count('GET', '/api/v1/authorizations/:phone', '200')).toBe(1);
    expect(count('GET', '/api/v1/authorizations/:phone', '401')).toBe(1);
    expect(count('GET', '/api/v1/pushes', '400')).toBe(1);
    expect(count('DELETE', 'unmatched', '404')).toBe(1);
    expect(count('GET', 'unmatched', '404')).toBe(1);
    // The scrapes so far are requests too.
    expect(count('GET', '/metrics', '200')).toBeGreaterThanOrEqual(4);
    expect(samplesOf(families, 'health_bridge_http_request_duration_seconds_sum', { route: PUSH_PATH, status_code: '200' })[0].value).toBeGreaterThan(0);
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  let h: ApiHarness;
  const logs: string[] = [];
  beforeAll(async () => {
    const logStream = new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    });
    h = await startApi({ name: 'sqlite' }, { METRICS_TOKEN, LOG_LEVEL: 'debug' }, { logStream });
  });
  afterAll(() => h?.close());

  it.each<[string, Record<string, string>]>([
    ['no Authorization', {}],
    ['a wrong token', { authorization: 'Bearer wrong-metrics-token-0123456789' }],
    ['the token as Basic', { authorization: `Basic ${METRICS_TOKEN}` }],
    ['the token without a scheme', { authorization: METRICS_TOKEN }],
    ['the API key instead', { 'x-api-key': 'test-api-key-0123456789' }],
  ])('answers 401 problem+json to %s, with WWW-Authenticate', async (_name, headers) => {
    const res = await fetch(`${h.url}/metrics`, { headers });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
    const body = (await res.json()) as { status: number; detail: string };
    expect(body).toMatchObject({ status: 401, detail: expect.stringMatching(/token/) });
    expect(JSON.stringify(body)).not.toContain('health_bridge_');
  });

  it('answers 200 with the bearer token, and never logs it', async () => {
    const { families } = await metricsOf(h.url, { authorization: `Bearer ${METRICS_TOKEN}` });
    expect(sampleValue(families, 'health_bridge_viatom_circuit_state', { state: 'closed' })).toBe(1);
    expect(await metricsOf(h.url, { authorization: `bearer  ${METRICS_TOKEN}` })).toBeTruthy();
    expect(logs.some((line) => line.includes('"url":"/metrics"'))).toBe(true);
    expect(logs.join('')).not.toContain(METRICS_TOKEN);
  });
});

describe('metrics in production', () => {
  const started: ApiHarness[] = [];
  // Every app is closed, even when closing another fails.
  afterAll(() => Promise.allSettled(started.map((h) => h.close())));

  const warningsWith = async (env: Record<string, string>) => {
    const lines: string[] = [];
    const logStream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    started.push(await startApi({ name: 'sqlite' }, { NODE_ENV: 'production', LOG_LEVEL: 'warn', ...env }, { logStream }));
    return lines.filter((line) => line.includes('/metrics is open'));
  };

  it('warns at start when /metrics is on the API port without a token, and not otherwise', async () => {
    expect(await warningsWith({})).toHaveLength(1);
    expect(await warningsWith({ METRICS_TOKEN })).toEqual([]);
    expect(await warningsWith({ METRICS_PORT: '0' })).toEqual([]);
    expect(await warningsWith({ METRICS_ENABLED: 'false' })).toEqual([]);
  });
});

describe('metrics on METRICS_PORT', () => {
  let h: ApiHarness;
  let metricsUrl: string;
  beforeAll(async () => {
    h = await startApi({ name: 'sqlite' }, { METRICS_PORT: '0', METRICS_TOKEN });
    metricsUrl = h.app.get(MetricsServer).url;
  });
  afterAll(() => h?.close());

  it('serves /metrics there, with the token, and not on the API port', async () => {
    expect(metricsUrl).not.toBe(h.url);
    expectProblem(await api(h, 'GET', '/metrics'), 404);
    expect((await scrape(metricsUrl)).status).toBe(401);
    const { families } = await metricsOf(metricsUrl, { authorization: `Bearer ${METRICS_TOKEN}` });
    // The API's requests are counted; the metrics port's own are not requests of the API.
    expect(sampleValue(families, 'health_bridge_http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status_code: '404' })).toBe(1);
    expect(samplesOf(families, 'health_bridge_http_request_duration_seconds_count', { route: '/metrics' })).toEqual([]);
  });

  it('answers 404 to any other path or method there', async () => {
    for (const [method, path] of [
      ['GET', '/'],
      ['GET', '/api/v1/pushes'],
      ['POST', '/metrics'],
    ]) {
      const res = await fetch(`${metricsUrl}${path}`, { method, headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it('refuses to start on a busy METRICS_PORT, naming it', async () => {
    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    try {
      const port = (busy.address() as AddressInfo).port;
      await expect(startApi({ name: 'sqlite' }, { METRICS_PORT: String(port) })).rejects.toThrow(new RegExp(`METRICS_PORT ${port} is already in use`));
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  });

  it('stops serving when the app closes, even with a scraper keeping its connection open', async () => {
    const other = await startApi({ name: 'sqlite' }, { METRICS_PORT: '0' });
    const url = other.app.get(MetricsServer).url;
    try {
      expect((await scrape(url)).status).toBe(200);
    } finally {
      await other.close();
    }
    await expect(fetch(`${url}/metrics`)).rejects.toThrow();
  });
});

describe('metrics switched off', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi({ name: 'sqlite' }, { METRICS_ENABLED: 'false' });
  });
  afterAll(() => h?.close());

  it('answers 404 at /metrics, and the API works as before', async () => {
    expectProblem(await api(h, 'GET', '/metrics'), 404);
    expect((await postPush(h, pushMessage())).status).toBe(200);
    expect((await api(h, 'POST', '/api/v1/authorizations/auth-url')).status).toBe(200);
  });
});

describe('the text-format reader of these tests', () => {
  it('reads families, labels with escapes, and histograms', () => {
    const families = parsePrometheusText(
      [
        '# HELP a_total A counter.',
        '# TYPE a_total counter',
        'a_total{x="q\\"uo\\\\te",y="line\\nbreak"} 3',
        '# TYPE h histogram',
        'h_bucket{le="0.5"} 1',
        'h_bucket{le="+Inf"} 2',
        'h_sum 0.7',
        'h_count 2',
        '# TYPE g gauge',
        'g{x="a"} Nan',
        'g{x="b"} -Inf 1700000000000',
        '',
      ].join('\n'),
    );
    expect(sampleValue(families, 'a_total', { x: 'q"uo\\te', y: 'line\nbreak' })).toBe(3);
    expect(families.get('a_total')?.help).toBe('A counter.');
    expect(sampleValue(families, 'h_count')).toBe(2);
    expect(sampleValue(families, 'g', { x: 'a' })).toBeNaN();
    expect(sampleValue(families, 'g', { x: 'b' })).toBe(-Infinity);
  });

  it.each([
    ['a sample of no declared family', 'b 1'],
    ['a malformed label', '# TYPE a gauge\na{x=1} 1'],
    ['an unterminated label value', '# TYPE a gauge\na{x="1} 1'],
    ['a value that is no number', '# TYPE a gauge\na 1,5'],
    ['a series twice', '# TYPE a gauge\na{x="1"} 1\na{x="1"} 2'],
    ['buckets that are not cumulative', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1'],
    ['a histogram without +Inf', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1'],
  ])('refuses %s', (_name, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });
});
