import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createApi, ok } from './client';

/** A real HTTP server standing in for the API: each path answers as the API would. */
let server: Server;
let baseUrl: string;
const seen: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers);
    const json = (status: number, body: unknown, type = 'application/json') => res.writeHead(status, { 'content-type': type }).end(JSON.stringify(body));
    if (req.url?.startsWith('/api/v1/webhook-endpoints?')) return json(200, { items: [], nextCursor: null });
    if (req.url === '/api/v1/authorizations/cancel')
      return json(400, { type: '/problems/validation-error', title: 'Validation failed', status: 400, detail: 'The request is not valid.', errors: [{ field: 'phone', message: 'phone must be a phone number' }] }, 'application/problem+json');
    if (req.url === '/api/v1/people/15312341234') return res.writeHead(204).end();
    if (req.url === '/api/v1/audit') return json(401, { type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'The API key is not valid.' }, 'application/problem+json');
    res.writeHead(502, { 'content-type': 'text/html' }).end('<html>bad gateway</html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the REST client', () => {
  it('sends the key as X-API-Key on every call, and never in the URL', async () => {
    const api = createApi('the-operator-key', { baseUrl });
    expect(await ok(api.GET('/api/v1/webhook-endpoints', { params: { query: { limit: 1 } } }))).toEqual({ items: [], nextCursor: null });
    expect(seen.at(-1)?.['x-api-key']).toBe('the-operator-key');
  });

  it("throws the API's problem, field errors included", async () => {
    const api = createApi('k', { baseUrl });
    const error = await ok(api.POST('/api/v1/authorizations/cancel', { body: { phone: 'x' } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).message).toBe('The request is not valid.');
    expect((error as ApiError).fieldErrors).toEqual(['phone: phone must be a phone number']);
  });

  it('signs out on a 401, and says what a non-JSON failure was', async () => {
    let signedOut = 0;
    const api = createApi('revoked-key', { baseUrl, onUnauthorized: () => signedOut++ });
    await expect(ok(api.GET('/api/v1/audit', {}))).rejects.toMatchObject({ status: 401, message: 'The API key is not valid.' });
    expect(signedOut).toBe(1);
    const error = (await ok(api.GET('/api/v1/pushes', {})).catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(502);
    expect(error.message).toMatch(/502|Bad Gateway/);
    expect(signedOut).toBe(1);
  });

  it('answers undefined for a 204', async () => {
    const api = createApi('k', { baseUrl });
    await expect(ok(api.DELETE('/api/v1/people/{phone}', { params: { path: { phone: '15312341234' } } }))).resolves.toBeUndefined();
  });
});
