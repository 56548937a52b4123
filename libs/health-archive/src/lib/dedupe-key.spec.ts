import { canonicalJson, pushDedupeKey } from './dedupe-key';

/** A push the way Viatom sends it, nested enough to change at every depth. */
const base = () => ({
  type: 1,
  data_tag: '',
  account_id: 'OA==|MTEx',
  member_id: 'OA==|LTE=',
  device_sn: 'SN-1',
  data: {
    data_type: 3,
    measure_time: '2022-12-29 10:05:00',
    measure_result: { sys: 118, dia: 76, flags: [true, false], extra: { note: '血压', none: null } },
    remark: '',
  },
  user_info: {},
  create_time: '2022-12-29 10:06:00',
  update_time: '2022-12-29 10:06:00',
});

/** Reverses the key order at every depth (arrays keep theirs). */
function reversed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversed);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversed(v)]));
  }
  return value;
}

/** Every leaf path of a JSON value, e.g. ['data', 'measure_result', 'flags', 0]. */
function leafPaths(value: unknown, path: Array<string | number> = []): Array<Array<string | number>> {
  if (Array.isArray(value)) return value.flatMap((v, i) => leafPaths(v, [...path, i]));
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length === 0 ? [path] : entries.flatMap(([k, v]) => leafPaths(v, [...path, k]));
  }
  return [path];
}

/** A copy with the leaf at `path` changed to a different value of the same kind where possible. */
function changedAt(value: Record<string, unknown>, path: Array<string | number>): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(value));
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key];
  const last = path[path.length - 1];
  const leaf = parent[last];
  parent[last] =
    typeof leaf === 'number' ? leaf + 1 : typeof leaf === 'string' ? `${leaf}x` : typeof leaf === 'boolean' ? !leaf : leaf === null ? 0 : { changed: true };
  return copy;
}

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }, 3], c: null } })).toBe('{"a":{"c":null,"d":[{"y":2,"z":1},3]},"b":1}');
  });

  it('writes the same text whatever the key order', () => {
    const push = base();
    expect(canonicalJson(reversed(push))).toBe(canonicalJson(push));
    expect(JSON.stringify(reversed(push))).not.toBe(JSON.stringify(push));
  });

  it('is JSON that reads back to the same value', () => {
    const push = base();
    expect(JSON.parse(canonicalJson(push))).toEqual(push);
  });

  it('drops undefined members like JSON does, and keeps null', () => {
    expect(canonicalJson({ a: undefined, b: null })).toBe('{"b":null}');
    expect(canonicalJson([undefined, 1])).toBe('[null,1]');
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('escapes keys and strings, so that content cannot pose as structure', () => {
    expect(canonicalJson({ 'a":1,"b': 2 })).not.toBe(canonicalJson({ a: 1, b: 2 }));
    expect(canonicalJson({ a: '1,"b":2' })).not.toBe(canonicalJson({ a: '1', b: 2 }));
    expect(canonicalJson({ s: 'line\nbreak "quoted" \\ 中文' })).toBe(JSON.stringify({ s: 'line\nbreak "quoted" \\ 中文' }));
  });

  it('tells apart values JSON tells apart', () => {
    const distinct = [1, '1', true, 'true', null, 'null', 0, '', [], {}, [1, 2], [2, 1], { a: 1 }, { a: '1' }, { a: [1] }, { a: null }];
    const texts = distinct.map(canonicalJson);
    expect(new Set(texts).size).toBe(distinct.length);
  });
});

describe('pushDedupeKey', () => {
  it("is Viatom's data_tag when there is one, trimmed", () => {
    expect(pushDedupeKey('7a4569155dc60bcb36189490bf90dcfc', base())).toBe('tag:7a4569155dc60bcb36189490bf90dcfc');
    expect(pushDedupeKey('  abc  ', base())).toBe('tag:abc');
    // The content does not matter then: a repeat with the same tag is the same message.
    expect(pushDedupeKey('abc', { ...base(), update_time: '2030-01-01 00:00:00' })).toBe('tag:abc');
  });

  it('is a SHA-256 of the canonical content when data_tag is empty or blank', () => {
    const key = pushDedupeKey('', base());
    expect(key).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(pushDedupeKey('   ', base())).toBe(key);
    expect(pushDedupeKey('', reversed(base()) as Record<string, unknown>)).toBe(key);
    // Stable across runs: the hash of the canonical text, nothing random or time-based.
    expect(pushDedupeKey('', JSON.parse(JSON.stringify(base())))).toBe(key);
  });

  it('differs when any value at any depth differs', () => {
    const push = base();
    const original = pushDedupeKey('', push);
    const paths = leafPaths(push);
    expect(paths.length).toBeGreaterThan(15);
    const keys = paths.map((path) => pushDedupeKey('', changedAt(push, path)));
    for (const [i, key] of keys.entries()) expect({ path: paths[i].join('.'), same: key === original }).toEqual({ path: paths[i].join('.'), same: false });
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('differs when a field is added or removed, or an array reordered', () => {
    const original = pushDedupeKey('', base());
    expect(pushDedupeKey('', { ...base(), extra: null })).not.toBe(original);
    const { remark: _removed, ...data } = base().data;
    expect(pushDedupeKey('', { ...base(), data })).not.toBe(original);
    const reordered = base();
    reordered.data.measure_result.flags.reverse();
    expect(pushDedupeKey('', reordered)).not.toBe(original);
  });
});
