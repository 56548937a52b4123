import { clampLimit, decodeCursor, DEFAULT_PAGE_SIZE, encodeCursor, InvalidCursorError, MAX_PAGE_SIZE, toPage } from './pagination';

const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

describe('cursors', () => {
  it.each([0, 1, 42, 123_456_789, 999_999_999_999_999])('round-trips the id %d', (id) => {
    const cursor = encodeCursor(id);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toBe(id);
  });

  it('reads an absent or empty cursor as "first page"', () => {
    expect(decodeCursor(undefined)).toBeNull();
    expect(decodeCursor(null)).toBeNull();
    expect(decodeCursor('')).toBeNull();
  });

  it('gives different cursors for different ids', () => {
    const cursors = new Set(Array.from({ length: 1000 }, (_, i) => encodeCursor(i)));
    expect(cursors.size).toBe(1000);
  });

  describe('rejects what it did not issue', () => {
    const issued = encodeCursor(4242);

    it.each([
      ['a character added', `${issued}!`],
      ['characters outside base64url', issued.replace(/.$/, '+')],
      ['standard base64 with padding', Buffer.from('id:4242').toString('base64')],
      ['a truncated cursor', issued.slice(0, 3)],
      ['a cursor with its head cut', issued.slice(2)],
      ['a doubled cursor', `${issued}${issued}`],
      ['whitespace around it', ` ${issued} `],
      ['an over-long cursor', 'A'.repeat(41)],
      ['another scheme: offset', b64url('offset:10')],
      ['another scheme: JSON', b64url('{"id":10}')],
      ['another scheme: page number', b64url('page=2')],
      ['an id that is not a number', b64url('id:ten')],
      ['a negative id', b64url('id:-1')],
      ['a fractional id', b64url('id:1.5')],
      ['an empty id', b64url('id:')],
      ['an id with trailing text', b64url('id:1;DROP TABLE push_log')],
      ['an id with a newline', b64url('id:1\n')],
      ['an id beyond 15 digits', b64url(`id:${'9'.repeat(16)}`)],
      ['the prefix in another case', b64url('ID:1')],
      ['bytes that are not UTF-8 text', Buffer.from([0xff, 0xfe, 0x00, 0x01]).toString('base64url')],
    ])('%s', (_, cursor) => {
      expect(() => decodeCursor(cursor)).toThrow(InvalidCursorError);
    });
  });

  it('says what to use instead', () => {
    const error = (() => {
      try {
        decodeCursor('nope!');
      } catch (e) {
        return e as Error;
      }
      throw new Error('no error');
    })();
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('InvalidCursorError');
    expect(error.message).toMatch(/nextCursor/);
  });
});

describe('toPage', () => {
  const rows = (...ids: number[]) => ids.map((id) => ({ id }));

  it('cuts the extra row and points the cursor at the last row kept', () => {
    const page = toPage(rows(9, 8, 7, 6), 3);
    expect(page.items).toEqual(rows(9, 8, 7));
    expect(decodeCursor(page.nextCursor)).toBe(7);
  });

  it('has no next page when no extra row was fetched', () => {
    expect(toPage(rows(9, 8, 7), 3)).toEqual({ items: rows(9, 8, 7), nextCursor: null });
    expect(toPage(rows(9), 3)).toEqual({ items: rows(9), nextCursor: null });
    expect(toPage([], 3)).toEqual({ items: [], nextCursor: null });
  });
});

describe('clampLimit', () => {
  it.each([
    [undefined, DEFAULT_PAGE_SIZE],
    [1, 1],
    [25, 25],
    [MAX_PAGE_SIZE, MAX_PAGE_SIZE],
    [MAX_PAGE_SIZE + 1, MAX_PAGE_SIZE],
    [Number.POSITIVE_INFINITY, MAX_PAGE_SIZE],
    [0, 1],
    [-5, 1],
    [Number.NEGATIVE_INFINITY, 1],
    [2.9, 2],
    [Number.NaN, DEFAULT_PAGE_SIZE],
  ])('clamps %p to %p', (limit, expected) => {
    expect(clampLimit(limit)).toBe(expected);
  });
});
