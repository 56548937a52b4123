import { randomBytes } from 'node:crypto';
import { loadConfig } from './app-config';
import { PUBLISHED_DEV_DATA_KEYS } from './config-schema';
import { PRODUCTION_DATA_KEYS, problemsOf, REQUIRED_ENV } from './testing-env';

/** DATA_ENCRYPTION_KEYS and DATA_HASH_KEY: encryption at rest's keys. */
describe('data-protection keys configuration', () => {
  const production = { ...REQUIRED_ENV, NODE_ENV: 'production', WEBHOOK_TOKEN: 'a-production-token-0123456789' };

  it('reads the keys, the first sealing, and the hash key', () => {
    const second = randomBytes(32);
    const config = loadConfig({ ...production, ...PRODUCTION_DATA_KEYS, DATA_ENCRYPTION_KEYS: `${PRODUCTION_DATA_KEYS.DATA_ENCRYPTION_KEYS}, k0:${second.toString('base64')}` });
    expect(config.dataProtection?.encryptionKeys.map((k) => [k.id, k.key.length])).toEqual([['k1', 32], ['k0', 32]]);
    expect(config.dataProtection?.encryptionKeys[1].key.equals(second)).toBe(true);
    expect(config.dataProtection?.hashKey.equals(Buffer.alloc(32, 2))).toBe(true);
  });

  it.each([
    ['DATA_ENCRYPTION_KEYS', { DATA_HASH_KEY: PRODUCTION_DATA_KEYS.DATA_HASH_KEY }, /^NODE_ENV=production needs DATA_ENCRYPTION_KEYS/],
    ['DATA_HASH_KEY', { DATA_ENCRYPTION_KEYS: PRODUCTION_DATA_KEYS.DATA_ENCRYPTION_KEYS }, /^NODE_ENV=production needs DATA_HASH_KEY/],
  ])('refuses to start in production without %s, naming it', (_, keys, message) => {
    expect(problemsOf({ ...production, ...keys })).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
  });

  it('refuses a wrong key, naming the variable and never printing a key', () => {
    const short = randomBytes(16).toString('base64');
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ DATA_ENCRYPTION_KEYS: `k1:${short}` }, /^DATA_ENCRYPTION_KEYS: the data-encryption key "k1" must be 32 bytes \(got 16\)/],
      [{ DATA_ENCRYPTION_KEYS: short }, /^DATA_ENCRYPTION_KEYS: entry 1 is not <id>:<base64 key>/],
      [{ DATA_ENCRYPTION_KEYS: `k1:${PRODUCTION_DATA_KEYS.DATA_ENCRYPTION_KEYS.slice(3)},k1:${randomBytes(32).toString('base64')}` }, /"k1" is given twice/],
      [{ DATA_HASH_KEY: short }, /^DATA_HASH_KEY must be at least 32 bytes in base64 \(got 16 bytes/],
      [{ DATA_HASH_KEY: 'not base64!' }, /^DATA_HASH_KEY: the hash key is not base64/],
    ];
    for (const [wrong, message] of cases) {
      const problems = problemsOf({ ...production, ...PRODUCTION_DATA_KEYS, ...wrong });
      expect(problems).toEqual([expect.stringMatching(message)]);
      expect(problems.join(' ')).not.toContain(short);
    }
  });

  it('refuses the published development keys in production, and takes them in development', () => {
    expect(problemsOf({ ...production, ...PUBLISHED_DEV_DATA_KEYS })).toEqual([expect.stringMatching(/published development key/)]);
    expect(loadConfig({ ...REQUIRED_ENV, ...PUBLISHED_DEV_DATA_KEYS }).dataProtection).not.toBeNull();
  });

  it('leaves development without keys to throw-away ones, but refuses one key without the other', () => {
    expect(loadConfig(REQUIRED_ENV).dataProtection).toBeNull();
    expect(problemsOf({ ...REQUIRED_ENV, DATA_HASH_KEY: PRODUCTION_DATA_KEYS.DATA_HASH_KEY })).toEqual([
      expect.stringMatching(/^DATA_ENCRYPTION_KEYS is missing: DATA_ENCRYPTION_KEYS and DATA_HASH_KEY go together/),
    ]);
  });
});
