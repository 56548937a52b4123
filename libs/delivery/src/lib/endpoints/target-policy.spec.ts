import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { checkTargetUrl, isForbiddenAddress, MAX_TARGET_URL_LENGTH, TargetUrlRefusedError, type TargetPolicy } from './target-policy';

describe('isForbiddenAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback, the whole /8'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', '"this network"'],
    ['10.0.0.1', 'private 10/8'],
    ['10.255.255.255', 'private 10/8'],
    ['172.16.0.1', 'private 172.16/12'],
    ['172.31.255.255', 'private 172.16/12, its end'],
    ['192.168.1.1', 'private 192.168/16'],
    ['169.254.169.254', 'cloud metadata (link-local)'],
    ['169.254.0.1', 'link-local'],
    ['100.64.0.1', 'CGNAT'],
    ['100.127.255.255', 'CGNAT, its end'],
    ['192.0.0.8', 'IETF protocol assignments'],
    ['192.0.2.10', 'TEST-NET-1'],
    ['198.18.0.1', 'benchmarking'],
    ['198.51.100.7', 'TEST-NET-2'],
    ['203.0.113.9', 'TEST-NET-3'],
    ['224.0.0.251', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['::1', 'IPv6 loopback'],
    ['::', 'IPv6 unspecified'],
    ['0:0:0:0:0:0:0:1', 'IPv6 loopback, written out'],
    ['fc00::1', 'unique local'],
    ['fd12:3456:789a::1', 'unique local'],
    ['fe80::1', 'IPv6 link-local'],
    ['febf::1', 'IPv6 link-local, its end'],
    ['fe80::1%eth0', 'link-local with a zone id'],
    ['fec0::1', 'site-local'],
    ['ff02::1', 'IPv6 multicast'],
    ['2001:db8::1', 'IPv6 documentation'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback, in hex'],
    ['::ffff:10.1.2.3', 'IPv4-mapped private'],
    ['::ffff:169.254.169.254', 'IPv4-mapped metadata'],
    ['0:0:0:0:0:ffff:c0a8:0101', 'IPv4-mapped 192.168.1.1, written out'],
    ['64:ff9b::7f00:1', 'NAT64 of loopback'],
    ['64:ff9b::10.0.0.1', 'NAT64 of a private address'],
    ['::127.0.0.1', 'IPv4-compatible (deprecated)'],
    ['2002:7f00:1::1', '6to4'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
    ['100::1', 'discard-only'],
    ['not an address', 'not an IP address at all (fails closed)'],
    ['', 'empty'],
    ['1.2.3', 'a short IPv4 form (not an address to node)'],
  ])('refuses %s (%s)', (ip) => {
    expect(isForbiddenAddress(ip)).toBe(true);
  });

  it.each([
    ['93.184.215.14', 'a public IPv4 address'],
    ['8.8.8.8', 'a public IPv4 address'],
    ['172.15.255.255', 'just below 172.16/12'],
    ['172.32.0.0', 'just above 172.16/12'],
    ['100.63.255.255', 'just below CGNAT'],
    ['100.128.0.0', 'just above CGNAT'],
    ['11.0.0.1', 'just above 10/8'],
    ['169.253.255.255', 'just below link-local'],
    ['223.255.255.255', 'just below multicast'],
    ['2606:4700:4700::1111', 'a public IPv6 address'],
    ['2a00:1450:4001:80b::200e', 'a public IPv6 address'],
    ['::ffff:93.184.215.14', 'IPv4-mapped public'],
    ['64:ff9b::5db8:d70e', 'NAT64 of a public address'],
  ])('allows %s (%s)', (ip) => {
    expect(isForbiddenAddress(ip)).toBe(false);
  });
});

describe('checkTargetUrl', () => {
  const open: TargetPolicy = { allowPrivateTargets: true, requireHttps: false };
  const production: TargetPolicy = { allowPrivateTargets: false, requireHttps: true };
  /** Names a test resolver knows, as a DNS server would answer them. */
  const names: Record<string, string[]> = {
    'hooks.example.com': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
    'internal.example.com': ['10.0.0.5'],
    'half-internal.example.com': ['93.184.215.14', '192.168.0.10'],
    'metadata.example.com': ['169.254.169.254'],
    'mapped.example.com': ['::ffff:127.0.0.1'],
  };
  const withNames = (policy: TargetPolicy): TargetPolicy => ({
    ...policy,
    resolve: async (host) => {
      const addresses = names[host];
      if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      return addresses;
    },
  });
  const refusal = async (url: string, policy: TargetPolicy): Promise<string> => {
    const error = await checkTargetUrl(url, policy).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TargetUrlRefusedError);
    return (error as Error).message;
  };

  it('takes an absolute http or https URL and gives it back parsed', async () => {
    expect((await checkTargetUrl('https://hooks.example.com/in?x=1', withNames(production))).href).toBe('https://hooks.example.com/in?x=1');
    expect((await checkTargetUrl('http://127.0.0.1:8080/hook', open)).href).toBe('http://127.0.0.1:8080/hook');
    expect((await checkTargetUrl('https://93.184.215.14/hook', production)).host).toBe('93.184.215.14');
    expect((await checkTargetUrl('https://[2606:4700:4700::1111]/hook', production)).hostname).toBe('[2606:4700:4700::1111]');
  });

  it.each([
    ['an empty string', '', 'absolute http or https URL'],
    ['"not a url"', 'not a url', 'absolute http or https URL'],
    ['a relative path', '/relative/path', 'absolute http or https URL'],
    ['ftp:', 'ftp://example.com/file', 'http or https'],
    ['javascript:', 'javascript:alert(1)', 'http or https'],
    ['file:', 'file:///etc/passwd', 'http or https'],
    ['a user and password', 'https://user:pass@example.com/hook', 'credentials'],
    ['a user name alone', 'https://user@example.com/hook', 'credentials'],
    ['port 0', 'https://8.8.8.8:0/', 'port from 1 to 65535'],
    ['port 0 written long', 'http://example.com:000/hook', 'port from 1 to 65535'],
    ['a URL over 2048 characters', `https://example.com/${'a'.repeat(MAX_TARGET_URL_LENGTH)}`, `at most ${MAX_TARGET_URL_LENGTH} characters`],
    ['a URL that grows over 2048 characters once percent-encoded', `https://example.com/${' '.repeat(700)}end`, `at most ${MAX_TARGET_URL_LENGTH} characters`],
  ])('refuses %s whatever the policy', async (_what, url, reason) => {
    expect(await refusal(url, open)).toContain(reason);
    expect(await refusal(url, production)).toContain(reason);
  });

  it('refuses http when https is required, and only then', async () => {
    expect(await refusal('http://93.184.215.14/hook', production)).toBe('url must be https');
    await expect(checkTargetUrl('http://93.184.215.14/hook', { allowPrivateTargets: false, requireHttps: false })).resolves.toBeInstanceOf(URL);
  });

  it.each([
    'https://127.0.0.1/hook',
    'https://127.1/hook', // the URL parser reads short and hex IPv4 forms as the address they are
    'https://0x7f000001/hook',
    'https://2130706433/hook',
    'https://0.0.0.0/hook',
    'https://[::1]/hook',
    'https://[::]/hook',
    'https://[::ffff:127.0.0.1]/hook',
    'https://[fe80::1]/hook',
    'https://[fd00::1]/hook',
    'https://10.1.2.3/hook',
    'https://172.20.0.2:8443/hook',
    'https://192.168.1.1/hook',
    'https://169.254.169.254/latest/meta-data/',
    'https://100.64.0.1/hook',
    'https://localhost/hook',
    'https://LOCALHOST./hook',
    'https://api.localhost/hook',
    'https://internal.example.com/hook',
    'https://half-internal.example.com/hook',
    'https://metadata.example.com/hook',
    'https://mapped.example.com/hook',
  ])('refuses the non-public target %s unless private targets are allowed', async (url) => {
    expect(await refusal(url, withNames(production))).toContain('public address');
    await expect(checkTargetUrl(url, withNames({ allowPrivateTargets: true, requireHttps: true }))).resolves.toBeInstanceOf(URL);
  });

  it('refuses a host that does not resolve, naming it; resolves nothing when private targets are allowed', async () => {
    expect(await refusal('https://nowhere.example.com/hook', withNames(production))).toBe("url's host nowhere.example.com does not resolve to an address");
    const resolved: string[] = [];
    await checkTargetUrl('https://nowhere.example.com/hook', { ...open, resolve: async (host) => (resolved.push(host), []) });
    expect(resolved).toEqual([]);
  });

  it('asks the real resolver: a .invalid name never resolves, and this machine\'s own name is not public', async () => {
    expect(await refusal('https://webhooks.invalid/hook', production)).toContain('does not resolve');
    // The machine's own name resolves (through /etc/hosts) to loopback or to its private address.
    const own = await lookup(hostname(), { all: true }).catch(() => []);
    if (own.length > 0 && own.every((a) => isForbiddenAddress(a.address))) {
      expect(await refusal(`https://${hostname()}/hook`, production)).toContain('public address');
    }
  });
});
