import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { connect as amqpConnect, type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { BrokerPublisher } from '@health-bridge/delivery';
import { testDatabaseTargets } from '@health-bridge/health-archive/testing';
import { waitFor } from '@health-bridge/viatom-sandbox';
import { api, startApi, type ApiHarness } from './api-harness';

// The RabbitMQ destination end to end: pushes into the API, messages out of a real RabbitMQ
// (amqp://127.0.0.1:5672), read by a plain amqplib consumer as an enterprise would.
//
// ⚠ The OUTAGE tests below stop RabbitMQ (`rabbitmqctl stop_app`) for several seconds, once
// per database engine: anything else using the broker meanwhile sees it go away. They always
// start it again (in a `finally`, and once more in afterAll) and wait until it accepts
// connections before they end.

const BROKER_HOST = '127.0.0.1:5672';
const GUEST_URL = `amqp://guest:guest@${BROKER_HOST}`;
const exec = promisify(execFile);

/** The sandbox's polling, with this file's longer default: a broker takes its time to come back. */
const until = <T>(what: string, probe: () => T | Promise<T>, ms = 20_000) => waitFor(what, probe, ms) as Promise<NonNullable<T>>;

async function rabbitmqctl(...args: string[]): Promise<void> {
  await exec('rabbitmqctl', args, { timeout: 120_000 });
}

async function brokerAccepts(url = GUEST_URL): Promise<boolean> {
  try {
    const connection = await amqpConnect(url);
    connection.on('error', () => undefined);
    await connection.close();
    return true;
  } catch {
    return false;
  }
}

/** Starts RabbitMQ's application (nothing happens when it runs) and waits until it takes connections. */
async function ensureBrokerRunning(): Promise<void> {
  await rabbitmqctl('start_app');
  await until('RabbitMQ accepting connections again', () => brokerAccepts(), 120_000);
}

/** A RabbitMQ user of its own for this file, with a password worth looking for in the logs (an `@`, so percent-encoded in the URL). */
const brokerUser = {
  name: `health-bridge-test-${process.pid}-${randomBytes(3).toString('hex')}`,
  password: `pw@${randomBytes(12).toString('hex')}`,
  get url() {
    return `amqp://${this.name}:${encodeURIComponent(this.password)}@${BROKER_HOST}`;
  },
};

/** An enterprise's consumer: durable queues bound to the exchange, every delivery kept (acked after), reconnectable after an outage. */
class Consumer {
  readonly received = new Map<string, ConsumeMessage[]>();
  private connection: ChannelModel | null = null;
  private channel: Channel | null = null;
  private readonly queues = new Map<string, string>();

  constructor(
    readonly exchange: string,
    private readonly url = GUEST_URL,
  ) {}

  /** Connects (again) and consumes every queue bound so far. */
  async connect(): Promise<void> {
    const connection = await amqpConnect(this.url);
    // The broker stopping closes it: an 'error' without a listener would end the test process.
    connection.on('error', () => undefined);
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    this.connection = connection;
    this.channel = channel;
    for (const queue of this.queues.keys()) await this.consume(queue);
  }

  /** A durable queue (it outlives a broker restart) bound with this pattern; returns its name. */
  async bind(suffix: string, pattern: string): Promise<string> {
    const channel = this.open();
    const queue = `${this.exchange}.${suffix}`;
    await channel.assertQueue(queue, { durable: true });
    await channel.bindQueue(queue, this.exchange, pattern);
    this.queues.set(queue, pattern);
    this.received.set(queue, []);
    await this.consume(queue);
    return queue;
  }

  messages(queue: string): ConsumeMessage[] {
    return this.received.get(queue) ?? [];
  }

  ids(queue: string): string[] {
    return this.messages(queue).map((m) => m.properties.messageId as string);
  }

  /** Runs `work` on a channel of its own (a failed declaration closes the channel it ran on); its error, if any. */
  async probe(work: (channel: Channel) => Promise<unknown>): Promise<(Error & { code?: number }) | null> {
    const channel = await this.openConnection().createChannel();
    channel.on('error', () => undefined);
    try {
      await work(channel);
      await channel.close();
      return null;
    } catch (error) {
      return error as Error;
    }
  }

  /** Deletes the queues and the exchange, and closes. */
  async close(): Promise<void> {
    if (!this.connection && !(await brokerAccepts())) return;
    if (!this.connection) await this.connect().catch(() => undefined);
    const channel = this.channel;
    if (channel) {
      for (const queue of this.queues.keys()) await channel.deleteQueue(queue).catch(() => undefined);
      await channel.deleteExchange(this.exchange).catch(() => undefined);
    }
    await this.connection?.close().catch(() => undefined);
    this.connection = null;
  }

  /** Forgets the connection the broker closed (its outage). */
  dropped(): void {
    this.connection = null;
    this.channel = null;
  }

  private async consume(queue: string): Promise<void> {
    const channel = this.open();
    await channel.consume(queue, (message) => {
      if (!message) return;
      this.received.get(queue)?.push(message);
      channel.ack(message);
    });
  }

  private open(): Channel {
    if (!this.channel) throw new Error('the consumer is not connected');
    return this.channel;
  }

  private openConnection(): ChannelModel {
    if (!this.connection) throw new Error('the consumer is not connected');
    return this.connection;
  }
}

interface FeedEvent {
  id: string;
  type: string;
  storedAt: string;
  phone: string | null;
  sequence: number;
  data: Record<string, unknown>;
}

/** Every event of the feed, oldest first (its nextCursor never ends: read until a page is empty). */
async function feedEvents(h: ApiHarness): Promise<FeedEvent[]> {
  const events: FeedEvent[] = [];
  let after: string | null = null;
  for (;;) {
    const res = await api(h, 'GET', `/api/v1/events?limit=200${after ? `&after=${encodeURIComponent(after)}` : ''}`);
    expect(res.status).toBe(200);
    if (res.body.items.length === 0) return events;
    events.push(...res.body.items);
    after = res.body.nextCursor;
  }
}

/** The pino lines the API wrote, parsed. */
function logEntries(lines: string[]): { level: number; context?: string; msg: string }[] {
  return lines.map((line) => JSON.parse(line));
}

const ok = (records: { status: number | null; error: string | null }[]) => {
  for (const record of records) expect({ status: record.status, error: record.error }).toEqual({ status: 200, error: null });
};

beforeAll(async () => {
  // An outage test that failed half-way in an earlier run must not leave the broker stopped for this one.
  if (!(await brokerAccepts())) await ensureBrokerRunning();
  await rabbitmqctl('add_user', brokerUser.name, brokerUser.password);
  await rabbitmqctl('set_permissions', '-p', '/', brokerUser.name, '.*', '.*', '.*');
}, 120_000);

afterAll(async () => {
  // Whatever happened, the broker is left running for the tests after these.
  await ensureBrokerRunning();
  await rabbitmqctl('delete_user', brokerUser.name).catch(() => undefined);
}, 180_000);

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('publishing to RabbitMQ on $name', (target) => {
  let h: ApiHarness;
  let consumer: Consumer;
  let exchange: string;
  const logLines: string[] = [];

  beforeAll(async () => {
    exchange = `health-bridge.test.${process.pid}.${randomBytes(4).toString('hex')}`;
    h = await startApi(target, { RABBITMQ_URL: brokerUser.url, RABBITMQ_EXCHANGE: exchange, LOG_LEVEL: 'debug' }, { logStream: { write: (line: string) => void logLines.push(line) } });
    consumer = new Consumer(exchange);
    await consumer.connect();
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await consumer?.close();
  }, 60_000);

  const publisher = () => h.app.get(BrokerPublisher);
  const brokerLog = () => logEntries(logLines).filter((e) => e.context === 'BrokerPublisher');
  const bodyOf = (message: ConsumeMessage) => JSON.parse(message.content.toString('utf8'));

  it('declares its exchange: a durable topic exchange', async () => {
    await until('the exchange declared by the API', async () => (await consumer.probe((ch) => ch.checkExchange(exchange))) === null);
    // Declaring it again as the API does is accepted; as anything else, refused (406 PRECONDITION_FAILED).
    expect(await consumer.probe((ch) => ch.assertExchange(exchange, 'topic', { durable: true }))).toBeNull();
    expect((await consumer.probe((ch) => ch.assertExchange(exchange, 'topic', { durable: false })))?.code).toBe(406);
    expect((await consumer.probe((ch) => ch.assertExchange(exchange, 'fanout', { durable: true })))?.code).toBe(406);
    await until('connected', () => publisher().status().connected);
  });

  it('publishes a grant, measurements and a revoke: each once, persistent, the event id as messageId, the type as routing key', async () => {
    const phone = '15311110001';
    const all = await consumer.bind('all', '#');
    const measurements = await consumer.bind('measurements', 'measurement.#');
    const authorizations = await consumer.bind('authorizations', 'authorization.*');

    ok(await h.sandbox.send.authorized({ phone }));
    for (const [i, dataType] of [1, 2, 3].entries()) ok(await h.sandbox.send.measurement({ phone, dataType, dataTag: `broker-${dataType}-${i}` }));
    expect((await api(h, 'POST', '/api/v1/authorizations/cancel', { phone })).status).toBe(200);
    await h.sandbox.settled();

    const events = (await feedEvents(h)).filter((e) => e.phone === phone);
    expect(events.map((e) => e.type)).toEqual(['authorization.granted', 'measurement.archived', 'measurement.archived', 'measurement.archived', 'authorization.revoked']);
    await until('every event on the `#` queue', () => events.every((e) => consumer.ids(all).includes(e.id)));
    await until('the cursor saved past them', () => publisher().status().backlog === 0);

    // Each once, in the feed's order.
    expect(consumer.ids(all)).toEqual(events.map((e) => e.id));
    for (const event of events) {
      const message = consumer.messages(all).find((m) => m.properties.messageId === event.id) as ConsumeMessage;
      expect(message.fields).toMatchObject({ exchange, routingKey: event.type });
      expect(message.properties).toMatchObject({
        messageId: event.id,
        deliveryMode: 2,
        contentType: 'application/json',
        type: event.type,
        timestamp: Math.floor(Date.parse(event.storedAt) / 1000),
        headers: { 'x-sequence': event.sequence },
      });
      // No phone in the headers: only the sequence.
      expect(Object.keys(message.properties.headers ?? {})).toEqual(['x-sequence']);
      // The webhook's body: type, storedAt, and the data with the sequence added (the phone is in the data).
      expect(bodyOf(message)).toEqual({ type: event.type, timestamp: event.storedAt, data: { ...event.data, sequence: event.sequence } });
      expect(bodyOf(message).data.phone).toBe(phone);
    }
    expect(events.map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5].map((n) => n + events[0].sequence - 1));

    // Routing keys filter: each bound queue gets its own types only.
    await until('the measurements on their queue', () => consumer.messages(measurements).length === 3);
    await until('the authorizations on theirs', () => consumer.messages(authorizations).length === 2);
    expect(consumer.ids(measurements)).toEqual(events.filter((e) => e.type === 'measurement.archived').map((e) => e.id));
    expect(consumer.ids(authorizations)).toEqual(events.filter((e) => e.type.startsWith('authorization.')).map((e) => e.id));
    expect(consumer.messages(measurements).every((m) => m.fields.routingKey === 'measurement.archived')).toBe(true);

    expect(publisher().status()).toMatchObject({ connected: true, backlog: 0, holdsLease: true, lastPublishedAt: expect.any(Date) });
  });

  it(
    '⚠ OUTAGE (stops RabbitMQ for seconds): pushes go on while the broker is away, and every event arrives once it is back',
    async () => {
      const phone = '15311110002';
      const queue = await consumer.bind('outage', '#');
      ok(await h.sandbox.send.authorized({ phone }));

      let pushing = true;
      let pushes = 0;
      const pusher = (async () => {
        while (pushing) {
          ok(await h.sandbox.send.measurement({ phone, dataType: 2, dataTag: `outage-${pushes}` }));
          pushes++;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      try {
        await until('messages flowing', () => consumer.messages(queue).length >= 5);
        try {
          await rabbitmqctl('stop_app');
          consumer.dropped();
          await until('the publisher seeing the broker gone', () => !publisher().status().connected);
          // Pushes are still taken (200) and kept while nothing can be published.
          const before = pushes;
          await until('pushes taken while the broker is away', () => pushes >= before + 20);
          expect(await brokerAccepts()).toBe(false);
        } finally {
          await ensureBrokerRunning();
        }
        await until('the publisher connected again', () => publisher().status().connected, 30_000);
        const after = pushes;
        await until('pushes after the comeback', () => pushes >= after + 5);
      } finally {
        pushing = false;
        await pusher;
      }

      await consumer.connect();
      const events = (await feedEvents(h)).filter((e) => e.phone === phone);
      expect(events.length).toBe(pushes + 1);
      await until('every event stored, published and consumed', () => {
        const seen = new Set(consumer.ids(queue));
        return events.every((e) => seen.has(e.id));
      }, 60_000);
      await until('the cursor saved past them', () => publisher().status().backlog === 0);

      const deliveries = consumer.ids(queue);
      const duplicates = deliveries.length - new Set(deliveries).size;
      // At least once: a page in flight when the broker stopped may come twice (same messageId).
      console.info(`broker outage on ${target.name}: ${events.length} events, ${deliveries.length} deliveries, ${duplicates} duplicates`);
      expect(new Set(deliveries)).toEqual(new Set(events.map((e) => e.id)));

      // The outage logged once when it began and once when it ended, the URL without its password.
      const paused = brokerLog().filter((e) => /^publishing to RabbitMQ .* paused: /.test(e.msg));
      const resumed = brokerLog().filter((e) => /^publishing to RabbitMQ .* resumed after \d+\.\d s$/.test(e.msg));
      expect(paused).toHaveLength(1);
      expect(paused[0]).toMatchObject({ level: 40 });
      expect(paused[0].msg).toContain(`amqp://${brokerUser.name}:***@${BROKER_HOST}`);
      expect(resumed).toHaveLength(1);
      expect(brokerLog().filter((e) => e.level >= 50)).toEqual([]);
    },
    180_000,
  );

  it("never logs the broker URL's password (raw or percent-encoded)", () => {
    const log = logLines.join('');
    expect(brokerLog().some((e) => e.msg.includes(`amqp://${brokerUser.name}:***@${BROKER_HOST}`))).toBe(true);
    const secret = brokerUser.password.slice(3);
    for (const form of [brokerUser.password, encodeURIComponent(brokerUser.password), secret]) {
      expect({ form, found: log.includes(form) }).toEqual({ form, found: false });
    }
  });
});

describe('with a broker that refuses the password', () => {
  let h: ApiHarness;
  const logLines: string[] = [];
  const wrong = `wrong@${randomBytes(12).toString('hex')}`;

  beforeAll(async () => {
    const url = `amqp://${brokerUser.name}:${encodeURIComponent(wrong)}@${BROKER_HOST}`;
    h = await startApi({ name: 'sqlite' }, { RABBITMQ_URL: url, RABBITMQ_EXCHANGE: `health-bridge.test.${process.pid}.refused`, LOG_LEVEL: 'debug' }, { logStream: { write: (line: string) => void logLines.push(line) } });
  }, 60_000);
  afterAll(() => h?.close(), 60_000);

  it('still takes pushes, says why it cannot publish, and logs no password', async () => {
    ok(await h.sandbox.send.authorized({ phone: '15311110003' }));
    const paused = await until('the refusal logged', () =>
      logEntries(logLines).find((e) => e.context === 'BrokerPublisher' && /^publishing to RabbitMQ .* paused: /.test(e.msg)),
    );
    expect(paused.msg).toContain(`amqp://${brokerUser.name}:***@${BROKER_HOST}`);
    expect(paused.msg).toMatch(/ACCESS.REFUSED/);
    expect(h.app.get(BrokerPublisher).status()).toMatchObject({ connected: false, lastPublishedAt: null });
    const log = logLines.join('');
    for (const form of [wrong, encodeURIComponent(wrong), wrong.slice(6)]) {
      expect({ form, found: log.includes(form) }).toEqual({ form, found: false });
    }
  });
});
