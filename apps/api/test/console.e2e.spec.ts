import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { request } from 'node:http';
import { testDatabaseTargets } from '@health-bridge/health-archive/testing';
import { CONSOLE_CSP, acceptsGzip, matchesNoneMatch } from '../src/console/console-files';
import { startApi, type ApiHarness } from './api-harness';

/** The raw answer, without fetch's own decompression: what a browser is sent. The path is sent as written (`..` included). */
function get(h: ApiHarness, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const { hostname, port } = new URL(h.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const INDEX = '<!doctype html><html><head><script type="module" src="/console/assets/index-Ab12Cd34.js"></script></head><body><div id="root"></div></body></html>';
const SCRIPT = `console.log(${JSON.stringify('x'.repeat(4000))});`;

// Serving files touches no data: the embedded database is enough for the app to start.
const sqlite = testDatabaseTargets(undefined)[0];

describe('the operator console at /console', () => {
  let dir: string;
  let h: ApiHarness;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'console-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), INDEX);
    writeFileSync(join(dir, 'assets', 'index-Ab12Cd34.js'), SCRIPT);
    writeFileSync(join(dir, 'assets', 'notes.unknown'), 'not a type the console serves');
    h = await startApi(sqlite, { CONSOLE_DIR: dir });
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('redirects /console to /console/, so that relative asset URLs resolve', async () => {
    const res = await get(h, '/console');
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe('/console/');
  });

  it('serves index.html without an API key, under its own strict CSP, always revalidated', async () => {
    const res = await get(h, '/console/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body.toString()).toBe(INDEX);
    expect(res.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).not.toContain('unsafe-inline');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['x-content-type-options']).toBe('nosniff');

    const again = await get(h, '/console/', { 'if-none-match': String(res.headers.etag) });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    const index = await get(h, '/console/index.html');
    expect(index.body.toString()).toBe(INDEX);
  });

  it('serves hashed assets for a year, gzip when asked, the same bytes either way', async () => {
    const plain = await get(h, '/console/assets/index-Ab12Cd34.js');
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(SCRIPT);
    expect(plain.headers.vary).toContain('accept-encoding');

    const zipped = await get(h, '/console/assets/index-Ab12Cd34.js', { 'accept-encoding': 'br, gzip;q=0.8' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.body.length).toBeLessThan(SCRIPT.length / 10);
    expect(gunzipSync(zipped.body).toString()).toBe(SCRIPT);
    expect((await get(h, '/console/assets/index-Ab12Cd34.js', { 'accept-encoding': 'gzip;q=0' })).headers['content-encoding']).toBeUndefined();
  });

  it('tags the gzip form apart from the plain one, and answers 304 to either tag as a cache sends it back', async () => {
    const path = '/console/assets/index-Ab12Cd34.js';
    const plain = await get(h, path);
    const zipped = await get(h, path, { 'accept-encoding': 'gzip' });
    const [plainTag, zippedTag] = [String(plain.headers.etag), String(zipped.headers.etag)];
    expect(zippedTag).not.toBe(plainTag);

    for (const ifNoneMatch of [zippedTag, `W/${zippedTag}`, `"other", ${zippedTag}`, '*']) {
      const again = await get(h, path, { 'accept-encoding': 'gzip', 'if-none-match': ifNoneMatch });
      expect({ ifNoneMatch, status: again.status, etag: again.headers.etag, vary: again.headers.vary }).toEqual({ ifNoneMatch, status: 304, etag: zippedTag, vary: 'accept-encoding' });
    }
    // The plain form's tag does not validate the gzip form (nor the other way round).
    expect((await get(h, path, { 'accept-encoding': 'gzip', 'if-none-match': plainTag })).status).toBe(200);
    expect((await get(h, path, { 'if-none-match': zippedTag })).status).toBe(200);
    expect((await get(h, path, { 'if-none-match': `W/${plainTag}` })).status).toBe(304);
  });

  it.each([
    '/console/assets/missing.js',
    '/console/../package.json',
    '/console/%2e%2e/%2e%2e/package.json',
    '/console/assets/notes.unknown',
    '/console/assets/',
    '/console/assets/../../package.json',
    '/console/assets/%2F..%2F..%2Fpackage.json',
  ])('answers 404 problem+json for %s: only the built files are ever served', async (path) => {
    const res = await get(h, path);
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });

  it('reads Accept-Encoding as HTTP means it', () => {
    expect(acceptsGzip('gzip')).toBe(true);
    expect(acceptsGzip('deflate, gzip;q=0.5')).toBe(true);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip('gzip;q=0, br')).toBe(false);
    expect(acceptsGzip('gzip;q=0.0')).toBe(false);
    expect(acceptsGzip('br')).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
    // `*` stands for the codings not named: a gzip refused by name stays refused.
    expect(acceptsGzip('gzip;q=0, *')).toBe(false);
    expect(acceptsGzip('*;q=0, gzip')).toBe(true);
    expect(acceptsGzip('br, *;q=0.1')).toBe(true);
    expect(acceptsGzip('*;q=0')).toBe(false);
  });

  it('reads If-None-Match as HTTP means it', () => {
    expect(matchesNoneMatch('"a"', '"a"')).toBe(true);
    expect(matchesNoneMatch('W/"a"', '"a"')).toBe(true);
    expect(matchesNoneMatch('"b", W/"a"', '"a"')).toBe(true);
    expect(matchesNoneMatch('*', '"a"')).toBe(true);
    expect(matchesNoneMatch('"b"', '"a"')).toBe(false);
    expect(matchesNoneMatch('"a-gz"', '"a"')).toBe(false);
    expect(matchesNoneMatch(undefined, '"a"')).toBe(false);
  });
});

describe('the console when it is not built, or turned off', () => {
  it('answers 404 naming the build step when the folder holds no index.html', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'console-empty-'));
    const h = await startApi(sqlite, { CONSOLE_DIR: empty });
    try {
      const res = await get(h, '/console/');
      expect(res.status).toBe(404);
      expect(JSON.parse(res.body.toString()).detail).toContain('npm run build');
      expect((await get(h, '/health')).status).toBe(200);
    } finally {
      await h.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('has no /console route with CONSOLE_ENABLED=false', async () => {
    const h = await startApi(sqlite, { CONSOLE_ENABLED: 'false' });
    try {
      const res = await get(h, '/console/');
      expect(res.status).toBe(404);
      expect(JSON.parse(res.body.toString()).detail ?? '').not.toContain('npm run build');
    } finally {
      await h.close();
    }
  });
});
