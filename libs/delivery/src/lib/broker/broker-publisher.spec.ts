import { randomBytes } from 'node:crypto';
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import type { LoggerService } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Test, type TestingModule } from '@nestjs/testing';
import { connect as amqpConnect, type Channel, type ChannelModel, type ConsumeMessage, type Options } from 'amqplib';
import { EventFeed, EventType, HealthArchiveModule, newEventId } from '@health-bridge/health-archive';
import { createTestDatabase, HEALTH_ARCHIVE_DATA_SOURCE, OpenedResources, testDatabaseTargets, type TestDatabase, type TestDatabaseTarget } from '@health-bridge/health-archive/testing';
// The archive's cancel calls Viatom, so its module needs a client; nothing here calls it.
import { ViatomClientModule } from '@health-bridge/viatom-client';
import { waitFor } from '@health-bridge/viatom-sandbox';
import type { DataSource } from 'typeorm';
import { DeliveryModule } from '../delivery.module';
import type { DeliveryOptions } from '../delivery.options';
import { BROKER_CURSOR_NAME, BrokerPublisher } from './broker-publisher';

// The publisher against the real RabbitMQ (amqp://guest:guest@127.0.0.1:5672) and a real
// database on each engine; faults come from a TCP relay in front of the broker (refusing,
// resetting), never from stopping it, so these tests can run beside others.

const RABBITMQ_URL = process.env.TEST_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** The sandbox's polling, with this file's longer default: a broker takes its time to come back. */
const until = <T>(what: string, probe: () => T | Promise<T>, ms = 20_000) => waitFor(what, probe, ms) as Promise<NonNullable<T>>;

/** Nest's log lines, kept to be read. */
class CapturedLog implements LoggerService {
  readonly lines: { level: string; message: string; context?: string }[] = [];
  log = (message: unknown, context?: string) => this.add('log', message, context);
  warn = (message: unknown, context?: string) => this.add('warn', message, context);
  error = (message: unknown, ...rest: unknown[]) => this.add('error', message, rest[rest.length - 1] as string);
  debug = (message: unknown, context?: string) => this.add('debug', message, context);
  verbose = (message: unknown, context?: string) => this.add('verbose', message, context);
  private add(level: string, message: unknown, context?: string) {
    this.lines.push({ level, message: String(message), context });
  }
  of(context: string) {
    return this.lines.filter((l) => l.context === context);
  }
}

/**
 * A TCP relay in front of RabbitMQ: forwards; or refuses (accepts and drops at once); or holds
 * what the broker sends (its confirms) while still passing on what the publisher sends; or
 * resets every connection it relays.
 */
class BrokerRelay {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  refusing = false;
  /** The broker's frames (confirms, heartbeats) are kept back while true, and dropped at a reset. */
  holding = false;
  attempts = 0;
  port = 0;

  async start(): Promise<void> {
    const target = new URL(RABBITMQ_URL);
    this.server = createServer((client) => {
      this.attempts++;
      if (this.refusing) {
        client.destroy();
        return;
      }
      const upstream = tcpConnect(Number(target.port || 5672), target.hostname);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream);
      upstream.on('data', (chunk: Buffer) => {
        if (!this.holding) client.write(chunk);
      });
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  get url(): string {
    const via = new URL(RABBITMQ_URL);
    via.hostname = '127.0.0.1';
    via.port = String(this.port);
    return via.toString();
  }

  /** TCP RST on every relayed connection (no goodbye from either side); new ones are still accepted. */
  reset(): void {
    for (const s of this.sockets) s.resetAndDestroy();
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** A consumer of the test's exchange: one queue bound with `#`, every message kept. */
class Consumer {
  readonly messages: ConsumeMessage[] = [];
  private readonly extraQueues: string[] = [];
  private constructor(
    private readonly connection: ChannelModel,
    private readonly channel: Channel,
    readonly exchange: string,
    readonly queue: string,
  ) {}

  static async open(exchange: string): Promise<Consumer> {
    const connection = await amqpConnect(RABBITMQ_URL);
    connection.on('error', () => undefined);
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    const consumer = new Consumer(connection, channel, exchange, `${exchange}.all`);
    await consumer.bind();
    await channel.consume(consumer.queue, (m) => m && consumer.messages.push(m), { noAck: true });
    return consumer;
  }

  /** Declares the exchange as the publisher does, and binds the queue to it (again, after the exchange was deleted). */
  async bind(): Promise<void> {
    await this.channel.assertExchange(this.exchange, 'topic', { durable: true });
    await this.channel.assertQueue(this.queue, { durable: false, autoDelete: false });
    await this.channel.bindQueue(this.queue, this.exchange, '#');
  }

  ids(): string[] {
    return this.messages.map((m) => m.properties.messageId as string);
  }

  /** Whether the exchange exists now (on a channel of its own: a failed check closes it). */
  async exchangeExists(): Promise<boolean> {
    const probe = await this.connection.createChannel();
    probe.on('error', () => undefined);
    try {
      await probe.checkExchange(this.exchange);
      await probe.close();
      return true;
    } catch {
      return false;
    }
  }

  /** Another queue bound with `#`, nobody consuming it. */
  async declareQueue(queue: string, options: Options.AssertQueue): Promise<void> {
    this.extraQueues.push(queue);
    await this.channel.assertQueue(queue, { durable: false, ...options });
    await this.channel.bindQueue(queue, this.exchange, '#');
  }

  async deleteQueue(queue: string): Promise<void> {
    await this.channel.deleteQueue(queue);
  }

  async deleteExchange(): Promise<void> {
    await this.channel.deleteExchange(this.exchange);
  }

  async close(): Promise<void> {
    for (const queue of [this.queue, ...this.extraQueues]) await this.channel.deleteQueue(queue).catch(() => undefined);
    await this.channel.deleteExchange(this.exchange).catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }
}

interface Replica {
  module: TestingModule;
  publisher: BrokerPublisher | null;
  log: CapturedLog;
  close(): Promise<void>;
}

/** The archive and the delivery lib on an existing test database, as one replica of the api runs them. */
async function startReplica(database: TestDatabase, delivery: DeliveryOptions): Promise<Replica> {
  const log = new CapturedLog();
  const module = await Test.createTestingModule({
    imports: [
      EventEmitterModule.forRoot(),
      ViatomClientModule.forRoot({ baseUrl: 'http://127.0.0.1:9', secret: 'test-secret', accessToken: 'test-token', timeoutMs: 2000 }),
      HealthArchiveModule.forRoot({ database: database.options, dataProtection: database.keys, isGlobal: true }),
      DeliveryModule.forRoot(delivery),
    ],
  }).compile();
  module.useLogger(log);
  await module.init();
  let closed = false;
  return {
    module,
    publisher: module.get(BrokerPublisher),
    log,
    close: async () => {
      if (closed) return;
      closed = true;
      await module.close();
    },
  };
}

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('BrokerPublisher on $name', (target: TestDatabaseTarget) => {
  let opened: OpenedResources;
  let database: TestDatabase;
  /** A replica that does not publish: appends events and looks at the tables, whatever the publishers do. */
  let observer: Replica;
  let feed: EventFeed;
  let dataSource: DataSource;
  let exchange: string;
  let consumer: Consumer;
  let replicas: Replica[];

  beforeAll(async () => {
    opened = new OpenedResources(`broker publisher on ${target.name}`);
    database = await opened.step('creating the test database', () => createTestDatabase(target));
    opened.add(() => database.drop());
    observer = await opened.step('starting the observer', () => startReplica(database, { worker: false }));
    opened.add(() => observer.close());
    feed = observer.module.get(EventFeed);
    dataSource = observer.module.get<DataSource>(HEALTH_ARCHIVE_DATA_SOURCE);
  });
  afterAll(() => opened?.close());

  beforeEach(async () => {
    exchange = `health-bridge.test.${process.pid}.${randomBytes(4).toString('hex')}`;
    consumer = await Consumer.open(exchange);
    replicas = [];
  });
  afterEach(async () => {
    for (const replica of replicas) await replica.close();
    await consumer.close();
    // Each test starts from an empty outbox and a new broker destination.
    await dataSource.query(`DELETE FROM "outbox_cursor" WHERE "name" = '${BROKER_CURSOR_NAME}'`);
    await dataSource.query('DELETE FROM "event"');
  });

  const publisherReplica = async (url = RABBITMQ_URL, worker = true) => {
    const replica = await startReplica(database, { worker, broker: { url, exchange } });
    replicas.push(replica);
    return replica;
  };
  const append = async (n: number) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push(await feed.append(EventType.EndpointDisabled, `endpoint:test-${i}`, { endpointId: `test-${i}`, reason: 'gone', failingSince: null }));
    return ids;
  };
  /** An instant as the engine's parameter (SQLite keeps UTC text). */
  const instant = (d: Date) => (target.name === 'postgres' ? d : `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 23)}`);
  /** n events in one statement: the publisher's poll sees all of them or none (one page, whenever it looks). */
  const appendAtOnce = async (n: number) => {
    const ids = Array.from({ length: n }, () => newEventId());
    const at = instant(new Date());
    const p = target.name === 'postgres' ? (i: number) => `$${i}` : () => '?';
    await dataSource.query(
      `INSERT INTO "event" ("event_id", "type", "phone_hash", "sequence", "stored_at", "data") VALUES ` +
        ids.map((_, i) => `(${p(2 * i + 1)}, 'endpoint.disabled', NULL, ${i + 1}, ${p(2 * i + 2)}, '{}')`).join(', '),
      ids.flatMap((id) => [id, at]),
    );
    return ids;
  };
  const cursorRow = async () =>
    (await dataSource.query(`SELECT "position", "lease_owner" AS "owner" FROM "outbox_cursor" WHERE "name" = '${BROKER_CURSOR_NAME}'`))[0] as
      | { position: string; owner: string | null }
      | undefined;
  const allReceived = (ids: string[]) => () => ids.every((id) => consumer.ids().includes(id));

  it('a new broker destination gets every event still kept, in feed order, then the new ones', async () => {
    const before = await append(5);
    const replica = await publisherReplica();
    await until('the events stored before it started', allReceived(before));
    const after = await append(3);
    await until('the events stored since', allReceived(after));

    const kept = (await feed.read({ limit: 200 })).items.map((e) => e.id);
    // Every event kept, each once, oldest first (the feed's order).
    expect(consumer.ids()).toEqual(kept);
    expect(kept).toEqual(expect.arrayContaining([...before, ...after]));
    const last = consumer.messages[consumer.messages.length - 1];
    expect(last.fields.routingKey).toBe('endpoint.disabled');
    expect(last.properties).toMatchObject({ deliveryMode: 2, contentType: 'application/json', type: 'endpoint.disabled', messageId: after[2] });

    await until('the cursor past the last event', async () => (await cursorRow())?.position === (await feed.read({ limit: 200 })).nextCursor);
    expect(replica.publisher?.status()).toMatchObject({ connected: true, backlog: 0, holdsLease: true, lastPublishedAt: expect.any(Date) });
    expect(replica.log.of('BrokerPublisher').filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);
  });

  it('publishes more than a page, each event once, and hands the lease over at shutdown', async () => {
    const ids = await append(450);
    const replica = await publisherReplica();
    await until('every event', allReceived(ids));
    expect(new Set(consumer.ids()).size).toBe(consumer.ids().length);
    await until('the cursor saved past them', async () => (await cursorRow())?.position === (await feed.read({ after: (await cursorRow())?.position })).nextCursor);
    expect((await cursorRow())?.owner).toEqual(expect.any(String));

    await replica.close();
    // Released, not left to expire: another replica may take over at once.
    expect(await cursorRow()).toMatchObject({ owner: null });
  });

  it('one replica publishes at a time; when it stops, another goes on from its cursor', async () => {
    const first = await publisherReplica();
    const second = await publisherReplica();
    const early = await append(10);
    await until('the first events', allReceived(early));
    const holders = [first, second].filter((r) => r.publisher?.status().holdsLease);
    expect(holders).toHaveLength(1);

    await holders[0].close();
    const other = holders[0] === first ? second : first;
    const late = await append(10);
    await until('the events after the hand-over', allReceived(late));
    expect(other.publisher?.status().holdsLease).toBe(true);
    // Nothing published twice: the second replica started from the cursor the first saved.
    expect(consumer.ids()).toEqual([...early, ...late]);
  });

  it('waits while another process holds the lease, and takes over when it expires', async () => {
    const ids = await append(3);
    const someone = 'another-host:1:ffffffff';
    await dataSource.query(
      target.name === 'postgres'
        ? 'INSERT INTO "outbox_cursor" ("name", "position", "lease_owner", "lease_until", "updated_at") VALUES ($1, $2, $3, $4, $5)'
        : 'INSERT INTO "outbox_cursor" ("name", "position", "lease_owner", "lease_until", "updated_at") VALUES (?, ?, ?, ?, ?)',
      [BROKER_CURSOR_NAME, feed.startCursor(), someone, instant(new Date(Date.now() + 60_000)), instant(new Date())],
    );
    const replica = await publisherReplica();
    await until('connected', () => replica.publisher?.status().connected);
    // Polls (every 250 ms), finds the lease taken, publishes nothing.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(consumer.messages).toHaveLength(0);
    expect(replica.publisher?.status()).toMatchObject({ holdsLease: false, backlog: null });

    // The other holder's lease runs out.
    await dataSource.query(
      target.name === 'postgres' ? 'UPDATE "outbox_cursor" SET "lease_until" = $1 WHERE "name" = $2' : 'UPDATE "outbox_cursor" SET "lease_until" = ? WHERE "name" = ?',
      [instant(new Date(Date.now() - 1_000)), BROKER_CURSOR_NAME],
    );
    await until('the events, once the lease is free', allReceived(ids));
    expect(replica.publisher?.status().holdsLease).toBe(true);
  });

  it('with a broker refusing connections: starts, logs the outage once, moves nothing, then publishes everything once it is back', async () => {
    const relay = new BrokerRelay();
    await relay.start();
    relay.refusing = true;
    try {
      const replica = await publisherReplica(relay.url);
      const ids = await append(5);
      await until('several connection attempts', () => relay.attempts >= 3);
      const warnings = () => replica.log.of('BrokerPublisher').filter((l) => l.level === 'warn');
      expect(warnings()).toHaveLength(1);
      expect(warnings()[0].message).toMatch(/^publishing to RabbitMQ amqp:\/\/guest:\*\*\*@127\.0\.0\.1:\d+ paused: .+Events wait in the outbox; reconnecting every 2 s$/);
      expect(replica.publisher?.status()).toMatchObject({ connected: false, lastPublishedAt: null });
      // Nothing was read past, nothing sent.
      expect(consumer.messages).toHaveLength(0);
      expect((await cursorRow())?.position ?? feed.startCursor()).toBe(feed.startCursor());

      relay.refusing = false;
      await until('the events, once the broker is back', allReceived(ids));
      expect(consumer.ids()).toEqual(ids);
      await until('the comeback logged', () => replica.log.of('BrokerPublisher').some((l) => /^publishing to RabbitMQ .* resumed after \d+\.\d s$/.test(l.message)));
      expect(warnings()).toHaveLength(1);
      expect(replica.log.lines.some((l) => l.message.includes('guest:guest'))).toBe(false);
    } finally {
      for (const replica of replicas.splice(0)) await replica.close();
      await relay.close();
    }
  });

  it('a connection lost before the confirms moves nothing: the page is published again', async () => {
    const relay = new BrokerRelay();
    await relay.start();
    try {
      const replica = await publisherReplica(relay.url);
      await until('connected', () => replica.publisher?.status().connected);
      // The broker gets the page and routes it, but its confirms never reach the publisher.
      // (Stored one by one, the events could be split over two pages, the second waiting for the first's confirm timeout.)
      relay.holding = true;
      const ids = await appendAtOnce(5);
      await until('the page routed to the queue', allReceived(ids));
      expect(replica.publisher?.status()).toMatchObject({ backlog: 5, lastPublishedAt: null });
      expect((await cursorRow())?.position).toBe(feed.startCursor());

      relay.reset();
      relay.holding = false;
      await until('the page published again', () => consumer.messages.length >= 2 * ids.length);
      await until('the cursor saved past the page', async () => (await cursorRow())?.position === (await feed.read({ limit: 200 })).nextCursor);
      // At least once: every event twice here (a consumer dedupes by messageId), none lost.
      expect(new Set(consumer.ids())).toEqual(new Set(ids));
      expect(replica.publisher?.status()).toMatchObject({ connected: true, backlog: 0, lastPublishedAt: expect.any(Date) });
      const lines = replica.log.of('BrokerPublisher');
      expect(lines.filter((l) => /paused/.test(l.message))).toHaveLength(1);
      expect(lines.filter((l) => l.level === 'error')).toEqual([]);
    } finally {
      for (const replica of replicas.splice(0)) await replica.close();
      await relay.close();
    }
  });

  it('survives connections reset while it works through a backlog: every event arrives', async () => {
    const relay = new BrokerRelay();
    await relay.start();
    try {
      const ids = await append(1000);
      const replica = await publisherReplica(relay.url);
      for (let reset = 0; reset < 3 && !allReceived(ids)(); reset++) {
        const seen = consumer.messages.length;
        await until('messages flowing', () => consumer.messages.length > seen || allReceived(ids)());
        relay.reset();
      }
      await until('every event', allReceived(ids), 60_000);
      expect(new Set(consumer.ids()).size).toBe(ids.length);
      await until('the cursor saved at the end', async () => (await feed.read({ after: (await cursorRow())?.position })).items.length === 0);
      expect(replica.publisher?.status().connected).toBe(true);
      expect(replica.log.of('BrokerPublisher').filter((l) => l.level === 'error')).toEqual([]);
    } finally {
      for (const replica of replicas.splice(0)) await replica.close();
      await relay.close();
    }
  });

  it('a nack moves nothing, is logged once however often it is tried again, and the page goes once the broker takes it', async () => {
    // A queue that refuses what it has no room for: RabbitMQ nacks a publish routed to it.
    const full = `${exchange}.full`;
    await consumer.declareQueue(full, { arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' } });
    const replica = await publisherReplica();
    const ids = await append(3);
    const errors = () => replica.log.of('BrokerPublisher').filter((l) => l.level === 'error');
    await until('the nack logged', () => errors().length > 0);
    expect(errors()[0].message).toMatch(/^publishing to RabbitMQ failed, trying again: RabbitMQ did not confirm \d of 3 messages \(message nacked\)$/);
    expect((await cursorRow())?.position).toBe(feed.startCursor());
    expect(replica.publisher?.status()).toMatchObject({ connected: true, backlog: 3, lastPublishedAt: null });
    // Tried again (the `#` queue gets each try), still one line.
    await until('a second try', () => consumer.messages.length >= 2 * ids.length);
    expect(errors()).toHaveLength(1);

    await consumer.deleteQueue(full);
    await until('the cursor saved past the page', async () => (await cursorRow())?.position === (await feed.read({ limit: 200 })).nextCursor);
    expect(new Set(consumer.ids())).toEqual(new Set(ids));
    await until('the recovery logged', () => replica.log.of('BrokerPublisher').some((l) => /^publishing to RabbitMQ works again \(after \d+ failed tries\)$/.test(l.message)));
  });

  it('declares the exchange again when it was deleted under it (the broker closes the channel, not the connection)', async () => {
    const replica = await publisherReplica();
    const [first] = await append(1);
    await until('the first event', allReceived([first]));

    await consumer.deleteExchange();
    // Published to an exchange that is gone: RabbitMQ closes the channel (404); the publisher reconnects and declares it again.
    await append(1);
    await until('the exchange declared again', () => consumer.exchangeExists());
    await consumer.bind();
    const [later] = await append(1);
    await until('an event published after the recovery', allReceived([later]));
    expect(replica.publisher?.status().connected).toBe(true);
    const lines = replica.log.of('BrokerPublisher').map((l) => l.message);
    expect(lines.some((l) => /paused: RabbitMQ closed the channel: .*NOT_FOUND/.test(l))).toBe(true);
    expect(lines.some((l) => /resumed after/.test(l))).toBe(true);
  });

  it('does nothing on a replica that is not a delivery worker', async () => {
    await consumer.deleteExchange();
    const replica = await publisherReplica(RABBITMQ_URL, false);
    await append(2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await consumer.exchangeExists()).toBe(false);
    expect(replica.publisher?.status()).toEqual({ connected: false, lastPublishedAt: null, backlog: null, holdsLease: false });
    expect(await cursorRow()).toBeUndefined();
  });

  it('is null without a broker', async () => {
    const replica = await startReplica(database, { worker: true });
    replicas.push(replica);
    expect(replica.publisher).toBeNull();
  });
});
