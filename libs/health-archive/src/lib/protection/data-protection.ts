import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { randomBytesPooled } from '../random';

/** A data-encryption key: an id (kept beside every value it seals, so keys can rotate) and 32 bytes for AES-256-GCM. */
export interface DataEncryptionKey {
  id: string;
  key: Buffer;
}

/** The keys of the archive's protection at rest. */
export interface DataProtectionKeys {
  /** The first seals; every one opens (rotation: put the new key first, keep the old ones until `reencrypt` has run). */
  encryptionKeys: readonly DataEncryptionKey[];
  /** The key of the keyed hash (HMAC-SHA256) that look-ups by phone use: 32 bytes or more, never rotated without a migration. */
  hashKey: Buffer;
}

/** What a sealed value is about: bound into its authentication tag, so that a value moved to another column does not open. */
export type SealPurpose = 'phone' | 'push_log.raw_message' | 'measurement.data' | 'event.data' | 'webhook_endpoint.secret';

export class DataProtectionKeyError extends Error {
  override readonly name = 'DataProtectionKeyError';
}

/** A sealed value names a key this process was not given (or it was altered). */
export class DataKeyUnavailableError extends Error {
  override readonly name = 'DataKeyUnavailableError';
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
/** `hb1:<key id>:<base64 of nonce (12) | ciphertext | tag (16)>`. */
const SEALED = /^hb1:([A-Za-z0-9_-]{1,32}):([A-Za-z0-9+/]+={0,2})$/;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encryption at rest (PIPL art. 51) and the keyed hash of phones. Phones, raw push payloads,
 * measurement data and event data are sealed with AES-256-GCM, a random nonce per value, the
 * current key's id written beside it; a phone is found by its HMAC-SHA256 under its own key, never
 * by the number. A value not in the sealed form (`hb1:…`) is read as it is: a row stored in clear
 * before the encryption, until the migration or `reencrypt` seals it.
 */
export class DataProtection {
  private readonly current: DataEncryptionKey;
  private readonly byId: Map<string, Buffer>;
  private readonly hashKey: Buffer;

  constructor(keys: DataProtectionKeys) {
    const list = keys.encryptionKeys;
    if (list.length === 0) throw new DataProtectionKeyError('at least one data-encryption key is needed');
    this.byId = new Map();
    for (const { id, key } of list) {
      if (!KEY_ID.test(id)) throw new DataProtectionKeyError(`a data-encryption key id is 1 to 32 letters, digits, _ or - (got "${id.slice(0, 40)}")`);
      if (key.length !== 32) throw new DataProtectionKeyError(`the data-encryption key "${id}" must be 32 bytes (got ${key.length})`);
      if (this.byId.has(id)) throw new DataProtectionKeyError(`the data-encryption key id "${id}" is given twice`);
      this.byId.set(id, Buffer.from(key));
    }
    if (keys.hashKey.length < 32) throw new DataProtectionKeyError(`the hash key must be at least 32 bytes (got ${keys.hashKey.length})`);
    this.current = { id: list[0].id, key: this.byId.get(list[0].id) as Buffer };
    this.hashKey = Buffer.from(keys.hashKey);
  }

  /** The id of the key that seals. */
  get currentKeyId(): string {
    return this.current.id;
  }

  /** The keyed hash a phone is looked up by (64 hex digits): the same phone always gives the same hash under one key. */
  phoneHash(phone: string): string {
    return createHmac('sha256', this.hashKey).update(`phone:${phone}`, 'utf8').digest('hex');
  }

  /** A keyed hash of any text (the dedupe key of a push without a data_tag). */
  keyedHash(purpose: string, text: string): string {
    return createHmac('sha256', this.hashKey).update(`${purpose}:`, 'utf8').update(text, 'utf8').digest('hex');
  }

  seal(purpose: SealPurpose, plain: string): string {
    const nonce = randomBytesPooled(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, nonce);
    cipher.setAAD(Buffer.from(purpose, 'utf8'));
    const body = Buffer.concat([nonce, cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `hb1:${this.current.id}:${body.toString('base64')}`;
  }

  /** For a rewrite of rows stored before (a migration): the value sealed, unless it is sealed already. */
  sealUnlessSealed(purpose: SealPurpose, value: string): string {
    return DataProtection.isSealed(value) ? value : this.seal(purpose, value);
  }

  sealOrNull(purpose: SealPurpose, plain: string | null): string | null {
    return plain === null ? null : this.seal(purpose, plain);
  }

  /** The value sealed by `seal` (under any key given); a value that is not sealed, as it is (clear text from before). */
  open(purpose: SealPurpose, stored: string): string {
    const sealed = SEALED.exec(stored);
    if (!sealed) return stored;
    const key = this.byId.get(sealed[1]);
    if (!key) throw new DataKeyUnavailableError(`a value is sealed with the data-encryption key "${sealed[1]}", which is not configured (DATA_ENCRYPTION_KEYS)`);
    const body = Buffer.from(sealed[2], 'base64');
    if (body.length < NONCE_BYTES + TAG_BYTES) throw new DataKeyUnavailableError('a sealed value is cut short');
    const decipher = createDecipheriv('aes-256-gcm', key, body.subarray(0, NONCE_BYTES));
    decipher.setAAD(Buffer.from(purpose, 'utf8'));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(body.subarray(NONCE_BYTES, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new DataKeyUnavailableError(`a value sealed with the key "${sealed[1]}" does not open: altered, or the key under that id is not the one that sealed it`);
    }
  }

  openOrNull(purpose: SealPurpose, stored: string | null): string | null {
    return stored === null ? null : this.open(purpose, stored);
  }

  /** How every value sealed with the current key begins (`hb1:<id>:`). */
  get currentPrefix(): string {
    return `hb1:${this.current.id}:`;
  }

  /** Whether a stored value is sealed with the current key (else `reencrypt` seals it again). */
  isCurrent(stored: string): boolean {
    return stored.startsWith(this.currentPrefix);
  }

  /** Whether a stored value is sealed at all. */
  static isSealed(stored: string): boolean {
    return SEALED.test(stored);
  }
}

/**
 * `DATA_ENCRYPTION_KEYS`: `<id>:<32 bytes in base64>`, comma-separated, the first sealing. Throws
 * `DataProtectionKeyError` saying what is wrong (never printing a key).
 */
export function parseDataEncryptionKeys(text: string): DataEncryptionKey[] {
  const entries = text.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  return entries.map((entry, i) => {
    const colon = entry.indexOf(':');
    if (colon <= 0) throw new DataProtectionKeyError(`entry ${i + 1} is not <id>:<base64 key>`);
    const id = entry.slice(0, colon);
    const base64 = entry.slice(colon + 1);
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) && !/^[A-Za-z0-9_-]+$/.test(base64)) throw new DataProtectionKeyError(`the key "${id.slice(0, 32)}" is not base64`);
    return { id, key: Buffer.from(base64, base64.includes('-') || base64.includes('_') ? 'base64url' : 'base64') };
  });
}

/** A base64 key of at least 32 bytes (`DATA_HASH_KEY`). */
export function parseHashKey(text: string): Buffer {
  const value = text.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) throw new DataProtectionKeyError('the hash key is not base64');
  return Buffer.from(value, 'base64');
}

/** New random keys, in the configuration's text form: for development, or to start a deployment (`npm run keys:generate`). */
export function generateDataProtectionKeys(id = `k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`): { DATA_ENCRYPTION_KEYS: string; DATA_HASH_KEY: string } {
  return { DATA_ENCRYPTION_KEYS: `${id}:${randomBytes(32).toString('base64')}`, DATA_HASH_KEY: randomBytes(32).toString('base64') };
}
