import { loadConfig } from './app-config';
import { PRODUCTION_DATA_KEYS, problemsOf, REQUIRED_ENV } from './testing-env';
import { maskUrlPassword } from './security-config';

const BASE = REQUIRED_ENV;

describe('security configuration', () => {
  it('defaults: no push check, limits on, info logs', () => {
    const config = loadConfig(BASE);
    expect(config.pushAuth).toEqual({ ipAllowlist: [], signature: null });
    expect(config.trustProxy).toEqual([]);
    // The authenticated sender is not limited unless asked (RATE_LIMIT_PUSH_MAX); failed push checks are.
    expect(config.rateLimit).toEqual({ windowSeconds: 60, apiMax: 600, pushMax: 0, pushFailuresMax: 20, redis: null });
    expect(config.logLevel).toBe('info');
  });

  describe('NODE_ENV=production (secure by default)', () => {
    it('refuses to start without a push check, and says why', () => {
      const problems = problemsOf({ ...BASE, NODE_ENV: 'production', ...PRODUCTION_DATA_KEYS });
      expect(problems).toEqual([expect.stringMatching(/NODE_ENV=production needs at least one push check: WEBHOOK_TOKEN, WEBHOOK_IP_ALLOWLIST or WEBHOOK_SIGNATURE_SECRETS/)]);
    });
    it('refuses to start without API keys', () => {
      const { API_KEYS: _, ...noKeys } = BASE;
      const problems = problemsOf({ ...noKeys, NODE_ENV: 'production', ...PRODUCTION_DATA_KEYS, WEBHOOK_TOKEN: 'a-long-webhook-token-123' });
      expect(problems).toEqual([expect.stringMatching(/^API_KEYS is required/)]);
    });
    it.each([
      ['WEBHOOK_TOKEN', { WEBHOOK_TOKEN: 'a-long-webhook-token-123' }],
      ['WEBHOOK_IP_ALLOWLIST', { WEBHOOK_IP_ALLOWLIST: '203.0.113.0/24' }],
      ['WEBHOOK_SIGNATURE_SECRETS', { WEBHOOK_SIGNATURE_SECRETS: 'a-signing-secret-0123456789' }],
    ])('starts with %s alone', (_, extra) => {
      expect(loadConfig({ ...BASE, NODE_ENV: 'production', ...PRODUCTION_DATA_KEYS, ...extra }).nodeEnv).toBe('production');
    });
    it('refuses the published development defaults', () => {
      expect(problemsOf({ ...BASE, NODE_ENV: 'production', ...PRODUCTION_DATA_KEYS, API_KEYS: 'dev-api-key-change-me', WEBHOOK_TOKEN: 'dev-webhook-token-change-me' })).toEqual([
        expect.stringMatching(/published development default/),
      ]);
    });
    it('lets development start without a push check', () => {
      expect(loadConfig({ ...BASE, NODE_ENV: 'development' }).pushAuth.signature).toBeNull();
    });
  });

  it('reads addresses and CIDR ranges, IPv4 and IPv6', () => {
    const config = loadConfig({ ...BASE, WEBHOOK_IP_ALLOWLIST: '203.0.113.7, 10.0.0.0/8,2001:db8::/32 ,::1', TRUST_PROXY: '10.1.2.3,fd00::/8' });
    expect(config.pushAuth.ipAllowlist).toEqual(['203.0.113.7', '10.0.0.0/8', '2001:db8::/32', '::1']);
    expect(config.trustProxy).toEqual(['10.1.2.3', 'fd00::/8']);
  });

  it('reads a Standard Webhooks signature', () => {
    const config = loadConfig({ ...BASE, WEBHOOK_SIGNATURE_SCHEME: 'standard-webhooks', WEBHOOK_SIGNATURE_SECRETS: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', WEBHOOK_SIGNATURE_TOLERANCE_SECONDS: '60' });
    expect(config.pushAuth.signature).toMatchObject({ scheme: 'standard-webhooks', header: 'webhook-signature', timestampHeader: 'webhook-timestamp', toleranceSeconds: 60 });
  });

  it('reads a plain HMAC signature (GitHub style)', () => {
    const config = loadConfig({
      ...BASE,
      WEBHOOK_SIGNATURE_SECRETS: "It's a Secret to Everybody, another-secret-0123456",
      WEBHOOK_SIGNATURE_HEADER: 'X-Hub-Signature-256',
      WEBHOOK_SIGNATURE_PREFIX: 'sha256=',
      WEBHOOK_SIGNATURE_ALGORITHM: 'SHA512',
      WEBHOOK_SIGNATURE_ENCODING: 'base64',
      WEBHOOK_SIGNATURE_TIMESTAMP_HEADER: 'X-Timestamp',
    });
    expect(config.pushAuth.signature).toEqual({
      scheme: 'hmac',
      secrets: ["It's a Secret to Everybody", 'another-secret-0123456'],
      algorithm: 'sha512',
      header: 'x-hub-signature-256',
      encoding: 'base64',
      prefix: 'sha256=',
      timestampHeader: 'x-timestamp',
      toleranceSeconds: 300,
    });
  });

  it('names every bad variable at once', () => {
    const problems = problemsOf({
      ...BASE,
      WEBHOOK_IP_ALLOWLIST: '10.0.0.0/33,not-an-ip',
      TRUST_PROXY: '::1/129',
      WEBHOOK_SIGNATURE_SECRETS: 'short',
      WEBHOOK_SIGNATURE_ALGORITHM: 'md5',
      WEBHOOK_SIGNATURE_ENCODING: 'base32',
      WEBHOOK_SIGNATURE_HEADER: 'bad header',
      WEBHOOK_SIGNATURE_TOLERANCE_SECONDS: '-1',
      RATE_LIMIT_API_MAX: 'lots',
      RATE_LIMIT_PUSH_MAX: '1.5',
      RATE_LIMIT_PUSH_FAILURES_MAX: '-3',
      RATE_LIMIT_WINDOW_SECONDS: '0',
      LOG_LEVEL: 'verbose',
    });
    for (const name of [
      'WEBHOOK_IP_ALLOWLIST',
      'TRUST_PROXY',
      'WEBHOOK_SIGNATURE_SECRETS',
      'WEBHOOK_SIGNATURE_ALGORITHM',
      'WEBHOOK_SIGNATURE_ENCODING',
      'WEBHOOK_SIGNATURE_HEADER',
      'WEBHOOK_SIGNATURE_TOLERANCE_SECONDS',
      'RATE_LIMIT_API_MAX',
      'RATE_LIMIT_PUSH_MAX',
      'RATE_LIMIT_PUSH_FAILURES_MAX',
      'RATE_LIMIT_WINDOW_SECONDS',
      'LOG_LEVEL',
    ]) {
      expect(problems.some((p) => p.startsWith(name))).toBe(true);
    }
    expect(problems.find((p) => p.startsWith('WEBHOOK_IP_ALLOWLIST'))).toContain('"10.0.0.0/33", "not-an-ip"');
  });

  it('reads the push limits: 0 switches either off, the opt-in limit on authenticated pushes included', () => {
    expect(loadConfig({ ...BASE, RATE_LIMIT_PUSH_FAILURES_MAX: '0', RATE_LIMIT_PUSH_MAX: '0' }).rateLimit).toMatchObject({ pushFailuresMax: 0, pushMax: 0 });
    expect(loadConfig({ ...BASE, RATE_LIMIT_PUSH_FAILURES_MAX: '1000000', RATE_LIMIT_PUSH_MAX: '5000' }).rateLimit).toMatchObject({ pushFailuresMax: 1_000_000, pushMax: 5000 });
    for (const bad of ['1000001', '-1', '2.5', 'twenty']) {
      expect(problemsOf({ ...BASE, RATE_LIMIT_PUSH_FAILURES_MAX: bad })).toEqual([`RATE_LIMIT_PUSH_FAILURES_MAX must be a whole number from 0 to 1000000 (got "${bad}")`]);
    }
  });

  it('reads REDIS_URL and its key prefix, and never repeats a password when it refuses one', () => {
    expect(loadConfig({ ...BASE, REDIS_URL: 'rediss://:s3cret@redis.internal:6380/2' }).rateLimit.redis).toEqual({
      url: 'rediss://:s3cret@redis.internal:6380/2',
      keyPrefix: 'health-bridge:throttle:',
    });
    expect(loadConfig({ ...BASE, REDIS_URL: 'redis://127.0.0.1', RATE_LIMIT_REDIS_PREFIX: 'staging:hb:' }).rateLimit.redis).toEqual({ url: 'redis://127.0.0.1', keyPrefix: 'staging:hb:' });
    for (const bad of ['http://:s3cret@redis.internal:6379', 'redis://:s3cret@', 'redis://:s3cret@redis.internal:6379/db', 'redis-host:6379', '//:s3cret@redis.internal:6379']) {
      const problems = problemsOf({ ...BASE, REDIS_URL: bad });
      expect(problems).toEqual([expect.stringMatching(/^REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/)]);
      expect(problems[0]).not.toContain('s3cret');
    }
    expect(problemsOf({ ...BASE, REDIS_URL: 'redis://:s3cret%zz@redis.internal:6379' })).toEqual([expect.stringMatching(/^REDIS_URL: the user name or password holds a %/)]);
    for (const bad of ['has space', 'tag{x}', 'x'.repeat(101)]) {
      expect(problemsOf({ ...BASE, REDIS_URL: 'redis://127.0.0.1', RATE_LIMIT_REDIS_PREFIX: bad })).toEqual([expect.stringMatching(/^RATE_LIMIT_REDIS_PREFIX may hold only/)]);
    }
  });

  it('masks the password of a URL however it is written', () => {
    expect(maskUrlPassword('redis://user:p%40ss@host:6379/0')).toBe('redis://user:***@host:6379/0');
    expect(maskUrlPassword('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(maskUrlPassword('not a url //user:secret@host')).toBe('not a url //user:***@host');
    // A `/` unencoded in the password: not a URL any more, and nothing of the password shown.
    expect(maskUrlPassword('redis://:pa/ss@host:6379')).toBe('redis://***@host:6379');
    expect(problemsOf({ ...BASE, REDIS_URL: 'redis://:pa/ss@host:6379' }).join(' ')).not.toMatch(/pa\/ss|pa\b/);
  });

  it('refuses settings that do not fit the Standard Webhooks scheme, and a scheme without secrets', () => {
    expect(problemsOf({ ...BASE, WEBHOOK_SIGNATURE_SCHEME: 'standard-webhooks', WEBHOOK_SIGNATURE_SECRETS: 'plain-secret-not-whsec', WEBHOOK_SIGNATURE_HEADER: 'x-sig' })).toEqual([
      expect.stringMatching(/^WEBHOOK_SIGNATURE_SECRETS: .*whsec_/),
      expect.stringMatching(/^WEBHOOK_SIGNATURE_HEADER does not apply/),
    ]);
    expect(problemsOf({ ...BASE, WEBHOOK_SIGNATURE_SCHEME: 'standard-webhooks' })).toEqual([expect.stringMatching(/^WEBHOOK_SIGNATURE_SCHEME is set but WEBHOOK_SIGNATURE_SECRETS is empty/)]);
    expect(problemsOf({ ...BASE, WEBHOOK_SIGNATURE_SCHEME: 'jwt', WEBHOOK_SIGNATURE_SECRETS: 'a-signing-secret-0123456789' })).toEqual([
      expect.stringMatching(/^WEBHOOK_SIGNATURE_SCHEME must be one of standard-webhooks, hmac/),
    ]);
  });
});
