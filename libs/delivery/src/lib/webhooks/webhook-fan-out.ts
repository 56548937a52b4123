import { EventFeed, type OutboxEvent, type OutboxEventHeader } from '@health-bridge/health-archive';
import { WebhookEndpointService } from '../endpoints/webhook-endpoint.service';
import type { WebhookEndpoint } from '../endpoints/webhook-endpoint';
import { OutboxCursor } from '../outbox-cursor';
import type { Sql } from '../sql';
import { WebhookDeliveryStore, type ClaimedDelivery } from './webhook-delivery.store';

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
    private readonly sql: Sql,
    /** The delay before a delivery's first attempt (the retry schedule's first entry). */
    private readonly firstDelayMs: number,
  ) {}

  /**
   * Fans out what is new: how many events it read (0 also when another replica holds the
   * cursor), whether it reached the feed's end (false: a backlog is left for the next run), and
   * the deliveries it took for their first attempt at once (when that attempt is due at once):
   * at most `slots` of each endpoint and `limit` in all, leased by the same statement that makes
   * them, handed over with their events, so that a new event costs no claim. A page is decided on
   * its events' headers; only the events taken now are read whole.
   */
  async run(take: FirstAttempts = { slots: new Map(), limit: 0, leaseUntil: new Date(0) }): Promise<FanOutRun> {
    // A new cursor starts before the oldest event kept: endpoints made while no process delivered still
    // get what was stored after them (each endpoint's createdAt keeps older events from it).
    let position = await this.cursor.acquire(async () => this.feed.startCursor());
    const run: FanOutRun = { read: 0, caughtUp: true, taken: [] };
    if (position === null) return run;
    // The deliveries this run leased: given back if it fails before handing them over, for the next look to claim
    // (their pages are done: deliveries and cursor committed).
    const taken: number[] = [];
    try {
      const slots = new Map(take.slots);
      let limit = this.firstDelayMs === 0 ? take.limit : 0;
      for (let page = 0; page < MAX_PAGES_PER_RUN; page++) {
        const { items, nextCursor } = await this.feed.readHeaders({ after: position, limit: PAGE_SIZE });
        if (items.length === 0) return run;
        // Read after the events: an endpoint created before one of them is in the list.
        const endpoints = await this.endpoints.enabledEndpoints();
        const now = new Date();
        const { leased, pending } = split(items, endpoints, slots, limit);
        limit -= leased.length;
        // The page's deliveries and the cursor past it, all or none (one group commit on SQLite, one transaction on PostgreSQL).
        const leasing = this.store.newDeliveries(leased, now, now, take.leaseUntil);
        const making = this.store.newDeliveries(pending, new Date(now.getTime() + this.firstDelayMs), now, null);
        const advancing = this.cursor.advancing(nextCursor, now);
        const results = await this.sql.all([...leasing, ...making, advancing]);
        const claimed = this.store.claimedFrom(results.slice(0, leasing.length).flat());
        if (claimed.length > 0) {
          const byId = new Map(endpoints.map((e) => [e.id, e]));
          taken.push(...claimed.map((d) => d.id));
          const events = new Map((await this.feed.find([...new Set(claimed.map((d) => d.eventId))])).map((event) => [event.id, event]));
          for (const delivery of claimed) run.taken.push({ delivery, event: events.get(delivery.eventId), endpoint: byId.get(delivery.endpointId) as WebhookEndpoint });
        }
        // Lost the lease meanwhile (this replica stalled past it): the new holder goes on from the saved position.
        if (!advancing.saved(results[results.length - 1])) return run;
        position = nextCursor;
        run.read += items.length;
        if (items.length < PAGE_SIZE) return run;
      }
    } catch (error) {
      if (taken.length > 0) await this.store.release(taken).catch(() => undefined);
      throw error;
    }
    run.caughtUp = false;
    return run;
  }

  /** Lets another replica take the fan-out over at once (this one is stopping). */
  release(): Promise<void> {
    return this.cursor.release();
  }
}

type NewDelivery = { endpointId: string; eventId: string };

/**
 * A page's deliveries: one for each event and each endpoint that takes its type and existed when
 * it was stored; the first `limit` within each endpoint's free `slots` (taken from them here) to be
 * leased for an attempt at once, the others pending.
 */
function split(events: readonly OutboxEventHeader[], endpoints: readonly WebhookEndpoint[], slots: Map<string, number>, limit: number) {
  const leased: NewDelivery[] = [];
  const pending: NewDelivery[] = [];
  for (const event of events) {
    for (const endpoint of endpoints) {
      if (!WebhookEndpointService.matches(endpoint, event.type) || endpoint.createdAt.getTime() > event.storedAt.getTime()) continue;
      const free = slots.get(endpoint.id) ?? 0;
      const delivery = { endpointId: endpoint.id, eventId: event.id };
      if (leased.length < limit && free > 0) {
        slots.set(endpoint.id, free - 1);
        leased.push(delivery);
      } else {
        pending.push(delivery);
      }
    }
  }
  return { leased, pending };
}

/** What a fan-out may take for first attempts at once: free slots per endpoint, in all, and the lease. */
export interface FirstAttempts {
  slots: ReadonlyMap<string, number>;
  limit: number;
  leaseUntil: Date;
}

export interface FanOutRun {
  read: number;
  caughtUp: boolean;
  /** Deliveries made and leased by this run, to be attempted now (an event purged meanwhile is missing). */
  taken: Array<{ delivery: ClaimedDelivery; event?: OutboxEvent; endpoint: WebhookEndpoint }>;
}
