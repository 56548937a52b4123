import { createHash, timingSafeEqual } from 'node:crypto';

/*
 * The integrator keys of API_KEYS, read: without the configuration's module, so that the
 * configuration's checks can use them too.
 */

const sha256 = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** An integrator key as configured: its name (shown in the access audit, never the key) and its SHA-256. */
export interface NamedKey {
  name: string;
  digest: Buffer;
}

/** What a key's name looks like in `API_KEYS=name:key`. */
export const API_KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * One `API_KEYS` entry: `name:key`, `name:sha256:<hex>`, or (unnamed) `key` or `sha256:<hex>`. A
 * key that itself holds a colon must be named (the first colon ends the name). `secret` is the key
 * as written after the name.
 */
export function parseApiKeyEntry(entry: string): { name: string | null; secret: string } {
  const colon = entry.indexOf(':');
  const name = colon > 0 ? entry.slice(0, colon) : '';
  if (name !== '' && name.toLowerCase() !== 'sha256' && API_KEY_NAME.test(name)) return { name, secret: entry.slice(colon + 1) };
  return { name: null, secret: entry };
}

/** The configured keys with their names; an unnamed one is named by a fingerprint (`key-` and 8 hex digits of its SHA-256). */
export function namedKeys(entries: string[]): NamedKey[] {
  return entries.map((entry) => {
    const { name, secret } = parseApiKeyEntry(entry);
    const digest = secret.startsWith('sha256:') ? Buffer.from(secret.slice(7), 'hex') : sha256(secret);
    return { name: name ?? `key-${digest.toString('hex').slice(0, 8)}`, digest };
  });
}

/** Configured keys as SHA-256 digests: plain keys are hashed, `sha256:<hex>` entries are taken as is (names set aside). */
export function digestKeys(keys: string[]): Buffer[] {
  return namedKeys(keys).map((key) => key.digest);
}

/** The configured key `given` is, compared in constant time against every one; null when none. */
export function matchingKey(given: string, keys: readonly NamedKey[]): NamedKey | null {
  const digest = sha256(given);
  let found: NamedKey | null = null;
  for (const key of keys) if (timingSafeEqual(digest, key.digest) && found === null) found = key;
  return found;
}

