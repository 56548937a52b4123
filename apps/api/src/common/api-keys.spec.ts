import { createHash } from 'node:crypto';
import { problemsOf, REQUIRED_ENV } from '../config/testing-env';
import { matchingKey, namedKeys, parseApiKeyEntry } from './api-keys';

const hex = (key: string) => createHash('sha256').update(key).digest('hex');

describe('API_KEYS with names', () => {
  it('reads name:key, name:sha256:<hex>, and unnamed keys named by their fingerprint', () => {
    const keys = namedKeys(['crm:a-crm-key-0123456789', `billing:sha256:${hex('a-billing-key-0123456789')}`, 'an-unnamed-key-0123456789', `sha256:${hex('a-hashed-key-0123456789')}`]);
    expect(keys.map((k) => k.name)).toEqual(['crm', 'billing', `key-${hex('an-unnamed-key-0123456789').slice(0, 8)}`, `key-${hex('a-hashed-key-0123456789').slice(0, 8)}`]);
    expect(matchingKey('a-crm-key-0123456789', keys)?.name).toBe('crm');
    expect(matchingKey('a-billing-key-0123456789', keys)?.name).toBe('billing');
    expect(matchingKey('a-hashed-key-0123456789', keys)?.name).toBe(keys[3].name);
    expect(matchingKey('crm:a-crm-key-0123456789', keys)).toBeNull();
    expect(matchingKey('nobody-0123456789', keys)).toBeNull();
  });

  it('splits at the first colon only when what comes before is a name', () => {
    expect(parseApiKeyEntry('ops:with:colons-0123456789')).toEqual({ name: 'ops', secret: 'with:colons-0123456789' });
    expect(parseApiKeyEntry(`sha256:${'a'.repeat(64)}`)).toEqual({ name: null, secret: `sha256:${'a'.repeat(64)}` });
    expect(parseApiKeyEntry('has space:key-0123456789abcdef')).toEqual({ name: null, secret: 'has space:key-0123456789abcdef' });
    expect(parseApiKeyEntry(':leading-colon-0123456789')).toEqual({ name: null, secret: ':leading-colon-0123456789' });
  });

  it('refuses a name given twice, and checks the key after the name', () => {
    expect(problemsOf({ ...REQUIRED_ENV, API_KEYS: 'crm:a-crm-key-0123456789,crm:another-key-0123456789' })).toEqual([expect.stringMatching(/the name "crm" is given to two keys/)]);
    expect(problemsOf({ ...REQUIRED_ENV, API_KEYS: 'crm:short' })).toEqual([expect.stringMatching(/at least 16 characters/)]);
    expect(problemsOf({ ...REQUIRED_ENV, API_KEYS: 'crm:sha256:abc' })).toEqual([expect.stringMatching(/64 hex digits/)]);
    expect(problemsOf({ ...REQUIRED_ENV, API_KEYS: 'crm:a-crm-key-0123456789' })).toEqual([]);
  });
});
