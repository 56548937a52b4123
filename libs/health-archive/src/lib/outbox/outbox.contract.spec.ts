import { Client } from 'pg';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataProtection } from '../protection/data-protection';
import { RowSealer } from '../storage/sealing';
import { DataSource } from 'typeorm';
import { testMeasurementPush } from '@health-bridge/viatom-protocol/testing';
import { parsed, startArchive, wirePush, type ArchiveHarness } from '../../../test/archive-harness';
import { testDatabaseTargets } from '../../testing';
import { PushIngestService } from '../push-ingest.service';
import { ArchiveStore } from '../storage/archive-store';
import { PostgresArchiveStore } from '../storage/postgres/postgres-archive-store';
import { EventFeed } from './event-feed';
import { EventType, newEventId, type OutboxEvent } from './events';
import { decodeFeedCursor } from './feed-cursor';

const PHONE = '15300001111';

/**
 * The outbox, on each engine: an event is stored by the write that stores its fact, numbered in
 * its person's sequence without a gap or a repeat whatever runs at once, and read back in an
 * order a consumer can follow without ever passing one.
 */
describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('the outbox on $name', (target) => {
  let archive: ArchiveHarness;
  let ingest: PushIngestService;
  let feed: EventFeed;

  beforeEach(async () => {
    // No retention of the module's own: its first purge, at start, could race the old events these tests store and purge themselves.
    archive = await startArchive(target, undefined, { eventRetentionMs: 0 });
    ingest = archive.module.get(PushIngestService);
    feed = archive.module.get(EventFeed);
  });
  afterEach(() => archive?.close());

  const all = async (types?: EventType[]): Promise<OutboxEvent[]> => {
    const events: OutboxEvent[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await feed.read({ after, types, limit: 200 });
      events.push(...page.items);
      if (page.items.length === 0) return events;
      after = page.nextCursor;
    }
  };
  const measurement = () => parsed(testMeasurementPush({ data_tag: `m-${newEventId()}` }));

  it("numbers one person's events 1, 2, 3… without a gap or a repeat when many of them are stored at once", async () => {
    await ingest.ingest(parsed(wirePush({ type: 2, time: '2022-12-29 08:00:00' })));
    const pushes = Array.from({ length: 150 }, measurement);
    // All in flight together: several batches, on PostgreSQL several connections.
    const results = await Promise.all(pushes.map((push) => ingest.ingest(push)));
    expect(results.every((r) => r.outcome === 'archived' && !r.duplicate)).toBe(true);
    await ingest.ingest(parsed(wirePush({ type: 3, time: '2022-12-29 09:00:00' })));

    const events = await all();
    expect(events).toHaveLength(152);
    expect(events.filter((e) => e.type === EventType.MeasurementArchived)).toHaveLength(150);
    expect(events.map((e) => e.sequence).sort((a, b) => a - b)).toEqual(Array.from({ length: 152 }, (_, i) => i + 1));
    expect(new Set(events.map((e) => e.id)).size).toBe(152);
    expect(events[0]).toMatchObject({ type: EventType.AuthorizationGranted, sequence: 1, phone: PHONE });
    expect(events[151]).toMatchObject({ type: EventType.AuthorizationRevoked, sequence: 152, phone: PHONE });
  });

  it('stores no event for a delivery of a push already stored, even when both arrive at once', async () => {
    const grant = parsed(wirePush({ type: 2 }));
    const m = measurement();
    await Promise.all([ingest.ingest(grant), ingest.ingest(grant), ingest.ingest(m), ingest.ingest(m)]);
    await Promise.all([ingest.ingest(grant), ingest.ingest(m)]);
    expect((await all()).map((e) => e.type).sort()).toEqual([EventType.AuthorizationGranted, EventType.MeasurementArchived]);
  });

  it('keeps the events of a batch whose one bad push failed alone', async () => {
    const store = archive.module.get(ArchiveStore);
    const record = (dataType: number) => {
      const tag = `bad-batch-${newEventId()}`;
      return {
        dedupeKey: `tag:${tag}`,
        dataTag: tag,
        type: 1,
        accountId: 'acc-bad',
        memberId: 'mem',
        deviceSn: '',
        phone: null,
        sourceCreatedAt: null,
        sourceUpdatedAt: null,
        receivedAt: new Date(),
        rawMessage: '{}',
        ignoredRawMessage: '{}',
        orderedBy: 'received',
        dataType,
        measuredAt: null,
        data: {},
        observations: [],
        eventId: newEventId(),
      };
    };
    // Out of PostgreSQL's integer column (SQLSTATE 22003); SQLite keeps any integer.
    const settled = await Promise.allSettled([store.recordMeasurement(record(2)), store.recordMeasurement(record(2 ** 40)), store.recordMeasurement(record(2))]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', target.name === 'postgres' ? 'rejected' : 'fulfilled', 'fulfilled']);
    const events = await all();
    expect(events).toHaveLength(target.name === 'postgres' ? 2 : 3);
    expect(events.map((e) => e.sequence)).toEqual(events.map((_, i) => i + 1));
  });

  it('records who revoked, and names the person when a measurement does not', async () => {
    await ingest.ingest(parsed(wirePush({ type: 2 })));
    await ingest.ingest(measurement());
    await archive.module.get(ArchiveStore).applyAuthorizationChange({
      phone: PHONE,
      status: 'revoked' as never,
      at: new Date(),
      orderAt: new Date(),
      accountId: 'OA==|MTEx',
      memberId: 'OA==|LTE=',
      revokedBy: 'integrator' as never,
      now: new Date(),
    });
    const events = await all();
    expect(events.map((e) => [e.type, e.phone])).toEqual([
      [EventType.AuthorizationGranted, PHONE],
      [EventType.MeasurementArchived, PHONE],
      [EventType.AuthorizationRevoked, PHONE],
    ]);
    expect(events[2].data).toMatchObject({ revokedBy: 'integrator' });
  });

  it('reads by id, appends an event no push carries, and answers "from now" after the newest', async () => {
    await ingest.ingest(measurement());
    const from = await feed.latestCursor();
    const id = await feed.append(EventType.EndpointDisabled, 'endpoint:ep_1', { endpointId: 'ep_1', reason: 'gone', failingSince: null });
    const after = await feed.read({ after: from });
    expect(after.items.map((e) => [e.id, e.type, e.phone, e.sequence, e.data])).toEqual([
      [id, EventType.EndpointDisabled, null, 1, { endpointId: 'ep_1', reason: 'gone', failingSince: null }],
    ]);
    expect((await feed.find([id, 'evt_unknown'])).map((e) => e.id)).toEqual([id]);
    expect((await feed.read({ after: feed.startCursor() })).items).toHaveLength(2);
  });

  it('reads the headers of the same pages as the events, with and without types', async () => {
    await ingest.ingest(parsed(wirePush({ type: 2, time: '2022-12-29 08:00:00' })));
    for (let i = 0; i < 5; i++) await ingest.ingest(measurement());
    for (const types of [undefined, [EventType.MeasurementArchived], [EventType.AuthorizationGranted], [EventType.AuthorizationRevoked]]) {
      let after: string | undefined;
      for (let page = 0; page < 5; page++) {
        const read = await feed.read({ after, types, limit: 2 });
        const headers = await feed.readHeaders({ after, types, limit: 2 });
        expect(headers).toEqual({
          items: read.items.map(({ id, type, storedAt, cursor }) => ({ id, type, storedAt, cursor })),
          nextCursor: read.nextCursor,
        });
        after = read.nextCursor;
      }
    }
    expect((await feed.readHeaders()).items).toHaveLength(6);
    expect((await feed.readHeaders({ after: await feed.latestCursor() })).items).toEqual([]);
  });

  it('deletes the events older than the retention with their deliveries, and never gives a deleted position again', async () => {
    await ingest.ingest(measurement(), new Date('2020-01-01T00:00:00Z'));
    await ingest.ingest(measurement(), new Date('2020-01-02T00:00:00Z'));
    const [old] = await all();
    const ds = archive.dataSource;
    const p = ds.options.type === 'postgres' ? (i: number) => `$${i}` : () => '?';
    const now = ds.options.type === 'postgres' ? new Date() : '2026-01-01 00:00:00.000';
    await ds.query(
      `INSERT INTO webhook_endpoint (id, url, enabled, secret, created_at, updated_at) VALUES (${p(1)}, ${p(2)}, ${ds.options.type === 'postgres' ? 'true' : '1'}, ${p(3)}, ${p(4)}, ${p(5)})`,
      ['ep_1', 'https://example.com/hook', 'whsec_x', now, now],
    );
    await ds.query(
      `INSERT INTO webhook_delivery (endpoint_id, event_id, status, attempts, created_at, updated_at) VALUES (${p(1)}, ${p(2)}, 'pending', 0, ${p(3)}, ${p(4)})`,
      ['ep_1', old.id, now, now],
    );

    expect(await feed.purgeBefore(new Date('2020-01-01T12:00:00Z'))).toBe(1);
    expect((await all()).map((e) => e.storedAt.toISOString())).toEqual(['2020-01-02T00:00:00.000Z']);
    expect(await ds.query('SELECT * FROM webhook_delivery')).toEqual([]);

    // Emptied, the table gives a new event a position after every one it ever held.
    const lastId = decodeFeedCursor((await feed.latestCursor()) as string)?.id as number;
    expect(await feed.purgeBefore(new Date('2030-01-01T00:00:00Z'))).toBe(1);
    await ingest.ingest(measurement());
    const [fresh] = await all();
    expect(decodeFeedCursor(fresh.cursor)?.id).toBeGreaterThan(lastId);
  });

  if (target.name === 'postgres') {
    it('does not let a reader pass an event whose transaction commits after a later one', async () => {
      const ds = archive.dataSource;
      const client = new Client({ connectionString: target.url });
      await client.connect();
      try {
        const schema = (ds.options as { schema?: string }).schema as string;
        await client.query(`SET search_path TO "${schema}"`);
        await client.query('BEGIN');
        // A slow writer: its event is inserted first (a lower id, a lower transaction id) and committed last.
        await client.query(
          `INSERT INTO "event" ("event_id", "type", "phone_hash", "sequence", "stored_at", "data") VALUES ($1, 'authorization.granted', 'a-phone-hash', 1, now(), '{}')`,
          [newEventId()],
        );
        await ingest.ingest(measurement());

        // The later event is committed, but a reader that took it now would go past the slow one.
        expect((await feed.read()).items).toEqual([]);
        expect(await feed.readHeaders()).toEqual({ items: [], nextCursor: feed.startCursor() });
        const held = await feed.read();
        await client.query('COMMIT');
        const after = await feed.read({ after: held.nextCursor });
        expect(after.items.map((e) => e.type)).toEqual([EventType.AuthorizationGranted, EventType.MeasurementArchived]);
      } finally {
        await client.query('ROLLBACK').catch(() => undefined);
        await client.end();
      }
    });

    it("is not held back by a transaction left open in another database of the server", async () => {
      const other = new URL(target.url as string);
      other.pathname = '/postgres';
      const client = new Client({ connectionString: other.toString() });
      await client.connect();
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_current_xact_id()'); // it now holds a transaction id, as a writer does
        await ingest.ingest(measurement());
        expect((await feed.read()).items.map((e) => e.type)).toEqual([EventType.MeasurementArchived]);
      } finally {
        await client.query('ROLLBACK').catch(() => undefined);
        await client.end();
      }
    });

    it('numbers a person\'s events without a gap or a repeat when two replicas store them at once', async () => {
      // A second process's DataSource and store on the same schema.
      const replica = await new DataSource({ ...archive.dataSource.options, migrationsRun: false }).initialize();
      try {
        const protection = archive.module.get(DataProtection);
        const otherIngest = new PushIngestService(new PostgresArchiveStore(replica, new RowSealer(protection)), new EventEmitter2(), protection);
        await ingest.ingest(parsed(wirePush({ type: 2 })));
        const mine = Array.from({ length: 60 }, measurement);
        const theirs = Array.from({ length: 60 }, measurement);
        await Promise.all([...mine.map((push) => ingest.ingest(push)), ...theirs.map((push) => otherIngest.ingest(push))]);
        const events = await all();
        expect(events.map((e) => e.sequence).sort((a, b) => a - b)).toEqual(Array.from({ length: 121 }, (_, i) => i + 1));
      } finally {
        await replica.destroy();
      }
    });
  }

});
