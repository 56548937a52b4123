import { Injectable } from '@nestjs/common';
import { DEFAULT_PAGE_SIZE, EventFeed, InvalidCursorError, MAX_PAGE_SIZE, type Page } from '@health-bridge/health-archive';
import { WebhookEndpointService } from '../endpoints/webhook-endpoint.service';
import { WebhookDeliveryStore, type DeliveryRecord, type DeliveryStatus, type WebhookAttemptCounts, type WebhookDeliveryBacklog } from './webhook-delivery.store';
import { WebhookDispatcher } from './webhook-dispatcher';

/** One attempt, as the delivery log shows it. */
export interface WebhookAttemptEntry {
  at: Date;
  /** Null when no HTTP answer came (refused, reset, timed out…). */
  statusCode: number | null;
  durationMs: number;
  error: string | null;
}

/** One event's delivery to one endpoint, with every attempt. */
export interface WebhookDeliveryEntry {
  eventId: string;
  eventType: string;
  status: DeliveryStatus;
  attempts: WebhookAttemptEntry[];
  /** When it is tried next; null once delivered or failed. */
  nextAttemptAt: Date | null;
  createdAt: Date;
}

export interface WebhookDeliveryQuery {
  status?: DeliveryStatus;
  limit?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string | null;
}

export class WebhookDeliveryNotFoundError extends Error {
  override readonly name = 'WebhookDeliveryNotFoundError';
  constructor(
    readonly endpointId: string,
    readonly eventId: string,
  ) {
    super('This endpoint has no delivery of this event.');
  }
}

/**
 * An endpoint's delivery log, and sending again: one event (`retry`), or every delivery that
 * failed since a time (`recover`, after the receiver's outage). What is sent again keeps its
 * webhook-id; it goes out at the dispatcher's next look (woken at once here), once the endpoint
 * is enabled. An unknown endpoint throws WebhookEndpointNotFoundError.
 */
@Injectable()
export class WebhookDeliveryService {
  constructor(
    private readonly store: WebhookDeliveryStore,
    private readonly endpoints: WebhookEndpointService,
    private readonly feed: EventFeed,
    private readonly dispatcher: WebhookDispatcher,
  ) {}

  /** Newest first, by cursor (a cursor this service did not give throws InvalidCursorError). */
  async list(endpointId: string, query: WebhookDeliveryQuery = {}): Promise<Page<WebhookDeliveryEntry>> {
    await this.endpoints.get(endpointId);
    const limit = Math.min(Math.max(Math.trunc(query.limit ?? DEFAULT_PAGE_SIZE) || DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
    const rows = await this.store.list(endpointId, { status: query.status, beforeId: decodeCursor(query.cursor), limit: limit + 1 });
    const page = rows.slice(0, limit);
    return { items: await this.entries(page), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].id) : null };
  }

  /** Sends one event to the endpoint again, now, whatever became of it; throws WebhookDeliveryNotFoundError when it was never meant for it. */
  async retry(endpointId: string, eventId: string, now = new Date()): Promise<WebhookDeliveryEntry> {
    await this.endpoints.get(endpointId);
    const delivery = await this.store.requeue(endpointId, eventId, now);
    if (!delivery) throw new WebhookDeliveryNotFoundError(endpointId, eventId);
    this.dispatcher.wake();
    const [entry] = await this.entries([delivery]);
    return entry;
  }

  /** Sends again every delivery to the endpoint that failed and was created at or after `since`; how many. */
  async recover(endpointId: string, since: Date, now = new Date()): Promise<number> {
    await this.endpoints.get(endpointId);
    const queued = await this.store.requeueFailed(endpointId, since, now);
    if (queued > 0) this.dispatcher.wake();
    return queued;
  }

  /** The deliveries pending and failed across every endpoint, and since when the oldest pending one waits. */
  backlog(): Promise<WebhookDeliveryBacklog> {
    return this.store.backlog();
  }

  /** The attempts made across every endpoint from `from` to `to` (both included): succeeded (2xx) and failed (anything else). */
  attemptCounts(from: Date, to: Date): Promise<WebhookAttemptCounts> {
    return this.store.attemptCounts(from, to);
  }

  private async entries(deliveries: DeliveryRecord[]): Promise<WebhookDeliveryEntry[]> {
    if (deliveries.length === 0) return [];
    const [attempts, events] = await Promise.all([this.store.attemptsOf(deliveries.map((d) => d.id)), this.feed.find(deliveries.map((d) => d.eventId))]);
    const types = new Map(events.map((event) => [event.id, event.type as string]));
    return deliveries.map((d) => ({
      eventId: d.eventId,
      // A delivery goes with its event (deleted together): the type is always there but in a race with the retention.
      eventType: types.get(d.eventId) ?? 'unknown',
      status: d.status,
      attempts: attempts
        .filter((a) => a.deliveryId === d.id)
        .map((a) => ({ at: a.attemptedAt, statusCode: a.statusCode, durationMs: a.durationMs, error: a.error })),
      nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt : null,
      createdAt: d.createdAt,
    }));
  }
}

/** The log's cursor: the last delivery's row id, base64url-encoded like the API's other cursors. */
function encodeCursor(id: number): string {
  return Buffer.from(`id:${id}`).toString('base64url');
}

function decodeCursor(cursor: string | null | undefined): number | null {
  if (cursor === undefined || cursor === null || cursor === '') return null;
  const match = /^[A-Za-z0-9_-]{1,40}$/.test(cursor) ? /^id:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8')) : null;
  if (!match) throw new InvalidCursorError();
  return Number(match[1]);
}
