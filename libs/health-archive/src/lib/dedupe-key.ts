import { createHash } from 'node:crypto';

/** Tags up to this length are kept in the key as they are. */
const MAX_PLAIN_TAG = 256;

/**
 * The key that makes a second delivery of a push a no-op: Viatom's `data_tag` when it
 * sent one, otherwise a hash of the message's content (keyed, given `keyedHash`: `hmac:`). The content is hashed in a
 * canonical form (keys sorted at every depth) so that the same message re-serialised
 * differently still has the same key.
 */
export function pushDedupeKey(dataTag: string, raw: Record<string, unknown>, keyedHash?: (purpose: string, text: string) => string): string {
  const tag = dataTag.trim();
  // A long tag is hashed: the key's column and index stay small whatever Viatom's tags become.
  if (tag.length > MAX_PLAIN_TAG) return `tag-sha256:${sha256Hex(tag)}`;
  if (tag !== '') return `tag:${tag}`;
  const content = sha256Hex(canonicalJson(raw));
  // The content holds the phone: stored, its plain hash could be matched against guesses of the number. Keyed (encryption at
  // rest), it cannot; the SHA-256 under the key lets the keys of before (`sha256:`) be converted without their payloads.
  return keyedHash ? `hmac:${keyedHash('dedupe', content)}` : `sha256:${content}`;
}

/**
 * The account id as the archive keeps it: as given, unless its UTF-8 form is longer than an
 * index entry may be (PostgreSQL's btree takes about 2.7 kB; 1,024 Chinese characters are 3 kB):
 * then `sha256:<hex>` of it, the same for every push that carries it, so that matching
 * measurements to authorizations still works. The raw message keeps it as sent.
 */
export function indexableId(id: string): string {
  // Three UTF-8 bytes at most per UTF-16 unit: short ids need no counting.
  if (id.length <= MAX_INDEXED_ID_BYTES / 3 || Buffer.byteLength(id, 'utf8') <= MAX_INDEXED_ID_BYTES) return id;
  return `sha256:${sha256Hex(id)}`;
}
const MAX_INDEXED_ID_BYTES = 1024;

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
