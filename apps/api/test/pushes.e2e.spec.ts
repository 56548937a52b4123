import { testDatabaseTargets } from '@health-bridge/health-archive/testing';
import { testPush } from '@health-bridge/viatom-protocol/testing';
import { accountIdForPhone } from '@health-bridge/viatom-sandbox';
import { allPages, api, type ApiHarness, delivered, expectProblem, resetState, startApi } from './api-harness';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('GET /api/v1/pushes on $name', (target) => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi(target);
  });
  afterAll(() => h?.close());
  beforeEach(() => resetState(h));

  const storedIdsNewestFirst = async (): Promise<number[]> =>
    (await h.dataSource.query('SELECT id FROM push_log ORDER BY id DESC')).map((row: { id: number | string }) => Number(row.id));
  const list = async (query = '') => {
    const res = await api(h, 'GET', `/api/v1/pushes${query ? `?${query}` : ''}`);
    expect(res.status).toBe(200);
    return res.body as { items: any[]; nextCursor: string | null };
  };

  describe('order and pagination', () => {
    it('lists newest first', async () => {
      delivered(await h.sandbox.send.authorized({ phone: '15300000001' }));
      delivered(await h.sandbox.send.authorized({ phone: '15300000002' }));
      delivered(await h.sandbox.send.cancelled({ phone: '15300000001' }));

      const page = await list();
      expect(page.nextCursor).toBeNull();
      expect(page.items.map((p) => [p.type, p.phone])).toEqual([
        [3, '15300000001'],
        [2, '15300000002'],
        [2, '15300000001'],
      ]);
      expect(page.items.map((p) => p.id)).toEqual(await storedIdsNewestFirst());
    });

    it('walks every push exactly once across pages, and the last page has nextCursor null', async () => {
      for (let i = 0; i < 7; i++) delivered(await h.sandbox.send.authorized({ phone: `1530000001${i}` }));

      const pages = await allPages(h, '/api/v1/pushes', 3);
      expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
      const ids = pages.flat().map((p) => p.id);
      expect(ids).toEqual(await storedIdsNewestFirst());
      expect(new Set(ids).size).toBe(7);
      expect(pages.flat().map((p) => p.phone)).toEqual(Array.from({ length: 7 }, (_, i) => `1530000001${6 - i}`));
    });

    it('needs no empty trailing page when the count is a multiple of the limit', async () => {
      for (let i = 0; i < 4; i++) delivered(await h.sandbox.send.authorized({ phone: `1530000002${i}` }));
      const pages = await allPages(h, '/api/v1/pushes', 2);
      expect(pages.map((p) => p.length)).toEqual([2, 2]);
      expect(pages.flat().map((p) => p.id)).toEqual(await storedIdsNewestFirst());
    });

    it('does not repeat or skip items when pushes arrive between pages', async () => {
      for (let i = 0; i < 5; i++) delivered(await h.sandbox.send.authorized({ phone: `1530000003${i}` }));
      const before = await storedIdsNewestFirst();

      const first = await list('limit=2');
      delivered(await h.sandbox.send.authorized({ phone: '15300000039' }));
      const second = await list(`limit=2&cursor=${first.nextCursor}`);
      const third = await list(`limit=2&cursor=${second.nextCursor}`);

      expect([...first.items, ...second.items, ...third.items].map((p) => p.id)).toEqual(before);
      expect(third.nextCursor).toBeNull();
      // The newcomer is on a fresh first page.
      expect((await list('limit=2')).items[0].phone).toBe('15300000039');
    });

    it('paginates within a filter', async () => {
      for (let i = 0; i < 3; i++) {
        delivered(await h.sandbox.send.authorized({ phone: `1530000004${i}` }));
        delivered(await h.sandbox.send.cancelled({ phone: `1530000004${i}` }));
      }
      const pages = await allPages(h, '/api/v1/pushes?type=3', 2);
      expect(pages.flat().map((p) => p.phone)).toEqual(['15300000042', '15300000041', '15300000040']);
      expect(pages.flat().every((p) => p.type === 3)).toBe(true);
    });
  });

  describe('filters', () => {
    const phone = '15312341234';
    const other = '15398769876';

    beforeEach(async () => {
      delivered(await h.sandbox.send.authorized({ phone, time: '2022-12-29 10:00:00' }));
      delivered(await h.sandbox.send.authorized({ phone: other, time: '2022-12-29 10:00:00' }));
      // A measurement that names only the account: the push log fills in the phone that authorized it.
      delivered(await h.sandbox.send.measurement({ accountId: accountIdForPhone(phone), dataType: 3 }));
      delivered(await h.sandbox.send.measurement({ phone: other, dataType: 2 }));
    });

    it('by type', async () => {
      const measurements = await list('type=1');
      expect(measurements.items.map((p) => [p.type, p.phone])).toEqual([
        [1, other],
        [1, phone],
      ]);
      expect((await list('type=2')).items.map((p) => p.phone)).toEqual([other, phone]);
      expect((await list('type=3')).items).toEqual([]);
      expect((await list('type=99')).items).toEqual([]);
    });

    it("by phone, including a measurement whose phone comes from the account's authorization", async () => {
      const mine = await list(`phone=${phone}`);
      expect(mine.items.map((p) => [p.type, p.outcome])).toEqual([
        [1, 'archived'],
        [2, 'applied'],
      ]);
      const measurement = mine.items[0];
      expect(measurement.phone).toBe(phone);
      expect(measurement.accountId).toBe(accountIdForPhone(phone));
      // The phone was not in the message: it was taken from the authorization.
      expect(measurement.message.data).not.toHaveProperty('phone');
      expect(measurement.message.data.data_type).toBe(3);

      expect((await list(`phone=${other}`)).items.map((p) => p.type)).toEqual([1, 2]);
      expect((await list('phone=15300000000')).items).toEqual([]);
      // Trimmed like every phone this API takes.
      expect((await list(`phone=${encodeURIComponent(` ${phone} `)}`)).items).toHaveLength(2);
    });

    it('by outcome, with a stale push from out-of-order delivery', async () => {
      const sent = delivered(await h.sandbox.send.outOfOrder({ phone }));
      // The cancel (newer) arrives first and applies; the authorization (older) arrives second and is stale.
      expect(sent.map((r) => (r.message as { type: number }).type)).toEqual([3, 2]);

      const stale = await list('outcome=stale');
      expect(stale.items).toHaveLength(1);
      expect(stale.items[0]).toMatchObject({ type: 2, phone, outcome: 'stale', message: sent[1].message });
      expect((await list('outcome=archived')).items.map((p) => p.type)).toEqual([1, 1]);
      expect((await list('outcome=applied')).items.map((p) => [p.type, p.phone])).toEqual([
        [3, phone],
        [2, other],
        [2, phone],
      ]);
      expect((await list('outcome=ignored')).items).toEqual([]);
      expect((await api(h, 'GET', `/api/v1/authorizations/${phone}`)).body).toMatchObject({ status: 'revoked', revokedBy: 'user' });
    });

    it('combines filters', async () => {
      await h.sandbox.send.outOfOrder({ phone });
      expect((await list(`type=2&phone=${phone}&outcome=stale`)).items).toHaveLength(1);
      expect((await list(`type=2&phone=${phone}&outcome=applied`)).items).toHaveLength(1);
      expect((await list(`type=3&phone=${other}&outcome=applied`)).items).toEqual([]);
      expect((await list(`type=1&phone=${phone}&outcome=archived`)).items).toHaveLength(1);
    });
  });

  describe('items', () => {
    it('carry every field: tag: dedupe key, ISO UTC times, the message as received', async () => {
      const startedAt = Date.now();
      const [record] = delivered(await h.sandbox.send.authorized({ phone: '15312341234', time: '2022-12-29 16:33:40', dataTag: 'abc123' }));
      const [item] = (await list()).items;

      expect(item).toEqual({
        id: expect.any(Number),
        type: 2,
        dataTag: 'abc123',
        dedupeKey: 'tag:abc123',
        accountId: accountIdForPhone('15312341234'),
        memberId: 'OA==|LTE=',
        deviceSn: '',
        phone: '15312341234',
        outcome: 'applied',
        sourceCreatedAt: '2022-12-29T08:33:40.000Z',
        sourceUpdatedAt: '2022-12-29T08:33:40.000Z',
        receivedAt: expect.stringMatching(ISO_UTC),
        orderedBy: 'source',
        message: record.message,
        rawMessage: JSON.stringify(record.message),
      });
      const receivedAt = new Date(item.receivedAt).getTime();
      expect(receivedAt).toBeGreaterThanOrEqual(startedAt - 1000);
      expect(receivedAt).toBeLessThanOrEqual(Date.now() + 1000);
    });

    it('carry a keyed hash of the content as dedupe key (hmac:) when Viatom sent no data_tag (and the repeat is stored once)', async () => {
      const records = delivered(await h.sandbox.send.emptyDataTag({ phone: '15312341234' }));
      expect(records).toHaveLength(2);
      const { items } = await list();
      expect(items).toHaveLength(1);
      expect(items[0].dataTag).toBe('');
      expect(items[0].dedupeKey).toMatch(/^hmac:[0-9a-f]{64}$/);
      expect(items[0].message).toEqual(records[0].message);
    });

    it('keep a message exactly as received, fields Viatom may add included', async () => {
      const message = testPush({
        data_tag: 'with-extras',
        device_sn: 'SN-1',
        data: { phone: '15312341234', nested: { list: [1, 'two', null, { deep: true }] } },
        user_info: { nick: '张三', age: 42 },
        create_time: '2022-12-29 16:33:40',
        update_time: '2022-12-29 16:33:41',
        extra_field: { anything: ['kept'] },
      });
      delivered(await h.sandbox.send.raw({ message }));
      const [item] = (await list()).items;
      expect(item.message).toEqual(message);
      expect(item).toMatchObject({ deviceSn: 'SN-1', sourceCreatedAt: '2022-12-29T08:33:40.000Z', sourceUpdatedAt: '2022-12-29T08:33:41.000Z' });
    });

    it('have null source times when Viatom sent only one of them', async () => {
      const message = { type: 2, data_tag: 'only-create', data: { phone: '15312341234' }, create_time: '2022-12-29 16:33:40' };
      delivered(await h.sandbox.send.raw({ message }));
      const [item] = (await list()).items;
      expect(item).toMatchObject({ sourceCreatedAt: '2022-12-29T08:33:40.000Z', sourceUpdatedAt: null, accountId: '', memberId: '' });
    });

    it("drop the data of a measurement ignored because the account's authorization is revoked", async () => {
      const phone = '15312341234';
      delivered(await h.sandbox.send.authorized({ phone, time: '2022-12-29 10:00:00' }));
      delivered(await h.sandbox.send.cancelled({ phone, time: '2022-12-29 11:00:00' }));
      const [record] = delivered(await h.sandbox.send.measurement({ phone, dataType: 3, dataTag: 'bp-after-revoke' }));

      const [item] = (await list('outcome=ignored')).items;
      const sent = record.message as Record<string, unknown>;
      expect(item).toMatchObject({ type: 1, dataTag: 'bp-after-revoke', dedupeKey: 'tag:bp-after-revoke', phone, outcome: 'ignored' });
      expect(item.message).toEqual({ ...sent, data: null });
      expect(JSON.stringify(item.message)).not.toContain('mmHg');
      expect((await api(h, 'GET', `/api/v1/measurements?phone=${phone}`)).body.items).toEqual([]);
    });

    it('log a push of an unknown type as ignored, with its data kept', async () => {
      const message = testPush({ type: 7, data_tag: 'unknown-type', data: { something: 'new' } });
      delivered(await h.sandbox.send.raw({ message }));
      const [item] = (await list('type=7')).items;
      expect(item).toMatchObject({ type: 7, outcome: 'ignored', phone: null, message });
    });
  });

  describe('bad requests', () => {
    it.each([
      ['type=abc', 'type'],
      ['type=-1', 'type'],
      ['type=1.5', 'type'],
      ['type=', 'type'],
      ['type=%20', 'type'],
      ['type=0x1', 'type'],
      ['type=1&type=2', 'type'],
      ['phone=abc', 'phone'],
      ['phone=12345', 'phone'],
      ['phone=', 'phone'],
      ['outcome=maybe', 'outcome'],
      ['outcome=APPLIED', 'outcome'],
      ['outcome=', 'outcome'],
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['limit=abc', 'limit'],
      ['limit=2.5', 'limit'],
      ['limit=', 'limit'],
      ['limit=1e1', 'limit'],
      ['cursor=garbage!', 'cursor'],
      [`cursor=${Buffer.from('id:x').toString('base64url')}`, 'cursor'],
      [`cursor=${Buffer.from('offset:10').toString('base64url')}`, 'cursor'],
      [`cursor=${'a'.repeat(65)}`, 'cursor'],
      ['unknown=1', 'unknown'],
      ["outcome=' OR 1=1 --", 'outcome'],
    ])('answers 400 problem+json for %s', async (query, field) => {
      const res = await api(h, 'GET', `/api/v1/pushes?${query}`);
      expectProblem(res, 400);
      expect(res.body.type).toBe('/problems/validation-error');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('names every bad parameter at once', async () => {
      const res = await api(h, 'GET', '/api/v1/pushes?type=x&phone=y&outcome=z&limit=0');
      expectProblem(res, 400);
      expect(new Set(res.body.errors.map((e: { field: string }) => e.field))).toEqual(new Set(['type', 'phone', 'outcome', 'limit']));
    });

    it('answers 401 without a valid API key, and says nothing of the log', async () => {
      delivered(await h.sandbox.send.authorized({ phone: '15312341234' }));
      for (const headers of [{ 'x-api-key': '' }, { 'x-api-key': 'not-the-key-not-the-key' }]) {
        const res = await api(h, 'GET', '/api/v1/pushes', undefined, headers);
        expectProblem(res, 401);
        expect(res.text).not.toContain('15312341234');
      }
      const bare = await fetch(`${h.url}/api/v1/pushes`);
      expect(bare.status).toBe(401);
    });
  });
});
