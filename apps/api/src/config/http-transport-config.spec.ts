import { fastifyOptions } from '../configure-app';
import { loadConfig } from './app-config';
import { problemsOf, REQUIRED_ENV } from './testing-env';

describe('loadConfig: slow clients and keep-alive', () => {
  it('has defaults: 30 s for a whole request, 10 s for its headers, 72 s of keep-alive', () => {
    expect(loadConfig(REQUIRED_ENV)).toMatchObject({ requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 72_000 });
  });

  it('reads every variable, and hands them to Fastify and node', () => {
    const config = loadConfig({ ...REQUIRED_ENV, REQUEST_TIMEOUT_MS: '45000', HEADERS_TIMEOUT_MS: '5000', KEEP_ALIVE_TIMEOUT_MS: '620000' });
    expect(config).toMatchObject({ requestTimeoutMs: 45_000, headersTimeoutMs: 5_000, keepAliveTimeoutMs: 620_000 });
    expect(fastifyOptions(config)).toMatchObject({
      requestTimeout: 45_000,
      keepAliveTimeout: 620_000,
      http: { requestTimeout: 45_000, headersTimeout: 5_000, connectionsCheckingInterval: 500 },
    });
    // Node's own default interval is 30 s: a 30 s timeout would be up to 30 s late.
    expect(fastifyOptions(loadConfig(REQUIRED_ENV)).http.connectionsCheckingInterval).toBe(1_000);
  });

  it('names every bad variable at once', () => {
    const problems = problemsOf({ ...REQUIRED_ENV, REQUEST_TIMEOUT_MS: '0', HEADERS_TIMEOUT_MS: 'soon', KEEP_ALIVE_TIMEOUT_MS: '3600001' });
    expect(problems).toEqual([
      'REQUEST_TIMEOUT_MS must be a whole number from 1000 to 3600000 (got "0")',
      'HEADERS_TIMEOUT_MS must be a whole number from 1000 to 3600000 (got "soon")',
      'KEEP_ALIVE_TIMEOUT_MS must be a whole number from 1000 to 3600000 (got "3600001")',
    ]);
  });

  it('refuses a headers timeout longer than the request timeout (node would not start)', () => {
    expect(problemsOf({ ...REQUIRED_ENV, REQUEST_TIMEOUT_MS: '5000', HEADERS_TIMEOUT_MS: '6000' })).toEqual([
      'HEADERS_TIMEOUT_MS (6000) must not be more than REQUEST_TIMEOUT_MS (5000)',
    ]);
    expect(problemsOf({ ...REQUIRED_ENV, REQUEST_TIMEOUT_MS: '5000', HEADERS_TIMEOUT_MS: '5000' })).toEqual([]);
  });
});
