import { createHash } from 'node:crypto';

/** Tags up to this length are kept in the key as they are. */
const MAX_PLAIN_TAG = 256;

/**
 * The key that makes a second delivery of a push a no-op: Viatom's `data_tag` when it
 * sent one, otherwise a hash of the message's content. The content is hashed in a
 * canonical form (keys sorted at every depth) so that the same message re-serialised
 * differently still has the same key.
 */
export function pushDedupeKey(dataTag: string, raw: Record<string, unknown>): string {
  const tag = dataTag.trim();
  // A long tag is hashed: the key's column and index stay small whatever Viatom's tags become.
  if (tag.length > MAX_PLAIN_TAG) return `tag-sha256:${createHash('sha256').update(tag).digest('hex')}`;
  if (tag !== '') return `tag:${tag}`;
  return `sha256:${createHash('sha256').update(canonicalJson(raw)).digest('hex')}`;
}

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
