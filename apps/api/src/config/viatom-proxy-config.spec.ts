import { loadConfig } from './app-config';
import { problemsOf, REQUIRED_ENV } from './testing-env';

describe('VIATOM_PROXY_URL', () => {
  it('is optional: unset or blank, Viatom is called directly', () => {
    expect(loadConfig(REQUIRED_ENV).viatom.proxyUrl).toBeNull();
    expect(loadConfig({ ...REQUIRED_ENV, VIATOM_PROXY_URL: '  ' }).viatom.proxyUrl).toBeNull();
  });

  it.each([
    'http://proxy.internal:3128',
    'https://proxy.example.com:8443',
    'http://10.0.0.1:3128/',
    'http://user:pass@proxy:3128',
    'http://user%40corp:p%40ss%3Aword@proxy:3128',
    'http://[2001:db8::1]:3128',
  ])('takes %s as given', (url) => {
    expect(loadConfig({ ...REQUIRED_ENV, VIATOM_PROXY_URL: ` ${url} ` }).viatom.proxyUrl).toBe(url);
  });

  it.each([
    ['no scheme', 'proxy.internal:3128'],
    ['credentials without a scheme', 'user:hunter2@proxy:3128'],
    ['another scheme', 'socks5://user:hunter2@proxy:1080'],
    ['no host', 'http://'],
    ['a space', 'http://proxy internal:3128'],
    ['a port that is no number', 'http://user:hunter2@proxy:port'],
  ])('refuses %s without repeating the value', (_, url) => {
    const problems = problemsOf({ ...REQUIRED_ENV, VIATOM_PROXY_URL: url });
    expect(problems).toEqual([
      'VIATOM_PROXY_URL must be an http:// or https:// URL of the proxy, e.g. http://user:password@proxy.example.com:3128 (the value is not shown: it may hold a password)',
    ]);
  });

  it.each([
    ['a path', 'http://user:hunter2@proxy:3128/connect', 'http://user:***@proxy:3128/connect'],
    ['a query', 'http://proxy:3128?token=x', 'http://proxy:3128?token=x'],
    ['a fragment', 'https://user:hunter2@proxy:3128#x', 'https://user:***@proxy:3128/#x'],
  ])('refuses %s, its password masked', (_, url, shown) => {
    expect(problemsOf({ ...REQUIRED_ENV, VIATOM_PROXY_URL: url })).toEqual([
      `VIATOM_PROXY_URL must be an http:// or https:// URL of the proxy, e.g. http://user:password@proxy.example.com:3128, with nothing after the port (got "${shown}")`,
    ]);
  });

  it('refuses credentials that do not decode', () => {
    const problems = problemsOf({ ...REQUIRED_ENV, VIATOM_PROXY_URL: 'http://user:hunter2%zz@proxy:3128' });
    expect(problems).toEqual(['VIATOM_PROXY_URL: the user name or password holds a % that is not followed by two hex digits (write % as %25)']);
  });

  it('is named among the other bad variables', () => {
    const problems = problemsOf({ ...REQUIRED_ENV, VIATOM_PROXY_URL: 'proxy:3128', PORT: 'eighty' });
    expect(problems.map((p) => p.split(' ')[0])).toEqual(['PORT', 'VIATOM_PROXY_URL']);
  });
});
