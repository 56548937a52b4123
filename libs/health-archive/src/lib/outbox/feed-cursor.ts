import { InvalidCursorError } from '../pagination';

/**
 * A place in the event feed: after the event at `id`, written by transaction `tx` (PostgreSQL;
 * 0 on SQLite, whose writes commit in id order). Opaque to callers: base64url of `ev:<tx>:<id>`.
 */
export interface FeedPosition {
  tx: string;
  id: number;
}

export const FEED_START: FeedPosition = { tx: '0', id: 0 };

export function encodeFeedCursor(position: FeedPosition): string {
  return Buffer.from(`ev:${position.tx}:${position.id}`).toString('base64url');
}

export function decodeFeedCursor(cursor: string | undefined | null): FeedPosition | null {
  if (cursor === undefined || cursor === null || cursor === '') return null;
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(cursor)) throw new InvalidCursorError();
  const match = /^ev:(\d{1,20}):(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new InvalidCursorError();
  return { tx: match[1].replace(/^0+(?=\d)/, ''), id: Number(match[2]) };
}
