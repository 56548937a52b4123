import { Agent as HttpAgent, createServer, type Server, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { HttpPostError, httpPost, type HttpPostOptions } from './http-post';

// The transport alone, against a real local HTTP server whose answers each test chooses (the
// client's behaviour against Viatom's faults is tested against the sandbox, in viatom-client.spec).
describe('httpPost', () => {
  let server: Server;
  let url: URL;
  let answer: (res: ServerResponse, body: string, headers: Record<string, unknown>) => void;
  const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  const options = (overrides: Partial<HttpPostOptions> = {}): HttpPostOptions => ({
    headers: { 'content-type': 'application/json' },
    agents,
    timeoutMs: 2000,
    signal: new AbortController().signal,
    maxAnswerBytes: 1024,
    ...overrides,
  });

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => answer(res, body, req.headers));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api`);
  });
  afterAll(async () => {
    agents.http.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends the body (UTF-8, with its length) and headers, and reads any status with its whole body', async () => {
    let seen: { body: string; headers: Record<string, unknown> } | undefined;
    answer = (res, body, headers) => {
      seen = { body, headers };
      res.writeHead(418, { 'content-type': 'text/plain' }).end('短い answer');
    };
    const result = await httpPost(url, '{"phone":"张"}', options({ headers: { secret: 's3' } }));

    expect(result).toEqual({ status: 418, body: '短い answer' });
    expect(seen?.body).toBe('{"phone":"张"}');
    expect(seen?.headers).toMatchObject({ secret: 's3', 'content-length': String(Buffer.byteLength('{"phone":"张"}')) });
  });

  it('refuses an answer longer than the limit', async () => {
    answer = (res) => res.end('x'.repeat(5000));
    await expect(httpPost(url, '', options())).rejects.toMatchObject({ code: 'ERR_ANSWER_TOO_LARGE' });
  });

  it('fails with ECONNRESET when the connection drops in the middle of the answer', async () => {
    answer = (res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"code":0,');
      setTimeout(() => res.socket?.destroy(), 20);
    };
    await expect(httpPost(url, '', options())).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('fails with ETIMEDOUT when no answer comes within the timeout, and with ERR_CANCELED when the signal aborts', async () => {
    answer = () => undefined; // never answers
    await expect(httpPost(url, '', options({ timeoutMs: 50 }))).rejects.toMatchObject({ code: 'ETIMEDOUT' });

    const controller = new AbortController();
    const pending = httpPost(url, '', options({ signal: controller.signal }));
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toMatchObject({ code: 'ERR_CANCELED' });
    await expect(httpPost(url, '', options({ signal: controller.signal }))).rejects.toBeInstanceOf(HttpPostError);
  });

  it('fails with ECONNREFUSED when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(httpPost(new URL(`http://127.0.0.1:${port}/`), '', options())).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
