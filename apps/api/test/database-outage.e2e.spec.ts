import { createServer, Server, Socket, connect } from 'node:net';
import { api, startApi, TEST_WEBHOOK_TOKEN, type ApiHarness } from './api-harness';

/**
 * A TCP relay in front of PostgreSQL that can be cut and restored: while cut, every open
 * connection is dropped and new ones are refused, as when the database server goes down.
 */
class CuttableRelay {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(port = 0): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  async restore(): Promise<void> {
    if (!this.server) await this.start(this.port);
  }
}

const postgresUrl = process.env.TEST_DATABASE_URL;

(postgresUrl ? describe : describe.skip)('database outage (PostgreSQL behind a relay that is cut, then restored)', () => {
  let h: ApiHarness;
  let relay: CuttableRelay;

  beforeAll(async () => {
    const target = new URL(postgresUrl as string);
    relay = new CuttableRelay(target.hostname, Number(target.port || 5432));
    await relay.start();
    const viaRelay = new URL(postgresUrl as string);
    viaRelay.hostname = '127.0.0.1';
    viaRelay.port = String(relay.port);
    // Migrations run through the relay too; the schema is the harness's own, on the real server.
    h = await startApi({ name: 'postgres', url: postgresUrl }, { DATABASE_URL: viaRelay.toString() });
  });
  afterAll(async () => {
    await relay.restore();
    await h?.close();
    await relay.cut();
  });

  const push = (n: number) =>
    fetch(`${h.url}/api/v1/webhooks/viatom?token=${TEST_WEBHOOK_TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 2,
        data_tag: `outage-${n}`,
        account_id: 'OA==|MTEx',
        member_id: 'OA==|LTE=',
        data: { phone: '15312341234' },
        create_time: `2022-12-29 10:0${n}:00`,
        update_time: `2022-12-29 10:0${n}:00`,
      }),
    }).then(async (r) => ({ status: r.status, headers: r.headers, body: (await r.json()) as { code: number; message: string } }));

  it('answers 503 everywhere while the database is down, and recovers without a restart', async () => {
    expect((await push(1)).status).toBe(200);
    expect((await api(h, 'GET', '/health')).status).toBe(200);

    await relay.cut();

    const refused = await push(2);
    expect(refused.status).toBe(503);
    expect(refused.body.code).not.toBe(0);
    expect(refused.headers.get('retry-after')).toBeTruthy();
    const list = await api(h, 'GET', '/api/v1/pushes');
    expect(list.status).toBe(503);
    expect(list.headers.get('content-type')).toContain('application/problem+json');
    expect(list.body.type).toBe('/problems/database-unavailable');
    const health = await api(h, 'GET', '/health');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'down', database: 'down' });

    await relay.restore();

    // The pool reconnects on demand: the push that was refused is accepted when sent again.
    const retried = await push(2);
    expect(retried.status).toBe(200);
    expect((await api(h, 'GET', '/health')).status).toBe(200);
    const stored = await api(h, 'GET', '/api/v1/pushes');
    expect(stored.body.items.map((p: { dataTag: string }) => p.dataTag)).toEqual(['outage-2', 'outage-1']);
    expect((await api(h, 'GET', '/api/v1/authorizations/15312341234')).body.status).toBe('authorized');
  });
});
