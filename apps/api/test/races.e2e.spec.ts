import { testDatabaseTargets } from '@health-bridge/health-archive/testing';
import { formatViatomTime } from '@health-bridge/viatom-protocol';
import { testPush } from '@health-bridge/viatom-protocol/testing';
import { api, postPush, resetState, startApi, type ApiHarness } from './api-harness';

/**
 * Concurrency against the running HTTP server: what Viatom may do (the same push twice at
 * once, bursts, out-of-order events) and what the integrator may do at the same moment.
 */
describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('races on $name', (target) => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi(target);
  });
  afterAll(() => h?.close());
  beforeEach(() => resetState(h));

  const count = async (table: string, where = '') => Number((await h.dataSource.query(`SELECT COUNT(*) AS n FROM ${table} ${where}`))[0].n);
  const push = (message: unknown) => postPush(h, message);
  const message = (type: number, phone: string, time: string, dataTag = `${type}-${phone}-${time}`) => testPush({ type, data_tag: dataTag, phone, time });
  /** A fixed shuffle (Fisher-Yates with a seeded generator), so a failure can be replayed. */
  const shuffle = <T>(items: T[], seed: number): T[] => {
    const out = [...items];
    let state = seed;
    for (let i = out.length - 1; i > 0; i--) {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      const j = state % (i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  };

  it('stores 50 identical pushes sent at once exactly once, answering every one 200', async () => {
    const m = message(2, '15300000001', '2022-12-29 10:00:00');
    const answers = await Promise.all(Array.from({ length: 50 }, () => push(m)));
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
    expect(answers.every((a) => a.body.code === 0)).toBe(true);
    expect(await count('push_log')).toBe(1);
  });

  it('stores 50 identical pushes without data_tag exactly once', async () => {
    const m = message(2, '15300000001', '2022-12-29 10:00:00', '');
    const answers = await Promise.all(Array.from({ length: 50 }, () => push(m)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(await count('push_log')).toBe(1);
  });

  it('stores 200 different pushes sent at once', async () => {
    const messages = Array.from({ length: 200 }, (_, i) =>
      i % 4 === 3
        ? { ...message(1, '15300000009', '2022-12-29 10:00:00', `m-${i}`), data: { data_type: 2, measure_result: { spo2: 90 + (i % 10) } } }
        : message(2, `1530000${String(i).padStart(4, '0')}`, '2022-12-29 10:00:00'),
    );
    const answers = await Promise.all(messages.map(push));
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(await count('push_log')).toBe(200);
    expect(await count('user_authorization')).toBe(150);
    expect(await count('measurement')).toBe(50);
  });

  it.each([1, 2, 3])('ends on the newest event for one phone whatever the arrival order (shuffle %i)', async (seed) => {
    const phone = `1539999000${seed}`;
    // 30 events a minute apart, alternating; the newest (10:29) is a grant, and a cancellation
    // at the same instant as the newest grant must still win the tie.
    const events = Array.from({ length: 30 }, (_, i) => message(i % 2 === 0 ? 3 : 2, phone, `2022-12-29 10:${String(i).padStart(2, '0')}:00`));
    const tie = message(3, phone, '2022-12-29 10:29:00', `tie-${seed}`);
    const answers = await Promise.all(shuffle([...events, tie], seed).map(push));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const authorization = (await api(h, 'GET', `/api/v1/authorizations/${phone}`)).body;
    expect(authorization).toMatchObject({ status: 'revoked', revokedBy: 'user', revokedAt: '2022-12-29T02:29:00.000Z' });
    expect(await count('push_log', `WHERE phone_hash = '${h.protection.phoneHash(phone)}'`)).toBe(31);
  });

  it('keeps a consistent state and push log when a cancel through the API races a type-2 push', async () => {
    const phones = Array.from({ length: 10 }, (_, i) => `1537777000${i}`);
    for (const phone of phones) {
      await h.sandbox.send.authorized({ phone, time: '2022-12-29 09:00:00' });
    }
    // For each phone: the integrator cancels while Viatom pushes a (re-)authorization. Half of
    // the pushes are older than the cancel (stale), half are newer: Viatom's clock five minutes
    // ahead of ours, within the skew its times are believed (they win).
    const newer = new Date(Math.ceil((Date.now() + 5 * 60_000) / 1000) * 1000);
    const results = await Promise.all(
      phones.flatMap((phone, i) => [
        api(h, 'POST', '/api/v1/authorizations/cancel', { phone }),
        push(message(2, phone, i % 2 === 0 ? '2022-12-29 10:00:00' : formatViatomTime(newer), `race-${phone}`)),
      ]),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    await h.sandbox.settled();

    for (const [i, phone] of phones.entries()) {
      const authorization = (await api(h, 'GET', `/api/v1/authorizations/${phone}`)).body;
      const log = (await api(h, 'GET', `/api/v1/pushes?phone=${phone}&type=2`)).body.items as Array<{ dataTag: string; outcome: string }>;
      const racing = log.find((p) => p.dataTag === `race-${phone}`);
      expect(racing).toBeDefined();
      if (i % 2 === 0) {
        // The older push lost against the cancel, whichever arrived first.
        expect(authorization).toMatchObject({ status: 'revoked', revokedBy: 'integrator' });
        // Applied when it came first (then the cancel revoked), stale when it came after.
        expect(['applied', 'stale']).toContain(racing?.outcome);
      } else {
        // The newer push is applied in either order. If it came after the cancel it authorizes
        // again; if it came first, the cancel Viatom then confirmed revokes (at the grant's time).
        expect(racing?.outcome).toBe('applied');
        if (authorization.status === 'authorized') {
          expect(authorization).toMatchObject({ revokedBy: null, authorizedAt: newer.toISOString() });
        } else {
          expect(authorization).toMatchObject({ status: 'revoked', revokedBy: 'integrator', revokedAt: newer.toISOString() });
        }
      }
    }
  });
});
