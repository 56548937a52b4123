import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { api, startApi, type ApiHarness } from './api-harness';

/**
 * VIATOM_PROXY_URL: the API's calls to Viatom go through the enterprise's egress proxy, with its
 * credentials, and the password shows nowhere. The proxy is a real one (absolute-URI requests
 * forwarded to the http sandbox); the client's own tests cover CONNECT for an https Viatom.
 */
describe('calls to Viatom through VIATOM_PROXY_URL', () => {
  const seen: Array<{ target: string; credentials?: string }> = [];
  let proxy: Server;
  let proxyPort: number;
  let h: ApiHarness | undefined;

  beforeAll(async () => {
    proxy = createServer((request, response) => {
      seen.push({ target: request.url ?? '', credentials: request.headers['proxy-authorization'] });
      if (request.headers['proxy-authorization'] !== `Basic ${Buffer.from('egress:pr0xy-pass').toString('base64')}`) {
        response.writeHead(407, { 'proxy-authenticate': 'Basic' }).end();
        return;
      }
      const target = new URL(request.url ?? '');
      const { 'proxy-authorization': _c, ...headers } = request.headers;
      const upstream = httpRequest({ host: target.hostname, port: target.port, method: request.method, path: target.pathname + target.search, headers }, (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      });
      upstream.on('error', () => response.writeHead(502).end());
      request.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyPort = (proxy.address() as AddressInfo).port;
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
    seen.length = 0;
  });
  afterAll(() => new Promise((resolve) => proxy.close(resolve)));

  it('asks Viatom for the authorization URL through the proxy, with its credentials', async () => {
    const lines: string[] = [];
    h = await startApi({ name: 'sqlite' }, { VIATOM_PROXY_URL: `http://egress:pr0xy-pass@127.0.0.1:${proxyPort}`, LOG_LEVEL: 'debug' }, { logStream: { write: (line: string) => void lines.push(line) } });
    const res = await api(h, 'POST', '/api/v1/authorizations/auth-url');
    expect(res.status).toBe(200);
    expect(res.body.jumpPath).toBe(`${h.sandbox.publicUrl}/auth/#/?sign=${[...h.sandbox.issuedSigns][0]}`);
    expect(seen).toEqual([{ target: `${h.sandboxUrl}/api/v1/open/auth/jump_path`, credentials: expect.stringMatching(/^Basic /) }]);
    expect(h.sandbox.calls).toEqual([expect.objectContaining({ endpoint: 'jump_path', secret: 'valid', accessToken: 'valid' })]);
    expect(lines.join('\n')).not.toContain('pr0xy-pass');
  });

  it('answers 503 when the proxy refuses, and calls Viatom not at all', async () => {
    h = await startApi({ name: 'sqlite' }, { VIATOM_PROXY_URL: `http://egress:wrong@127.0.0.1:${proxyPort}`, VIATOM_RETRY_MAX_ATTEMPTS: '1' });
    const res = await api(h, 'POST', '/api/v1/authorizations/auth-url');
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(JSON.stringify(res.body)).not.toContain('wrong@');
    expect(seen.length).toBeGreaterThan(0);
    expect(h.sandbox.calls).toEqual([]);
  });
});
