import { createHash } from 'node:crypto';

/**
 * The key that makes a second delivery of a push a no-op: Viatom's `data_tag` when it
 * sent one, otherwise a hash of the message's content. The content is hashed in a
 * canonical form (keys sorted at every depth) so that the same message re-serialised
 * differently still has the same key.
 */
export function pushDedupeKey(dataTag: string, raw: Record<string, unknown>): string {
  if (dataTag.trim() !== '') return `tag:${dataTag.trim()}`;
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
