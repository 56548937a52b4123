import { testPush } from '@health-bridge/viatom-protocol/testing';
import { api, expectProblem, postPush, startApi, TEST_API_KEY, type ApiHarness } from './api-harness';

// Security headers, Swagger UI behind its CSP, Swagger off by configuration, rate limits.

const push = (h: ApiHarness, n: number) => postPush(h, testPush({ data_tag: `rate-${n}` }));

describe('security headers and Swagger UI', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi({ name: 'sqlite' });
  });
  afterAll(() => h?.close());

  it('sends helmet headers on API answers, errors and /health', async () => {
    for (const res of [await api(h, 'GET', '/api/v1/authorizations'), await api(h, 'GET', '/api/v1/authorizations', undefined, { 'x-api-key': 'wrong' }), await api(h, 'GET', '/health')]) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('strict-transport-security')).toMatch(/max-age=/);
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('serves Swagger UI at /docs under a CSP that allows it: every script is a file of this origin', async () => {
    const page = await fetch(`${h.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toMatch(/style-src 'self'[^;]*'unsafe-inline'/);
    expect(csp).toContain("img-src 'self' data:");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await page.text();
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, inline] of scripts) {
      expect(inline.trim()).toBe(''); // no inline script: 'self' suffices
      const src = /src="([^"]+)"/.exec(attributes)?.[1];
      expect(src).toBeDefined();
      expect(src).not.toMatch(/^https?:/);
      const asset = await fetch(new URL(src as string, `${h.url}/docs`));
      expect(asset.status).toBe(200);
      await asset.arrayBuffer(); // read it all: an unread body keeps the connection (and app.close) waiting
    }
    const json = await fetch(`${h.url}/docs-json`);
    expect(json.status).toBe(200);
    await json.arrayBuffer();
  });
});

describe('Swagger disabled', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi({ name: 'sqlite' }, { SWAGGER_ENABLED: 'false' });
  });
  afterAll(() => h?.close());

  it('serves neither /docs nor /docs-json', async () => {
    for (const path of ['/docs', '/docs-json']) {
      const res = await fetch(`${h.url}${path}`);
      expect(res.status).toBe(404);
      await res.arrayBuffer();
    }
  });
});

describe('rate limits', () => {
  const OTHER_KEY = 'another-integrator-key-0123';
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi({ name: 'sqlite' }, { API_KEYS: `${TEST_API_KEY},${OTHER_KEY}`, RATE_LIMIT_API_MAX: '5', RATE_LIMIT_PUSH_MAX: '8', RATE_LIMIT_WINDOW_SECONDS: '60' });
  });
  afterAll(() => h?.close());

  it('limits each API key on its own, answers 429 problem+json with Retry-After, and never starves pushes', async () => {
    for (let i = 0; i < 5; i++) expect((await api(h, 'GET', i % 2 ? '/api/v1/authorizations' : '/api/v1/pushes')).status).toBe(200);
    const limited = await api(h, 'GET', '/api/v1/authorizations');
    expectProblem(limited, 429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    // Another key has its own budget.
    expect((await api(h, 'GET', '/api/v1/authorizations', undefined, { 'x-api-key': OTHER_KEY })).status).toBe(200);
    // Pushes have their own limiter and budget, untouched by the API flood; /health is not limited.
    for (let i = 0; i < 8; i++) expect((await push(h, i)).status).toBe(200);
    const pushLimited = await push(h, 99);
    expect(pushLimited.status).toBe(429);
    expect(Number(pushLimited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(pushLimited.body).toMatchObject({ code: 429, reason: '', data: null });
    expect(Number((await h.dataSource.query('SELECT COUNT(*) AS n FROM push_log'))[0].n)).toBe(8);
    for (let i = 0; i < 20; i++) expect((await api(h, 'GET', '/health')).status).toBe(200);
  });

  it('counts missing or wrong keys against the caller address, so random keys do not escape the limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await api(h, 'GET', '/api/v1/authorizations', undefined, { 'x-api-key': `random-key-${i}-0123456789` })).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
  });
});
