import { Injectable } from '@nestjs/common';
import { clampLimit } from '../pagination';
import { ArchiveStore, type EventFeedQuery } from '../storage/archive-store';
import { EventType, isEventType, newEventId, type OutboxEvent, type OutboxEventHeader } from './events';
import { decodeFeedCursor, encodeFeedCursor, FEED_START } from './feed-cursor';

export interface EventFeedPage {
  /** Oldest first. */
  items: OutboxEvent[];
  /** Where the next read starts (`after=`): after the last item, or where this one started when there was none. */
  nextCursor: string;
}

export interface EventFeedHeaders {
  /** Oldest first. */
  items: OutboxEventHeader[];
  /** As a read's. */
  nextCursor: string;
}

export interface EventFeedRead {
  /** A `nextCursor` or an event's `cursor`; absent: from the oldest event kept. */
  after?: string | null;
  types?: readonly EventType[];
  limit?: number;
}

/** An event type this service does not send. */
export class UnknownEventTypeError extends Error {
  override readonly name = 'UnknownEventTypeError';
  constructor(readonly types: string[]) {
    super(`unknown event type${types.length > 1 ? 's' : ''}: ${types.join(', ')} (known: ${Object.values(EventType).join(', ')})`);
  }
}

/** Reads event type names, refusing the unknown ones. */
export function parseEventTypes(names: readonly string[]): EventType[] {
  const unknown = names.filter((name) => !isEventType(name));
  if (unknown.length > 0) throw new UnknownEventTypeError(unknown);
  return [...new Set(names)] as EventType[];
}

/**
 * The outbox as a feed: every event, oldest first, from any cursor, so that a consumer that
 * keeps its cursor never misses one (and sees each once, unless it reads the same cursor again).
 * The webhook deliveries and the broker publisher read it too.
 */
@Injectable()
export class EventFeed {
  constructor(private readonly store: ArchiveStore) {}

  /** A bad cursor throws InvalidCursorError. */
  read(query: EventFeedRead = {}): Promise<EventFeedPage> {
    return this.page(query, (page) => this.store.readEvents(page));
  }

  /**
   * The same page as `read`, each event's header only (id, type, time, cursor: its person and
   * data not read), for a reader that decides by those which events it needs (then `find`).
   */
  readHeaders(query: EventFeedRead = {}): Promise<EventFeedHeaders> {
    return this.page(query, (page) => this.store.readEventHeaders(page));
  }

  /** One page read by `reader`, and the cursor after it (where it started, when it is empty). */
  private async page<T extends { cursor: string }>(query: EventFeedRead, reader: (page: EventFeedQuery) => Promise<T[]>): Promise<{ items: T[]; nextCursor: string }> {
    const after = decodeFeedCursor(query.after);
    const items = await reader({ after, types: query.types, limit: clampLimit(query.limit) });
    return { items, nextCursor: items.length > 0 ? items[items.length - 1].cursor : encodeFeedCursor(after ?? FEED_START) };
  }

  /** The events of these ids still kept (a purged one is missing), oldest first. */
  find(eventIds: readonly string[]): Promise<OutboxEvent[]> {
    return this.store.findEvents(eventIds);
  }

  /** The cursor before the oldest event kept: a reader given it sees every event. */
  startCursor(): string {
    return encodeFeedCursor(FEED_START);
  }

  /** The cursor after the newest event readable now: a reader given it sees only what comes next. */
  async latestCursor(): Promise<string> {
    return encodeFeedCursor(await this.store.latestEventPosition());
  }

  /** Records an event that no push carries (`endpoint.disabled`): it is read and delivered like the others. */
  async append(type: EventType, subject: string, data: Record<string, unknown>, storedAt = new Date()): Promise<string> {
    const eventId = newEventId(storedAt.getTime());
    await this.store.appendEvent({ eventId, type, phone: null, subject, storedAt, data: JSON.stringify(data), measurementId: null });
    return eventId;
  }

  /** Deletes the events stored before `before`, with their deliveries; how many. */
  purgeBefore(before: Date): Promise<number> {
    return this.store.purgeEvents(before);
  }
}
