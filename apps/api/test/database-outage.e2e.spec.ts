import type { CuttableRelay } from '@health-bridge/health-archive/testing';
import { testPush } from '@health-bridge/viatom-protocol/testing';
import { api, postPush, startApiBehindRelay, type ApiBehindRelay, type ApiHarness } from './api-harness';

const postgresUrl = process.env.TEST_DATABASE_URL;

(postgresUrl ? describe : describe.skip)('database outage (PostgreSQL behind a relay that is cut, then restored)', () => {
  let h: ApiHarness;
  let relay: CuttableRelay;
  let behindRelay: ApiBehindRelay | undefined;

  beforeAll(async () => {
    // Migrations run through the relay too.
    behindRelay = await startApiBehindRelay(postgresUrl as string);
    ({ h, relay } = behindRelay);
  });
  afterAll(() => behindRelay?.close());

  const push = (n: number) => postPush(h, testPush({ data_tag: `outage-${n}`, time: `2022-12-29 10:0${n}:00` }));

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
