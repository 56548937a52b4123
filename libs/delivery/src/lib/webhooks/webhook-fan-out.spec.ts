import { EventFeed, newEventId } from '@health-bridge/health-archive';
import { testDatabaseTargets } from '@health-bridge/health-archive/testing';
import { WebhookEndpointService } from '../endpoints/webhook-endpoint.service';
import { OutboxCursor } from '../outbox-cursor';
import { Sql } from '../sql';
import { startDelivery } from '../../testing/start-delivery';
import { WebhookDeliveryStore } from './webhook-delivery.store';
import { WebhookFanOut } from './webhook-fan-out';

/** The fan-out when reading the events it leased fails: what it leased is given back, nothing is made twice. */
describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('WebhookFanOut, a failed read of leased events, on $name', (target) => {
  let harness: Awaited<ReturnType<typeof startDelivery>>;
  let feed: EventFeed;
  let endpoints: WebhookEndpointService;
  let store: WebhookDeliveryStore;
  let sql: Sql;
  let cursors = 0;

  beforeAll(async () => {
    harness = await startDelivery(target, { allowPrivateTargets: true });
    feed = harness.module.get(EventFeed);
    endpoints = harness.module.get(WebhookEndpointService);
    store = harness.module.get(WebhookDeliveryStore);
    sql = harness.module.get(Sql);
  });
  afterAll(() => harness?.close());
  beforeEach(async () => {
    await harness.dataSource.query('DELETE FROM "webhook_endpoint"');
    await harness.dataSource.query('DELETE FROM "event"');
  });

  /** `n` events stored in one statement (one transaction: one page boundary falls where the fan-out's page size puts it). */
  const storeEvents = async (n: number) => {
    const ids = Array.from({ length: n }, () => newEventId());
    const at = new Date();
    await sql.rows(`INSERT INTO "event" ("event_id", "type", "sequence", "stored_at") VALUES ${ids.map(() => "(?, 'endpoint.disabled', 1, ?)").join(', ')}`, ids.flatMap((id) => [id, at]));
    return ids;
  };
  /** The real feed, whose `find` fails on its `failing`-th call (1 = the first). */
  const feedFailingAt = (failing: number) => {
    let calls = 0;
    const faulty = Object.create(feed) as EventFeed;
    faulty.find = (eventIds) => (++calls === failing ? Promise.reject(new Error('connection terminated')) : feed.find(eventIds));
    return faulty;
  };
  const fanOutOn = (source: EventFeed, cursor: OutboxCursor) => new WebhookFanOut(source, endpoints, store, cursor, sql, 0);
  const leasedUntil = () => new Date(Date.now() + 60_000);
  const deliveries = async () =>
    sql.rows<{ event_id: string; lease_until: unknown }>('SELECT "event_id", "lease_until" FROM "webhook_delivery" ORDER BY "id"');

  it.each([
    ['the first page', 1],
    ['a later page (the earlier pages’ deliveries too)', 2],
  ])('gives back every delivery it leased when reading their events fails on %s; the next look claims them all at once', async (_, failing) => {
    // Created a moment before the events: it takes them all.
    const endpoint = await endpoints.create({ url: 'http://127.0.0.1:4000/hook' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    // More than one page (200 a page): both pages lease deliveries for a first attempt at once.
    const ids = await storeEvents(250);
    const cursor = new OutboxCursor(sql, `fan-out-spec-${++cursors}`, 'spec-replica', 30_000);

    await expect(fanOutOn(feedFailingAt(failing), cursor).run({ slots: new Map([[endpoint.id, 300]]), limit: 300, leaseUntil: leasedUntil() })).rejects.toThrow(
      'connection terminated',
    );

    // The pages written before the failure stay written (their deliveries and the cursor past them), none leased.
    const written = await deliveries();
    expect(written.map((d) => d.event_id)).toEqual(failing === 1 ? ids.slice(0, 200) : ids);
    expect(written.filter((d) => d.lease_until !== null)).toEqual([]);
    const claimed = await store.claimDue(new Map([[endpoint.id, 300]]), 300, new Date(), leasedUntil());
    expect(claimed.map((d) => d.eventId).sort()).toEqual(written.map((d) => d.event_id).sort());

    // A run after it goes on from the saved position: what is left is made once, nothing twice.
    const next = await fanOutOn(feed, cursor).run();
    expect(next.read).toBe(failing === 1 ? 50 : 0);
    const all = await deliveries();
    expect(all.map((d) => d.event_id)).toEqual(ids);
  });
});
