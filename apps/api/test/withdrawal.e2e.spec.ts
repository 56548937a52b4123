import { testDatabaseTargets } from '@health-bridge/health-archive/testing';
import { api, delivered, resetState, startApi, type ApiHarness } from './api-harness';
import { waitFor } from './webhook-receiver';

/** Deletion on withdrawal through the whole service: a grace of one second, swept every 100 ms. */
describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('raw payload retention on $name', (target) => {
  it("empties the bodies of pushes older than RAW_PAYLOAD_RETENTION, for everyone, keeping the log's facts", async () => {
    const h = await startApi(target, { RAW_PAYLOAD_RETENTION: 'PT2S', WITHDRAWAL_SWEEP_INTERVAL: 'PT0.1S' });
    try {
      delivered(await h.sandbox.send.authorized({ phone: '15312341234', time: '2022-12-29 09:00:00' }));
      delivered(await h.sandbox.send.samples({ phone: '15312341234' }));
      const list = async () => (await api(h, 'GET', '/api/v1/pushes?limit=200')).body.items as any[];
      expect((await list()).every((p) => p.rawMessage !== '' && p.message !== null)).toBe(true);
      await waitFor('the bodies emptied', async () => (await list()).every((p) => p.rawMessage === '' && p.message === null));
      const pushes = await list();
      expect(pushes).toHaveLength(11);
      expect(pushes.every((p) => p.dedupeKey && p.outcome && p.receivedAt)).toBe(true);
      // The measurements themselves stay (they are deleted on withdrawal, not by age); a repeat is still one.
      expect((await api(h, 'GET', '/api/v1/measurements?phone=15312341234')).body.items).toHaveLength(10);
      const [again] = await h.sandbox.send.authorized({ phone: '15312341234', time: '2022-12-29 09:00:00' });
      expect(again.status).toBe(200);
      expect(await list()).toHaveLength(12);
    } finally {
      await h.close();
    }
  });
});

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('deletion on withdrawal on $name', (target) => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi(target, { RETENTION_AFTER_WITHDRAWAL: 'PT1S', WITHDRAWAL_SWEEP_INTERVAL: 'PT0.1S' });
  });
  afterAll(() => h?.close());
  beforeEach(() => resetState(h));

  const phone = '15312341234';
  const other = '15398769876';
  const measurements = async (p: string) => (await api(h, 'GET', `/api/v1/measurements?phone=${p}`)).body.items as any[];
  const pushes = async (p: string) => {
    const res = await api(h, 'GET', `/api/v1/pushes?phone=${p}&limit=200`);
    expect({ status: res.status, body: res.status === 200 ? null : res.body }).toEqual({ status: 200, body: null });
    return res.body.items as any[];
  };
  const deletions = async () => (await api(h, 'GET', '/api/v1/events?types=person.data-deleted')).body.items as any[];

  it("deletes a person's measurements and push payloads after the integrator's cancel, keeps the facts, and says so in an event", async () => {
    for (const p of [phone, other]) {
      delivered(await h.sandbox.send.authorized({ phone: p, time: '2022-12-29 09:00:00' }));
      delivered(await h.sandbox.send.samples({ phone: p }));
    }
    expect(await measurements(phone)).toHaveLength(10);
    const before = await pushes(phone);
    expect((await api(h, 'POST', '/api/v1/authorizations/cancel', { phone })).status).toBe(200);
    // Not at once: the grace period (one second) first.
    expect(await measurements(phone)).toHaveLength(10);

    const [deleted] = await waitFor('the deletion event', async () => {
      const events = await deletions();
      return events.length > 0 && events;
    });
    expect(deleted).toMatchObject({ type: 'person.data-deleted', phone, data: { phone, measurementsDeleted: 10, measurementsKeptForSharedAccount: false } });
    expect(deleted.data.payloadsDeleted).toBeGreaterThanOrEqual(11);
    expect(await measurements(phone)).toEqual([]);
    // The log keeps every push's facts, without payloads.
    const after = await pushes(phone);
    expect(after.map((p) => [p.id, p.type, p.outcome])).toEqual(expect.arrayContaining(before.map((p) => [p.id, p.type, p.outcome])));
    for (const p of after.filter((p) => before.some((b) => b.id === p.id))) expect(p.rawMessage).toBe('');
    // Nobody else's data is touched; the authorization stays, revoked by the integrator.
    expect(await measurements(other)).toHaveLength(10);
    expect((await pushes(other)).every((p) => p.rawMessage !== '')).toBe(true);
    expect((await api(h, 'GET', `/api/v1/authorizations/${phone}`)).body).toMatchObject({ status: 'revoked', revokedBy: 'integrator' });
    // The measurements' own events say they are gone.
    const archived = (await api(h, 'GET', `/api/v1/events?types=measurement.archived&limit=200`)).body.items as any[];
    const mine = archived.filter((e) => e.phone === phone);
    expect(mine).toHaveLength(10);
    expect(mine.every((e) => e.data.deleted === true)).toBe(true);
  });

  it('starts afresh when the person authorizes again', async () => {
    delivered(await h.sandbox.send.authorized({ phone, time: '2022-12-29 09:00:00' }));
    delivered(await h.sandbox.send.samples({ phone }));
    delivered(await h.sandbox.send.cancelled({ phone, time: '2022-12-29 10:00:00' }));
    await waitFor('the deletion', async () => (await measurements(phone)).length === 0);
    delivered(await h.sandbox.send.authorized({ phone, time: '2022-12-29 11:00:00' }));
    delivered(await h.sandbox.send.samples({ phone }));
    // Well past the grace period: what came after the new consent stays.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await measurements(phone)).toHaveLength(10);
    expect(await deletions()).toHaveLength(1);
  });
});
