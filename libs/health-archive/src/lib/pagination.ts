/** A page of a list, newest first, and the cursor of the next page (null at the end). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** Thrown for a cursor this service did not issue. */
export class InvalidCursorError extends Error {
  constructor() {
    super('cursor is not valid: use the nextCursor of a previous page');
    this.name = 'InvalidCursorError';
  }
}

/** Cursors are opaque to callers: the id of the last row seen, base64url-encoded. */
export function encodeCursor(lastId: number): string {
  return Buffer.from(`id:${lastId}`).toString('base64url');
}

export function decodeCursor(cursor: string | undefined | null): number | null {
  if (cursor === undefined || cursor === null || cursor === '') return null;
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(cursor)) throw new InvalidCursorError();
  const match = /^id:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new InvalidCursorError();
  return Number(match[1]);
}

/** Takes `limit + 1` rows fetched newest first and makes the page. */
export function toPage<T extends { id: number }>(rows: T[], limit: number): Page<T> {
  const hasMore = rows.length > limit;
  const items = hasMore ? rows.slice(0, limit) : rows;
  return { items, nextCursor: hasMore ? encodeCursor(items[items.length - 1].id) : null };
}

export function clampLimit(limit: number | undefined): number {
  // NaN would pass through Math.min/max and reach the query as LIMIT NaN.
  if (limit === undefined || Number.isNaN(limit)) return DEFAULT_PAGE_SIZE;
  return Math.min(Math.max(Math.trunc(limit), 1), MAX_PAGE_SIZE);
}
