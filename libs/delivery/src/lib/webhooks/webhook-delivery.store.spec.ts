import { newEventId } from '@health-bridge/health-archive';
import { testDatabaseTargets } from '@health-bridge/health-archive/testing';
import { WebhookEndpointService } from '../endpoints/webhook-endpoint.service';
import { Sql } from '../sql';
import { startDelivery } from '../../testing/start-delivery';
import { ATTEMPT_COUNTS_SQL, BACKLOG_SQL, DeliveryStatus, WebhookDeliveryStore } from './webhook-delivery.store';

/** What the overview reads of the deliveries: the backlog and the attempts of a window. */
describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('WebhookDeliveryStore, the overview reads, on $name', (target) => {
  let harness: Awaited<ReturnType<typeof startDelivery>>;
  let store: WebhookDeliveryStore;
  let sql: Sql;

  beforeAll(async () => {
    harness = await startDelivery(target, { allowPrivateTargets: true });
    store = harness.module.get(WebhookDeliveryStore);
    sql = harness.module.get(Sql);
  });
  afterAll(() => harness?.close());
  beforeEach(async () => {
    await harness.dataSource.query('DELETE FROM "webhook_endpoint"');
    await harness.dataSource.query('DELETE FROM "event"');
  });

  const T0 = Date.parse('2026-03-01T08:00:00Z');
  const at = (ms: number) => new Date(T0 + ms);
  const endpoint = async () => (await harness.module.get(WebhookEndpointService).create({ url: 'http://127.0.0.1:4000/hook' })).id;
  const event = async () => {
    const eventId = newEventId();
    await sql.rows('INSERT INTO "event" ("event_id", "type", "sequence", "stored_at") VALUES (?, ?, 1, ?)', [eventId, 'endpoint.disabled', at(0)]);
    return eventId;
  };
  /** A delivery made at `createdAt`, then in `status`; its id. */
  const delivery = async (endpointId: string, createdAt: Date, status: DeliveryStatus) => {
    const eventId = await event();
    await sql.all(store.newDeliveries([{ endpointId, eventId }], createdAt, createdAt, null));
    const [row] = await sql.rows<{ id: number | string }>('SELECT "id" FROM "webhook_delivery" WHERE "endpoint_id" = ? AND "event_id" = ?', [endpointId, eventId]);
    const id = Number(row.id);
    if (status !== DeliveryStatus.Pending) await store.settle(id, status, 1, null, createdAt);
    return id;
  };

  it('counts the pending and failed deliveries of every endpoint, and tells when the first pending one was made', async () => {
    expect(await store.backlog()).toEqual({ pending: 0, failed: 0, oldestPendingAt: null });
    const [a, b] = [await endpoint(), await endpoint()];
    await delivery(b, at(1_000), DeliveryStatus.Delivered);
    await delivery(a, at(2_000), DeliveryStatus.Pending);
    await delivery(b, at(3_000), DeliveryStatus.Failed);
    await delivery(b, at(4_000), DeliveryStatus.Pending);
    await delivery(a, at(5_000), DeliveryStatus.Failed);
    await delivery(a, at(6_000), DeliveryStatus.Delivered);
    expect(await store.backlog()).toEqual({ pending: 2, failed: 2, oldestPendingAt: at(2_000) });

    // A disabled endpoint's deliveries wait all the same; a deleted endpoint's go with it.
    await harness.module.get(WebhookEndpointService).update(a, { enabled: false });
    expect(await store.backlog()).toEqual({ pending: 2, failed: 2, oldestPendingAt: at(2_000) });
    await harness.module.get(WebhookEndpointService).remove(a);
    expect(await store.backlog()).toEqual({ pending: 1, failed: 1, oldestPendingAt: at(4_000) });
  });

  it('counts the attempts of a window, both ends included: 2xx succeeded, any other status or none failed', async () => {
    const id = await delivery(await endpoint(), at(0), DeliveryStatus.Pending);
    const attempt = (ms: number, statusCode: number | null) => store.addAttempt({ deliveryId: id, attemptedAt: at(ms), statusCode, durationMs: 10, error: statusCode === 200 ? null : 'no' });
    expect(await store.attemptCounts(at(0), at(60_000))).toEqual({ succeeded: 0, failed: 0 });
    await attempt(-1, 200); // before the window
    await attempt(0, 200); // its first instant
    await attempt(10_000, 204);
    await attempt(20_000, 299);
    await attempt(30_000, 500);
    await attempt(40_000, null);
    await attempt(50_000, 302);
    await attempt(55_000, 199);
    await attempt(60_000, 300); // its last instant
    await attempt(60_001, 200); // after it
    expect(await store.attemptCounts(at(0), at(60_000))).toEqual({ succeeded: 3, failed: 5 });
    expect(await store.attemptCounts(at(-1), at(60_001))).toEqual({ succeeded: 5, failed: 5 });
    expect(await store.attemptCounts(at(60_002), at(70_000))).toEqual({ succeeded: 0, failed: 0 });
  });

  it('reads through the indexes: the deliveries endpoint by endpoint, the attempts by time', async () => {
    if (target.name === 'sqlite') {
      const plan = async (text: string, params: unknown[]) =>
        ((await harness.dataSource.query(`EXPLAIN QUERY PLAN ${text}`, params)) as Array<{ detail: string }>).map((row) => row.detail).join('\n');
      expect(await plan(ATTEMPT_COUNTS_SQL, ['a', 'b'])).toMatch(/SEARCH webhook_attempt USING COVERING INDEX IDX_webhook_attempt_attempted_at_status_code \(attempted_at>\? AND attempted_at<\?\)/);
      const backlog = await plan(BACKLOG_SQL, []);
      expect(backlog.match(/SEARCH d USING COVERING INDEX IDX_webhook_delivery_due \(endpoint_id=\? AND status=\?\)/g)).toHaveLength(3);
      expect(backlog).not.toMatch(/SCAN d\b/);
      return;
    }
    // The plan made with the statistics of a table where nearly every delivery is delivered, as in
    // service (autovacuum keeps them); a small table would be read whole (cheaper there): not here.
    const endpoints = [await endpoint(), await endpoint()];
    for (const endpointId of endpoints) {
      const eventIds = Array.from({ length: 400 }, () => newEventId());
      for (let i = 0; i < eventIds.length; i += 100) {
        const chunk = eventIds.slice(i, i + 100);
        await sql.rows(`INSERT INTO "event" ("event_id", "type", "sequence", "stored_at") VALUES ${chunk.map(() => "(?, 'endpoint.disabled', 1, ?)").join(', ')}`, chunk.flatMap((id) => [id, at(0)]));
      }
      await sql.all(store.newDeliveries(eventIds.map((eventId) => ({ endpointId, eventId })), at(0), at(0), null));
    }
    await sql.rows(`UPDATE "webhook_delivery" SET "status" = 'delivered', "next_attempt_at" = NULL`);
    for (const endpointId of endpoints) for (const status of [DeliveryStatus.Pending, DeliveryStatus.Failed]) await delivery(endpointId, at(1), status);
    await harness.dataSource.query('ANALYZE "webhook_delivery"');
    const runner = harness.dataSource.createQueryRunner();
    try {
      await runner.query('SET enable_seqscan = off');
      const plan = async (text: string) => ((await runner.query(`EXPLAIN ${text}`)) as Array<Record<string, string>>).map((row) => row['QUERY PLAN']).join('\n');
      const attempts = await plan(ATTEMPT_COUNTS_SQL.replace('?', "'2026-03-01T08:00:00Z'").replace('?', "'2026-03-01T09:00:00Z'"));
      // Index-only once the table is vacuumed (its rows all visible); a bitmap scan of the index before.
      expect(attempts).toMatch(/(Index Only Scan using|Bitmap Index Scan on) "IDX_webhook_attempt_attempted_at_status_code"/);
      const backlog = await plan(BACKLOG_SQL);
      // Each count one range of (endpoint, status): the endpoint is in every condition on the index.
      expect(backlog.match(/Index (Only )?Scan using "IDX_webhook_delivery_due" on webhook_delivery d\w*[^\n]*\n\s+Index Cond: \(\(endpoint_id = \(e\.id\)::text\) AND \(status = '(pending|failed)'::text\)\)/g)).toHaveLength(3);
      expect(backlog).not.toMatch(/Seq Scan on webhook_delivery/);
    } finally {
      await runner.query('RESET enable_seqscan');
      await runner.release();
    }
  });
});
