import { CuttableRelay } from '@health-bridge/health-archive/testing';
import { Webhook } from 'standardwebhooks';
import { api, sameDatabaseEnv, startApi, type ApiHarness } from './api-harness';
import { Receiver, waitFor } from './webhook-receiver';

// Webhook delivery by several replicas on one PostgreSQL database, and through its outage:
// every event reaches the receiver (none lost), the replicas do not both send it (duplicates
// counted), a replica that stops mid-attempt leaves the event to another with the same
// webhook-id, and a database outage is logged once and delivery goes on after it.

const postgresUrl = process.env.TEST_DATABASE_URL;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Another replica of `owner`'s service: its own app (and sandbox), on the owner's database. */
const replicaOf = (owner: ApiHarness, env: Record<string, string> = {}) =>
  startApi({ name: 'postgres', url: postgresUrl }, { ...sameDatabaseEnv(owner), ...env });

const createEndpoint = async (h: ApiHarness, url: string) => {
  const res = await api(h, 'POST', '/api/v1/webhook-endpoints', { url });
  expect(res.status).toBe(201);
  return res.body as { id: string; secret: string };
};

const authorize = async (h: ApiHarness, phone: string) => {
  const [record] = await h.sandbox.send.authorized({ phone });
  expect(record.status).toBe(200);
};

(postgresUrl ? describe : describe.skip)('webhook delivery by two replicas on PostgreSQL', () => {
  let a: ApiHarness;
  let b: ApiHarness;
  let r: Receiver;

  beforeAll(async () => {
    r = await new Receiver().listen();
    a = await startApi({ name: 'postgres', url: postgresUrl }, { DELIVERY_RETRY_SCHEDULE: 'PT0S,PT0.2S,PT0.2S' });
    b = await replicaOf(a, { DELIVERY_RETRY_SCHEDULE: 'PT0S,PT0.2S,PT0.2S' });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await r?.close();
  });

  it('delivers a stream of events stored on both, none lost, each once', async () => {
    // A receiver that takes a little time, so that attempts of both replicas overlap.
    r.answer = (n, _req, res) => setTimeout(() => res.writeHead(200).end(), n % 7);
    const { id, secret } = await createEndpoint(a, r.url);
    const perReplica = 120;
    // Stored through both replicas at once: each wakes on its own events, and finds the other's by polling.
    await Promise.all(
      [a, b].map(async (h, replica) => {
        for (let i = 0; i < perReplica; i++) await authorize(h, `1531${replica}${String(i).padStart(6, '0')}`);
      }),
    );
    const events = perReplica * 2;
    await waitFor(`${events} distinct webhooks`, () => new Set(r.ids()).size >= events, 60_000);
    await waitFor('every delivery settled', async () => {
      const [row] = await a.dataSource.query(`SELECT COUNT(*)::int AS n FROM webhook_delivery WHERE status <> 'delivered'`);
      return row.n === 0;
    }, 20_000);
    const [{ n: stored }] = await a.dataSource.query(`SELECT COUNT(*)::int AS n FROM webhook_delivery WHERE endpoint_id = $1`, [id]);
    expect(stored).toBe(events);

    const webhook = new Webhook(secret);
    for (const got of r.received) webhook.verify(got.body, got.headers as Record<string, string>);
    const duplicates = r.received.length - new Set(r.ids()).size;
    console.log(`two replicas delivered ${events} events in ${r.received.length} requests: ${duplicates} duplicates`);
    expect(new Set(r.ids()).size).toBe(events);
    expect(duplicates).toBe(0);
    // One attempt each: no delivery was taken by both replicas.
    const [{ n: attempts }] = await a.dataSource.query('SELECT COUNT(*)::int AS n FROM webhook_attempt');
    expect(attempts).toBe(events);
  }, 120_000);
});

(postgresUrl ? describe : describe.skip)('a replica that stops in the middle of an attempt', () => {
  let owner: ApiHarness;
  let stopping: ApiHarness | undefined;
  let taking: ApiHarness | undefined;
  let r: Receiver;

  beforeAll(async () => {
    r = await new Receiver().listen();
    // The database's owner does not deliver; the replicas that do come and go.
    owner = await startApi({ name: 'postgres', url: postgresUrl }, { DELIVERY_ENABLED: 'false' });
  });
  afterAll(async () => {
    await taking?.close();
    await stopping?.close();
    await owner?.close();
    await r?.close();
  });

  it('leaves the event to another replica, which sends it with the same webhook-id', async () => {
    stopping = await replicaOf(owner, { DELIVERY_TIMEOUT: 'PT60S' });
    // The first request hangs (the stopping replica's); later ones are answered.
    r.answer = (n, _req, res) => (n === 0 ? undefined : res.writeHead(200).end());
    const { id, secret } = await createEndpoint(owner, r.url);
    await authorize(owner, '15320000001');
    await waitFor('the first attempt under way', () => r.received.length === 1, 20_000);

    taking = await replicaOf(owner, { DELIVERY_TIMEOUT: 'PT60S' });
    await stopping.close();
    stopping = undefined;

    await waitFor('the event sent again', () => r.received.length === 2, 20_000);
    expect(r.ids()[1]).toBe(r.ids()[0]);
    expect(r.received[1].body).toBe(r.received[0].body);
    for (const got of r.received) new Webhook(secret).verify(got.body, got.headers as Record<string, string>);
    const log = await waitFor('the delivery delivered', async () => {
      const res = await api(owner, 'GET', `/api/v1/webhook-endpoints/${id}/deliveries`);
      return res.body.items[0]?.status === 'delivered' ? res.body.items[0] : null;
    }, 20_000);
    // The abandoned attempt was not the receiver's fault: only the one that got an answer is in the log.
    expect(log.attempts.map((x: any) => x.statusCode)).toEqual([200]);
  }, 60_000);
});

(postgresUrl ? describe : describe.skip)('webhook delivery through a database outage', () => {
  let h: ApiHarness;
  let relay: CuttableRelay;
  let r: Receiver;
  const lines: string[] = [];

  beforeAll(async () => {
    r = await new Receiver().listen();
    relay = new CuttableRelay(postgresUrl as string);
    await relay.start();
    h = await startApi({ name: 'postgres', url: postgresUrl }, { DATABASE_URL: relay.databaseUrl, LOG_LEVEL: 'info' }, { logStream: { write: (line: string) => void lines.push(line) } });
  });
  afterAll(async () => {
    await relay?.restore();
    await h?.close();
    await relay?.cut();
    await r?.close();
  });

  const heldUp = () => lines.filter((line) => line.includes('webhook delivery is held up'));

  it('logs the outage once, not at every poll, and goes on delivering after it without a restart', async () => {
    const { secret } = await createEndpoint(h, r.url);
    await authorize(h, '15330000001');
    await waitFor('the first webhook', () => r.received.length === 1, 20_000);

    await relay.cut();
    await waitFor('the outage logged', () => heldUp().length > 0, 20_000);
    // Many polls (250 ms each) go by while the database is away.
    await sleep(1500);
    await relay.restore();

    await authorize(h, '15330000002');
    await waitFor('the webhook after the outage', () => r.received.length === 2, 20_000);
    new Webhook(secret).verify(r.received[1].body, r.received[1].headers as Record<string, string>);
    await waitFor('the recovery logged', () => lines.some((line) => line.includes('webhook delivery goes on')), 20_000);
    expect(heldUp()).toHaveLength(1);
    const text = lines.join('');
    expect(text).not.toContain(secret);
    expect(text).not.toContain('15330000001');
  }, 60_000);
});
