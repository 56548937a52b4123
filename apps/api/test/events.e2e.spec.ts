import { testDatabaseTargets } from '@health-bridge/health-archive/testing';
import { testMeasurementPush, testPush } from '@health-bridge/viatom-protocol/testing';
import { api, expectProblem, postPush, resetState, startApi, type ApiHarness } from './api-harness';

/** The event feed: what the outbox holds, oldest first, from any cursor. */
describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('GET /api/v1/events on $name', (target) => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi(target);
  });
  afterAll(() => h?.close());
  beforeEach(() => resetState(h));

  const phone = '15312341234';
  const feed = async (query = '') => {
    const res = await api(h, 'GET', `/api/v1/events${query ? `?${query}` : ''}`);
    expect(res.status).toBe(200);
    return res.body as { items: any[]; nextCursor: string };
  };
  const push = async (body: unknown) => {
    const res = await postPush(h, body);
    expect(res.status).toBe(200);
    return res;
  };
  const grant = (time = '2022-12-29 16:33:40', p = phone) => push(testPush({ type: 2, phone: p, time }));
  const revoke = (time = '2022-12-29 18:00:00', p = phone) => push(testPush({ type: 3, phone: p, time }));

  it('holds one event per fact, oldest first, with its data in camelCase and a per-person sequence', async () => {
    await grant();
    const measurement = testMeasurementPush();
    await push(measurement);
    await revoke();

    const { items, nextCursor } = await feed();
    expect(items.map((e) => e.type)).toEqual(['authorization.granted', 'measurement.archived', 'authorization.revoked']);
    expect(items.map((e) => e.sequence)).toEqual([1, 2, 3]);
    expect(new Set(items.map((e) => e.id)).size).toBe(3);
    for (const e of items) {
      expect(e.id).toMatch(/^evt_[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(e.phone).toBe(phone);
      expect(new Date(e.storedAt).toISOString()).toBe(e.storedAt);
    }
    expect(items[0].data).toEqual({ phone, accountId: 'OA==|MTEx', memberId: 'OA==|LTE=', authorizedAt: '2022-12-29T08:33:40.000Z' });
    expect(items[1].data).toMatchObject({
      measurementId: expect.any(Number),
      pushId: expect.any(Number),
      phone,
      accountId: 'OA==|MTEx',
      dataType: (measurement.data as { data_type: number }).data_type,
      data: measurement.data,
    });
    expect(items[2].data).toEqual({ phone, revokedBy: 'user', revokedAt: '2022-12-29T10:00:00.000Z' });
    expect(nextCursor).toBe(items[2].cursor);

    // Nothing new: the cursor stays where it was.
    expect(await feed(`after=${nextCursor}`)).toEqual({ items: [], nextCursor });
  });

  it('goes on from any cursor, a page at a time, and never misses one that came after', async () => {
    for (let i = 0; i < 5; i++) await push(testMeasurementPush());
    const first = await feed('limit=2');
    expect(first.items).toHaveLength(2);
    const second = await feed(`after=${first.nextCursor}&limit=2`);
    expect(second.items).toHaveLength(2);
    await push(testMeasurementPush());
    const rest = await feed(`after=${second.nextCursor}`);
    expect(rest.items).toHaveLength(2);
    const all = await feed();
    expect([...first.items, ...second.items, ...rest.items].map((e) => e.id)).toEqual(all.items.map((e) => e.id));
    // An event's own cursor is a place to go on from, too.
    expect((await feed(`after=${all.items[3].cursor}`)).items.map((e) => e.id)).toEqual(all.items.slice(4).map((e) => e.id));
  });

  it('filters by type', async () => {
    await grant();
    await push(testMeasurementPush());
    await revoke();
    const revocations = await feed('types=authorization.revoked');
    expect(revocations.items.map((e) => e.type)).toEqual(['authorization.revoked']);
    const both = await feed('types=authorization.granted, authorization.revoked');
    expect(both.items.map((e) => e.type)).toEqual(['authorization.granted', 'authorization.revoked']);
  });

  it('writes no event for a repeat, a stale change, a refused measurement or an unchanged grant', async () => {
    const granted = testPush({ type: 2, phone, time: '2022-12-29 16:33:40' });
    await push(granted);
    await push(granted); // the same push again
    await grant('2022-12-29 17:00:00'); // granted already: no transition
    await revoke('2022-12-29 18:00:00');
    await grant('2022-12-29 17:30:00'); // older than the revoke: stale
    await push(testMeasurementPush()); // the account's consent is withdrawn: refused
    expect((await feed()).items.map((e) => e.type)).toEqual(['authorization.granted', 'authorization.revoked']);
  });

  it("records the integrator's cancel as revoked by the integrator", async () => {
    await h.sandbox.send.authorized({ phone, time: '2022-12-29 09:00:00' });
    await h.sandbox.settled();
    const res = await api(h, 'POST', '/api/v1/authorizations/cancel', { phone });
    expect(res.status).toBe(200);
    await h.sandbox.settled();
    const { items } = await feed();
    expect(items.map((e) => [e.type, e.data.revokedBy ?? null])).toEqual([
      ['authorization.granted', null],
      ['authorization.revoked', 'integrator'],
    ]);
  });

  it('numbers each person apart', async () => {
    const other = '15398769876';
    await grant('2022-12-29 16:33:40', phone);
    await grant('2022-12-29 16:33:40', other);
    await revoke('2022-12-29 18:00:00', other);
    await revoke('2022-12-29 18:00:00', phone);
    const { items } = await feed();
    expect(items.map((e) => [e.phone, e.sequence])).toEqual([
      [phone, 1],
      [other, 1],
      [other, 2],
      [phone, 2],
    ]);
  });

  it.each([
    ['an unknown type', 'types=authorization.granted,blood.pressure', 'types', /unknown event type: blood.pressure/],
    ['a cursor it did not give', 'after=bm90LWEtY3Vyc29y', 'after', /not a cursor/],
    ['a cursor with characters no cursor has', 'after=%24%24', 'after', /not a cursor/],
    ['a limit over the maximum', 'limit=201', 'limit', /at most 200/],
    ['a limit that is no number', 'limit=ten', 'limit', /whole number/],
    ['an unknown parameter', 'since=2022-12-29', 'since', /should not exist/],
  ])('answers 400 naming the field for %s', async (_, query, field, message) => {
    const res = await api(h, 'GET', `/api/v1/events?${query}`);
    expectProblem(res, 400);
    expect(JSON.stringify(res.body)).toMatch(message);
    expect(res.body.errors?.map((e: { field: string }) => e.field) ?? []).toContain(field);
  });

  it('needs the API key', async () => {
    expectProblem(await api(h, 'GET', '/api/v1/events', undefined, { 'x-api-key': 'wrong-key-0123456789' }), 401);
  });
});
