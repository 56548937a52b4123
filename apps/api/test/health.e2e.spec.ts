import { testDatabaseTargets } from '@health-bridge/health-archive/testing';
import { api, expectProblem, startApi, type ApiHarness } from './api-harness';

const ROUTES = [
  '/api/v1/authorizations/auth-url',
  '/api/v1/authorizations/cancel',
  '/api/v1/authorizations/{phone}',
  '/api/v1/authorizations',
  '/api/v1/webhooks/viatom',
  '/api/v1/pushes',
  '/api/v1/measurements',
  '/health',
];

const health = async (h: ApiHarness, headers: Record<string, string> = {}) => {
  const res = await fetch(`${h.url}/health`, { headers });
  return { status: res.status, contentType: res.headers.get('content-type'), body: (await res.json()) as unknown };
};

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('health, routing and docs on $name', (target) => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi(target);
  });
  afterAll(() => h?.close());

  describe('GET /health', () => {
    it('answers 200 ok with the database up, without an API key', async () => {
      const res = await health(h);
      expect(res).toMatchObject({ status: 200, contentType: expect.stringContaining('application/json'), body: { status: 'ok', database: 'up' } });
    });

    it('ignores a wrong API key (it is public) and is not under the API prefix', async () => {
      expect((await health(h, { 'x-api-key': 'wrong-key-wrong-key-wrong' })).status).toBe(200);
      expectProblem(await api(h, 'GET', '/api/v1/health'), 404);
    });
  });

  describe('unknown routes', () => {
    it.each([
      ['GET', '/api/v1/nothing-here'],
      ['GET', '/nothing-here'],
      ['POST', '/api/v1/authorizations/auth-url/extra'],
      ['DELETE', '/api/v1/authorizations/15312341234'],
      ['GET', '/api/v1/webhooks/viatom/other'],
    ])('%s %s answers 404 problem+json, with or without an API key', async (method, path) => {
      const withKey = await api(h, method, path);
      expectProblem(withKey, 404);
      expect(withKey.body.title).toBe('Not Found');
      expectProblem(await api(h, method, path, undefined, { 'x-api-key': '' }), 404);
    });
  });

  describe('OpenAPI', () => {
    it('serves Swagger UI as HTML at /docs, without an API key', async () => {
      const res = await fetch(`${h.url}/docs`, { redirect: 'follow' });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      const html = await res.text();
      expect(html).toMatch(/swagger-ui/i);
      expect(html).toContain('health-bridge API');
    });

    it('serves an OpenAPI 3 document at /docs-json with the api-key scheme and every route', async () => {
      const res = await fetch(`${h.url}/docs-json`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('application/json');
      const document = (await res.json()) as {
        openapi: string;
        info: { title: string };
        paths: Record<string, Record<string, { security?: Array<Record<string, unknown>> }>>;
        components: { securitySchemes: Record<string, unknown> };
      };
      expect(document.openapi).toMatch(/^3\.\d+\.\d+$/);
      expect(document.info.title).toBe('health-bridge');
      expect(document.components.securitySchemes['api-key']).toMatchObject({ type: 'apiKey', in: 'header', name: 'x-api-key' });
      for (const route of ROUTES) expect(Object.keys(document.paths)).toContain(route);

      const operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
      const secured = (path: string, method: string) => operations.find((o) => o.path === path && o.method === method)?.op.security ?? [];
      expect(secured('/api/v1/authorizations/auth-url', 'post')).toContainEqual({ 'api-key': [] });
      expect(secured('/api/v1/authorizations/cancel', 'post')).toContainEqual({ 'api-key': [] });
      expect(secured('/api/v1/authorizations/{phone}', 'get')).toContainEqual({ 'api-key': [] });
      expect(secured('/api/v1/authorizations', 'get')).toContainEqual({ 'api-key': [] });
      expect(secured('/api/v1/pushes', 'get')).toContainEqual({ 'api-key': [] });
      expect(secured('/api/v1/measurements', 'get')).toContainEqual({ 'api-key': [] });
      // The push receiver and the health check do not take the API key.
      expect(secured('/api/v1/webhooks/viatom', 'post')).not.toContainEqual({ 'api-key': [] });
      expect(secured('/health', 'get')).not.toContainEqual({ 'api-key': [] });
    });
  });
});

describe('docs switched off', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi({ name: 'sqlite' }, { SWAGGER_ENABLED: 'false' });
  });
  afterAll(() => h?.close());

  it('answers 404 at /docs and /docs-json', async () => {
    expectProblem(await api(h, 'GET', '/docs'), 404);
    expectProblem(await api(h, 'GET', '/docs-json'), 404);
    expect((await health(h)).status).toBe(200);
  });
});

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('health with the database gone on $name', (target) => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi(target);
  });
  // The harness's close() tolerates the DataSource destroyed below.
  afterAll(() => h?.close());

  it('answers 503 down once the database is gone, still without an API key', async () => {
    expect((await health(h)).status).toBe(200);
    await h.dataSource.destroy();
    const res = await health(h);
    expect(res).toMatchObject({ status: 503, contentType: expect.stringContaining('application/json'), body: { status: 'down', database: 'down' } });
  });

  it('keeps answering problem+json (never a stack) on routes that need the database', async () => {
    expect(h.dataSource.isInitialized).toBe(false);
    const res = await api(h, 'GET', '/api/v1/pushes');
    expect(res.status).toBeGreaterThanOrEqual(500);
    expectProblem(res, res.status);
  });
});
