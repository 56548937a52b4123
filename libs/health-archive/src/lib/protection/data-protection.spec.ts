import { randomBytes } from 'node:crypto';
import { DataKeyUnavailableError, DataProtection, DataProtectionKeyError, generateDataProtectionKeys, parseDataEncryptionKeys, parseHashKey } from './data-protection';

describe('DataProtection', () => {
  const k1 = { id: 'k1', key: randomBytes(32) };
  const k2 = { id: 'k2', key: randomBytes(32) };
  const hashKey = randomBytes(32);
  const p = new DataProtection({ encryptionKeys: [k1], hashKey });

  it('seals with AES-256-GCM under the current key, a fresh nonce each time, and opens it again', () => {
    const a = p.seal('push_log.raw_message', '{"phone":"15312341234","体温":36.6}');
    const b = p.seal('push_log.raw_message', '{"phone":"15312341234","体温":36.6}');
    expect(a).toMatch(/^hb1:k1:[A-Za-z0-9+/]+={0,2}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('15312341234');
    expect(p.open('push_log.raw_message', a)).toBe('{"phone":"15312341234","体温":36.6}');
    expect(p.open('push_log.raw_message', p.seal('push_log.raw_message', ''))).toBe('');
    // 12 bytes of nonce and 16 of tag around the text.
    expect(Buffer.from(a.split(':')[2], 'base64').length).toBe(12 + Buffer.byteLength('{"phone":"15312341234","体温":36.6}') + 16);
  });

  it('refuses a value moved to another purpose, altered, cut short, or sealed under a key it was not given', () => {
    const sealed = p.seal('phone', '15312341234');
    expect(() => p.open('measurement.data', sealed)).toThrow(DataKeyUnavailableError);
    const body = Buffer.from(sealed.split(':')[2], 'base64');
    body[14] ^= 1;
    expect(() => p.open('phone', `hb1:k1:${body.toString('base64')}`)).toThrow(DataKeyUnavailableError);
    expect(() => p.open('phone', 'hb1:k1:AAAA')).toThrow(/cut short/);
    expect(() => p.open('phone', new DataProtection({ encryptionKeys: [k2], hashKey }).seal('phone', 'x'))).toThrow(/"k2", which is not configured \(DATA_ENCRYPTION_KEYS\)/);
    // The same id with other bytes: does not open, and says so.
    expect(() => new DataProtection({ encryptionKeys: [{ id: 'k1', key: randomBytes(32) }], hashKey }).open('phone', sealed)).toThrow(/does not open/);
  });

  it('reads a value stored in clear before the encryption as it is', () => {
    expect(p.open('push_log.raw_message', '{"type":2}')).toBe('{"type":2}');
    expect(p.open('phone', '15312341234')).toBe('15312341234');
    expect(p.openOrNull('phone', null)).toBeNull();
    expect(DataProtection.isSealed('15312341234')).toBe(false);
    expect(DataProtection.isSealed(p.seal('phone', '1'))).toBe(true);
  });

  it('rotates: the first key seals, every key opens, and what the old key sealed is known as not current', () => {
    const old = p.seal('measurement.data', '{"spo2":97}');
    const rotated = new DataProtection({ encryptionKeys: [k2, k1], hashKey });
    expect(rotated.currentKeyId).toBe('k2');
    expect(rotated.open('measurement.data', old)).toBe('{"spo2":97}');
    expect(rotated.isCurrent(old)).toBe(false);
    const resealed = rotated.seal('measurement.data', rotated.open('measurement.data', old));
    expect(resealed).toMatch(/^hb1:k2:/);
    expect(rotated.isCurrent(resealed)).toBe(true);
    // Once the old key is dropped, what it sealed no longer opens; what the new one sealed does.
    const only2 = new DataProtection({ encryptionKeys: [k2], hashKey });
    expect(only2.open('measurement.data', resealed)).toBe('{"spo2":97}');
    expect(() => only2.open('measurement.data', old)).toThrow(DataKeyUnavailableError);
  });

  it('hashes a phone under its own key: stable, 64 hex digits, not the unkeyed SHA-256, different under another key', () => {
    const h = p.phoneHash('15312341234');
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(p.phoneHash('15312341234')).toBe(h);
    expect(new DataProtection({ encryptionKeys: [k2], hashKey }).phoneHash('15312341234')).toBe(h);
    expect(new DataProtection({ encryptionKeys: [k1], hashKey: randomBytes(32) }).phoneHash('15312341234')).not.toBe(h);
    expect(p.phoneHash('15312341235')).not.toBe(h);
    expect(p.keyedHash('push', '15312341234')).not.toBe(h);
  });

  it('refuses keys that are not keys, naming which, and never printing one', () => {
    const secret = randomBytes(32);
    const cases: Array<[() => unknown, RegExp]> = [
      [() => new DataProtection({ encryptionKeys: [], hashKey }), /at least one/],
      [() => new DataProtection({ encryptionKeys: [{ id: 'k1', key: randomBytes(16) }], hashKey }), /"k1" must be 32 bytes \(got 16\)/],
      [() => new DataProtection({ encryptionKeys: [k1, { ...k1, key: secret }], hashKey }), /"k1" is given twice/],
      [() => new DataProtection({ encryptionKeys: [{ id: 'bad id!', key: secret }], hashKey }), /key id is 1 to 32/],
      [() => new DataProtection({ encryptionKeys: [k1], hashKey: randomBytes(8) }), /hash key must be at least 32 bytes/],
      [() => parseDataEncryptionKeys(`${secret.toString('base64')}`), /entry 1 is not <id>:<base64 key>/],
      [() => parseDataEncryptionKeys('k1:not base64!'), /"k1" is not base64/],
      [() => parseHashKey('not base64!'), /not base64/],
    ];
    for (const [make, message] of cases) {
      let error: unknown;
      try {
        make();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(DataProtectionKeyError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain(secret.toString('base64'));
    }
  });

  it('reads the configuration form, and generates keys in it', () => {
    const generated = generateDataProtectionKeys('dev');
    const keys = parseDataEncryptionKeys(` ${generated.DATA_ENCRYPTION_KEYS} , k0:${randomBytes(32).toString('base64url')} ,`);
    expect(keys.map((k) => [k.id, k.key.length])).toEqual([['dev', 32], ['k0', 32]]);
    expect(parseHashKey(generated.DATA_HASH_KEY)).toHaveLength(32);
    expect(new DataProtection({ encryptionKeys: keys, hashKey: parseHashKey(generated.DATA_HASH_KEY) }).currentKeyId).toBe('dev');
    expect(generateDataProtectionKeys().DATA_ENCRYPTION_KEYS).toMatch(/^k\d{8}:[A-Za-z0-9+/]{43}=$/);
  });
});
