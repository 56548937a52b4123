import { loadConfig } from '../config/app-config';
import { problemsOf, REQUIRED_ENV } from '../config/testing-env';

describe('METRICS_* configuration', () => {
  it('defaults to /metrics on the API port, without a token', () => {
    expect(loadConfig(REQUIRED_ENV).metrics).toEqual({ enabled: true, token: null, port: undefined });
  });

  it('reads METRICS_ENABLED, METRICS_TOKEN and METRICS_PORT', () => {
    const token = 'a-metrics-token-0123456789';
    expect(loadConfig({ ...REQUIRED_ENV, METRICS_ENABLED: 'false', METRICS_TOKEN: ` ${token} `, METRICS_PORT: '9464' }).metrics).toEqual({
      enabled: false,
      token,
      port: 9464,
    });
    expect(loadConfig({ ...REQUIRED_ENV, METRICS_PORT: '0' }).metrics.port).toBe(0);
    expect(loadConfig({ ...REQUIRED_ENV, METRICS_PORT: ' ' }).metrics.port).toBeUndefined();
  });

  it.each([
    ['METRICS_ENABLED', 'maybe', /METRICS_ENABLED must be true or false/],
    ['METRICS_TOKEN', 'short-token', /METRICS_TOKEN must be at least 16 characters/],
    ['METRICS_PORT', '65536', /METRICS_PORT must be a whole number from 0 to 65535/],
    ['METRICS_PORT', 'abc', /METRICS_PORT must be a whole number/],
    ['METRICS_PORT', '3000', /METRICS_PORT \(3000\) must differ from PORT/],
  ])('refuses %s=%s, naming it', (name, value, problem) => {
    const problems = problemsOf({ ...REQUIRED_ENV, [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(problem);
    // A secret is never echoed back.
    if (name === 'METRICS_TOKEN') expect(problems[0]).not.toContain(value);
  });
});
