import { EventFeed } from '@health-bridge/health-archive';
import { WebhookEndpointService } from '../endpoints/webhook-endpoint.service';
import { OutboxCursor } from '../outbox-cursor';
import { WebhookDeliveryStore } from './webhook-delivery.store';

/** Events read from the feed per page, and pages per run (a long backlog is worked through over several runs). */
const PAGE_SIZE = 200;
const MAX_PAGES_PER_RUN = 10;

/**
 * Turns the feed's events into deliveries: one pending delivery for each event and each enabled
 * endpoint that takes its type and existed when it was stored. One replica at a time does it
 * (the `webhooks` cursor's lease); the cursor is saved after each page's deliveries are written,
 * so a page read again after a crash only meets the deliveries it made (unique per endpoint and
 * event). A cursor made for the first time starts before the oldest event kept; an endpoint gets only
 * the events stored after it was created.
 */
export class WebhookFanOut {
  constructor(
    private readonly feed: EventFeed,
    private readonly endpoints: WebhookEndpointService,
    private readonly store: WebhookDeliveryStore,
    private readonly cursor: OutboxCursor,
    /** The delay before a delivery's first attempt (the retry schedule's first entry). */
    private readonly firstDelayMs: number,
  ) {}

  /**
   * Fans out what is new: how many events it read (0 also when another replica holds the
   * cursor), and whether it reached the feed's end (false: a backlog is left for the next run).
   */
  async run(): Promise<{ read: number; caughtUp: boolean }> {
    // A new cursor starts before the oldest event kept: endpoints made while no process delivered still
    // get what was stored after them (each endpoint's createdAt keeps older events from it).
    let position = await this.cursor.acquire(async () => this.feed.startCursor());
    if (position === null) return { read: 0, caughtUp: true };
    let read = 0;
    for (let page = 0; page < MAX_PAGES_PER_RUN; page++) {
      const { items, nextCursor } = await this.feed.read({ after: position, limit: PAGE_SIZE });
      if (items.length === 0) return { read, caughtUp: true };
      // Read after the events: an endpoint created before one of them is in the list.
      const endpoints = await this.endpoints.enabledEndpoints();
      const deliveries = items.flatMap((event) =>
        endpoints
          .filter((endpoint) => WebhookEndpointService.matches(endpoint, event.type) && endpoint.createdAt.getTime() <= event.storedAt.getTime())
          .map((endpoint) => ({ endpointId: endpoint.id, eventId: event.id })),
      );
      const now = new Date();
      await this.store.addPending(deliveries, new Date(now.getTime() + this.firstDelayMs), now);
      // Lost the lease meanwhile (this replica stalled past it): the new holder goes on from the saved position.
      if (!(await this.cursor.advance(nextCursor))) return { read, caughtUp: true };
      position = nextCursor;
      read += items.length;
      if (items.length < PAGE_SIZE) return { read, caughtUp: true };
    }
    return { read, caughtUp: false };
  }

  /** Lets another replica take the fan-out over at once (this one is stopping). */
  release(): Promise<void> {
    return this.cursor.release();
  }
}
