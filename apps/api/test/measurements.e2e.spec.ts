import { testDatabaseTargets } from '@health-bridge/health-archive/testing';
import { decodeMeasurement, readMeasurement, readViatomTime } from '@health-bridge/viatom-protocol';
import { testMeasurementPush } from '@health-bridge/viatom-protocol/testing';
import { accountIdForPhone, DEFAULT_MEMBER_ID, MEASUREMENT_DATA_TYPES } from '@health-bridge/viatom-sandbox';
import { allPages, api, type ApiHarness, delivered, expectProblem, resetState, startApi } from './api-harness';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('GET /api/v1/measurements on $name', (target) => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi(target);
  });
  afterAll(() => h?.close());
  beforeEach(() => resetState(h));

  const phone = '15312341234';
  const other = '15398769876';

  const list = async (query = '') => {
    const res = await api(h, 'GET', `/api/v1/measurements${query ? `?${query}` : ''}`);
    expect(res.status).toBe(200);
    return res.body as { items: any[]; nextCursor: string | null };
  };
  const authorize = async (p: string) => delivered(await h.sandbox.send.authorized({ phone: p, time: '2022-12-29 09:00:00' }));
  /** Measurements of `phone` at these Viatom times (+08:00), each with its own data_tag. */
  const measuredAt = async (p: string, times: string[], dataType = 2) => {
    for (const [i, measureTime] of times.entries()) {
      delivered(await h.sandbox.send.measurement({ phone: p, dataType, measureTime, dataTag: `${p}-${dataType}-${i}` }));
    }
  };
  const tags = (items: any[]) => items.map((m) => m.dataTag);

  describe('listing', () => {
    it('lists one of each data type after the samples, each with its data whole', async () => {
      await authorize(phone);
      const sent = delivered(await h.sandbox.send.samples({ phone }));
      expect(sent).toHaveLength(MEASUREMENT_DATA_TYPES.length);

      const page = await list(`phone=${phone}`);
      expect(page.nextCursor).toBeNull();
      expect(page.items.map((m) => m.dataType).sort((a, b) => a - b)).toEqual([...MEASUREMENT_DATA_TYPES].sort((a, b) => a - b));
      // Newest received first.
      expect(page.items.map((m) => m.id)).toEqual([...page.items.map((m) => m.id)].sort((a, b) => b - a));

      for (const record of sent) {
        const message = record.message as { data_tag: string; device_sn: string; data: { data_type: number; measure_time: string } };
        const item = page.items.find((m) => m.dataTag === message.data_tag);
        expect(item).toEqual({
          id: expect.any(Number),
          dataTag: message.data_tag,
          accountId: accountIdForPhone(phone),
          memberId: DEFAULT_MEMBER_ID,
          deviceSn: message.device_sn,
          dataType: message.data.data_type,
          // measure_time is Viatom's +08:00 wall time, or epoch milliseconds.
          measuredAt: readViatomTime(message.data.measure_time, '+08:00')?.toISOString(),
          receivedAt: expect.stringMatching(ISO_UTC),
          data: message.data,
          ...readMeasurement({ dataType: message.data.data_type, data: message.data, observations: decodeMeasurement(message.data)?.observations ?? [] }),
        });
        expect(item.kind).toEqual(expect.any(String));
        expect(item.observations.length).toBeGreaterThan(0);
      }
      // Both of the guide's time forms were among them.
      expect(sent.some((r) => /^\d{13}$/.test((r.message as any).data.measure_time))).toBe(true);
      expect(sent.some((r) => / /.test((r.message as any).data.measure_time))).toBe(true);
    });

    it('reads what the measurements mean: kind, context, observations in UCUM units, attachments and the ECG finding', async () => {
      await authorize(phone);
      delivered(await h.sandbox.send.samples({ phone }));
      const byKind = new Map((await list(`phone=${phone}`)).items.map((m) => [m.kind, m]));
      expect(byKind.get('blood-pressure')).toMatchObject({
        context: null,
        observations: expect.arrayContaining([
          { name: 'systolic', value: 122, unit: 'mm[Hg]' },
          { name: 'diastolic', value: 80, unit: 'mm[Hg]' },
          { name: 'pulse-rate', value: 68, unit: '/min' },
        ]),
        attachments: [],
        finding: null,
      });
      expect(byKind.get('blood-glucose')).toMatchObject({ context: 'fasting', observations: [{ name: 'glucose', value: 5.4, unit: 'mmol/L' }] });
      expect(byKind.get('ecg')).toMatchObject({
        finding: '窦性心律',
        attachments: [
          { role: 'recording', url: expect.stringMatching(/^https:\/\/.+\.dat$/) },
          { role: 'report', url: expect.stringMatching(/^https:\/\/.+\.pdf$/) },
        ],
      });
      // SpO2's o2_score is { value: null }: not measured, so no observation.
      expect(byKind.get('spo2').observations.map((o: any) => o.name)).not.toContain('o2-score');
      expect(byKind.get('sleep').observations).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'sleep-deep-duration', unit: 's' })]));
    });

    it('keeps a shape that does not decode as it came, with its kind and no observations', async () => {
      await authorize(phone);
      const data = { data_type: 3, measure_time: '2022-12-29 10:00:00', measure_result: 'sbp=120;dia=80' };
      delivered(await h.sandbox.send.raw({ message: testMeasurementPush({ data_tag: 'odd-bp', account_id: accountIdForPhone(phone), data, time: '2022-12-29 10:01:00' }) }));
      const [item] = (await list(`phone=${phone}`)).items;
      expect(item).toMatchObject({ dataTag: 'odd-bp', data, kind: 'blood-pressure', observations: [], context: null, attachments: [], finding: null });
    });

    it('keeps data Viatom did not document, nested and unicode included', async () => {
      await authorize(phone);
      const data = { data_type: 5, measure_time: '2022-12-29 10:00:00', measure_result: { wave: [1, -2, 3.5], note: '心电图 ✓' }, remark: '', extra: { a: { b: null } } };
      delivered(
        await h.sandbox.send.raw({
          message: testMeasurementPush({ data_tag: 'ecg-odd', account_id: accountIdForPhone(phone), member_id: 'm', device_sn: 'd', data, time: '2022-12-29 10:01:00' }),
        }),
      );
      const [item] = (await list(`phone=${phone}`)).items;
      expect(item).toMatchObject({ dataTag: 'ecg-odd', dataType: 5, measuredAt: '2022-12-29T02:00:00.000Z', data });
    });

    it('has null dataType and measuredAt when the measurement does not carry them', async () => {
      await authorize(phone);
      delivered(
        await h.sandbox.send.raw({
          message: testMeasurementPush({ data_tag: 'bare', account_id: accountIdForPhone(phone), data: { data_type: 'two', measure_time: 'yesterday' }, time: '2022-12-29 10:01:00' }),
        }),
      );
      const [item] = (await list(`phone=${phone}`)).items;
      expect(item).toMatchObject({ dataTag: 'bare', dataType: null, measuredAt: null, data: { data_type: 'two', measure_time: 'yesterday' } });
      // A filter on dataType or time does not match what has neither.
      expect((await list(`phone=${phone}&dataType=2`)).items).toEqual([]);
      expect((await list(`phone=${phone}&from=2000-01-01T00:00:00Z`)).items).toEqual([]);
    });

    it('without phone, lists every account', async () => {
      await authorize(phone);
      await authorize(other);
      await measuredAt(phone, ['2022-12-29 10:00:00']);
      await measuredAt(other, ['2022-12-29 10:00:00']);
      expect(tags((await list()).items)).toEqual([`${other}-2-0`, `${phone}-2-0`]);
    });
  });

  describe('kind and observations', () => {
    const bp = (tag: string, sbp: number | null, dia: number, unit = 'mmHg') =>
      h.sandbox.send.raw({
        message: testMeasurementPush({
          data_tag: tag,
          account_id: accountIdForPhone(phone),
          data: { data_type: 3, measure_time: '2022-12-29 10:00:00', measure_result: { sbp: { value: sbp, unit }, dia: { value: dia, unit } } },
          time: '2022-12-29 10:01:00',
        }),
      });

    it('filters by kind, and by an observation within min and max (inclusive), in UCUM units whatever unit was sent', async () => {
      await authorize(phone);
      delivered(await bp('bp-120', 120, 80));
      delivered(await bp('bp-140', 140, 90));
      delivered(await bp('bp-kpa', 20, 12, 'kPa')); // 150 mmHg / 90 mmHg
      delivered(await bp('bp-none', null, 85)); // systolic not measured
      await measuredAt(phone, ['2022-12-29 10:00:00'], 2);
      expect(tags((await list('kind=blood-pressure')).items)).toEqual(['bp-none', 'bp-kpa', 'bp-140', 'bp-120']);
      expect(tags((await list('kind=spo2')).items)).toEqual([`${phone}-2-0`]);
      expect(tags((await list('kind=weight')).items)).toEqual([]);
      expect(tags((await list('observation=systolic&min=140')).items)).toEqual(['bp-kpa', 'bp-140']);
      expect(tags((await list('observation=systolic&min=140&max=140')).items)).toEqual(['bp-140']);
      expect(tags((await list('observation=systolic&max=139.5')).items)).toEqual(['bp-120']);
      expect(tags((await list('observation=diastolic&min=85')).items)).toEqual(['bp-none', 'bp-kpa', 'bp-140']);
      expect(tags((await list(`observation=systolic&phone=${other}`)).items)).toEqual([]);
      const [kpa] = (await list('observation=systolic&min=145')).items;
      expect(kpa.observations).toEqual([
        { name: 'systolic', value: expect.closeTo(150.0123, 3), unit: 'mm[Hg]' },
        { name: 'diastolic', value: expect.closeTo(90.0074, 3), unit: 'mm[Hg]' },
      ]);
      // Pages of a filtered list.
      const first = await list('observation=systolic&limit=1');
      expect(tags(first.items)).toEqual(['bp-kpa']);
      expect(tags((await list(`observation=systolic&limit=5&cursor=${first.nextCursor}`)).items)).toEqual(['bp-140', 'bp-120']);
    });

    it.each([
      ['kind=pressure', 'kind', /kind must be one of/],
      ['observation=Systolic', 'observation', /observation name/],
      ['observation=', 'observation', /observation name/],
      ['min=140', 'min', /min needs observation/],
      ['observation=systolic&min=abc', 'min', /min must be a number/],
      ['observation=systolic&max=1e3', 'max', /max must be a number/],
      ['observation=systolic&min=150&max=140', 'min', /min must not be above max/],
    ])('answers 400 for %s', async (query, field, message) => {
      const res = await api(h, 'GET', `/api/v1/measurements?${query}`);
      expectProblem(res, 400);
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, message: expect.stringMatching(message) })]));
    });
  });

  describe('phone', () => {
    it('selects the account that phone authorized, and nobody else', async () => {
      await authorize(phone);
      await authorize(other);
      await measuredAt(phone, ['2022-12-29 10:00:00', '2022-12-29 11:00:00']);
      await measuredAt(other, ['2022-12-29 10:30:00']);

      const mine = await list(`phone=${phone}`);
      expect(tags(mine.items)).toEqual([`${phone}-2-1`, `${phone}-2-0`]);
      expect(mine.items.every((m) => m.accountId === accountIdForPhone(phone))).toBe(true);
      expect(tags((await list(`phone=${other}`)).items)).toEqual([`${other}-2-0`]);
    });

    it('selects by account even when the measurement does not carry the phone', async () => {
      await authorize(phone);
      delivered(await h.sandbox.send.measurement({ accountId: accountIdForPhone(phone), dataTag: 'no-phone', measureTime: '2022-12-29 10:00:00' }));
      const [item] = (await list(`phone=${phone}`)).items;
      expect(item.dataTag).toBe('no-phone');
      expect(item.data).not.toHaveProperty('phone');
    });

    it('gives empty items, not 404, for a phone never seen', async () => {
      await authorize(phone);
      await measuredAt(phone, ['2022-12-29 10:00:00']);
      const res = await api(h, 'GET', '/api/v1/measurements?phone=15300000000');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ items: [], nextCursor: null });
    });

    it("does not list a measurement pushed after the account's authorization was revoked", async () => {
      await authorize(phone);
      await measuredAt(phone, ['2022-12-29 10:00:00']);
      delivered(await h.sandbox.send.cancelled({ phone, time: '2022-12-29 12:00:00' }));
      const [late] = delivered(await h.sandbox.send.measurement({ phone, dataTag: 'after-revoke', measureTime: '2022-12-29 12:30:00' }));
      expect(late.status).toBe(200);

      expect(tags((await list(`phone=${phone}`)).items)).not.toContain('after-revoke');
      expect(tags((await list()).items)).not.toContain('after-revoke');
      expect(tags((await list('from=2022-12-29T04:00:00Z')).items)).toEqual([]);
      const log = await api(h, 'GET', '/api/v1/pushes?outcome=ignored');
      expect(log.body.items.map((p: { dataTag: string }) => p.dataTag)).toEqual(['after-revoke']);
    });

    it('also does not list a measurement after the integrator cancelled', async () => {
      await authorize(phone);
      const cancel = await api(h, 'POST', '/api/v1/authorizations/cancel', { phone });
      expect(cancel.status).toBe(200);
      await h.sandbox.settled();
      delivered(await h.sandbox.send.measurement({ phone, dataTag: 'after-cancel' }));
      expect(tags((await list()).items)).not.toContain('after-cancel');
    });
  });

  describe('dataType', () => {
    it('keeps only that data type', async () => {
      await authorize(phone);
      delivered(await h.sandbox.send.samples({ phone }));
      for (const dataType of [1, 3, 15]) {
        const { items } = await list(`phone=${phone}&dataType=${dataType}`);
        expect(items).toHaveLength(1);
        expect(items[0].dataType).toBe(dataType);
        expect(items[0].data.data_type).toBe(dataType);
      }
      expect((await list(`phone=${phone}&dataType=8`)).items).toEqual([]);
    });
  });

  describe('from / to', () => {
    // 10:00, 11:00, 12:00 in +08:00 are 02:00, 03:00, 04:00 UTC.
    beforeEach(async () => {
      await authorize(phone);
      await measuredAt(phone, ['2022-12-29 10:00:00', '2022-12-29 11:00:00', '2022-12-29 12:00:00']);
    });

    it.each([
      ['from=2022-12-29T03:00:00Z', ['1', '2']],
      ['from=2022-12-29T03:00:00.001Z', ['2']],
      ['from=2022-12-29T11:00:00%2B08:00', ['1', '2']],
      ['from=2022-12-28T22:00:00-05:00', ['1', '2']],
      ['from=2022-12-29T03:00:00.000000Z', ['1', '2']],
      ['from=2022-12-29T03:00:00.000001Z', ['2']],
      ['to=2022-12-29T04:00:00.000001Z', ['0', '1', '2']],
      ['from=2022-12-29T11:00:00%2B0800', ['1', '2']],
      ['from=2022-12-29T11:00:00+08:00', ['1', '2']],
      ['from=2022-12-29t03:00:00z', ['1', '2']],
      ['to=2022-12-29T04:00:00Z', ['0', '1']],
      ['to=2022-12-29T04:00:00.001Z', ['0', '1', '2']],
      ['to=2022-12-29T03:59:59.999Z', ['0', '1']],
      ['from=2022-12-29T03:00:00Z&to=2022-12-29T04:00:00Z', ['1']],
      ['from=2022-12-29T02:00Z&to=2022-12-29T04:00Z', ['0', '1']],
      ['from=2022-12-29T04:00:00.001Z', []],
      ['to=2022-12-29T02:00:00Z', []],
    ])('%s (inclusive from, exclusive to, by measure time)', async (query, expected) => {
      const { items } = await list(`phone=${phone}&${query}`);
      expect(tags(items).sort()).toEqual(expected.map((i) => `${phone}-2-${i}`).sort());
    });

    it('filters by measure time, not by arrival', async () => {
      // Arrives last, measured first.
      delivered(await h.sandbox.send.measurement({ phone, dataTag: 'late-arrival', measureTime: '2022-12-29 09:00:00' }));
      expect(tags((await list(`phone=${phone}&to=2022-12-29T02:00:00Z`)).items)).toEqual(['late-arrival']);
    });
  });

  describe('pagination', () => {
    it('walks every measurement once, newest first, and ends with nextCursor null', async () => {
      await authorize(phone);
      delivered(await h.sandbox.send.samples({ phone }));
      const pages = await allPages(h, `/api/v1/measurements?phone=${phone}`, 4);
      expect(pages.map((p) => p.length)).toEqual([4, 4, 2]);
      const ids = pages.flat().map((m) => m.id);
      expect(new Set(ids).size).toBe(10);
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      const stored = (await h.dataSource.query('SELECT id FROM measurement ORDER BY id DESC')).map((r: { id: number | string }) => Number(r.id));
      expect(ids).toEqual(stored);
    });

    it('paginates within filters', async () => {
      await authorize(phone);
      await authorize(other);
      await measuredAt(phone, ['2022-12-29 10:00:00', '2022-12-29 10:01:00', '2022-12-29 10:02:00'], 3);
      await measuredAt(other, ['2022-12-29 10:00:00', '2022-12-29 10:01:00'], 3);
      await measuredAt(phone, ['2022-12-29 10:03:00'], 2);
      const pages = await allPages(h, `/api/v1/measurements?phone=${phone}&dataType=3`, 2);
      expect(pages.flat().map((m) => m.dataTag)).toEqual([`${phone}-3-2`, `${phone}-3-1`, `${phone}-3-0`]);
    });
  });

  describe('bad requests', () => {
    it.each([
      ['from=2022-12-29T04:00:00Z&to=2022-12-29T04:00:00Z', 'from'],
      ['from=2022-12-29T05:00:00Z&to=2022-12-29T04:00:00Z', 'from'],
      ['from=2022-12-29T12:00:00%2B08:00&to=2022-12-29T04:00:00Z', 'from'],
      ['from=2022-12-29T03:00:00', 'from'],
      ['to=2022-12-29 03:00:00', 'to'],
      ['from=2022-12-29', 'from'],
      ['from=yesterday', 'from'],
      ['to=1672272000000', 'to'],
      ['from=2022-13-45T00:00:00Z', 'from'],
      ['from=2022-02-30T00:00:00Z', 'from'],
      ['to=2022-12-29T24:00:00Z', 'to'],
      ['from=2022-12-29T00:00:00%2B25:00', 'from'],
      ['from=2022-12-29T00:00:00%2B08:60', 'from'],
      ['from=2022-12-29T00:00:00.1234567890Z', 'from'],
      ['from=', 'from'],
      ['from=2022-12-29T00:00:00Z&from=2022-12-30T00:00:00Z', 'from'],
      ['dataType=abc', 'dataType'],
      ['dataType=-1', 'dataType'],
      ['dataType=1.5', 'dataType'],
      ['dataType=', 'dataType'],
      ['phone=abc', 'phone'],
      ['limit=0', 'limit'],
      ['limit=500', 'limit'],
      ['cursor=not*a*cursor', 'cursor'],
      [`cursor=${Buffer.from('id:-1').toString('base64url')}`, 'cursor'],
      ['accountId=OA', 'accountId'],
      ['unknown=1', 'unknown'],
    ])('answers 400 problem+json for %s', async (query, field) => {
      const res = await api(h, 'GET', `/api/v1/measurements?${query}`);
      expectProblem(res, 400);
      expect(res.body.type).toBe('/problems/validation-error');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('answers 401 without a valid API key', async () => {
      expectProblem(await api(h, 'GET', '/api/v1/measurements', undefined, { 'x-api-key': '' }), 401);
      expectProblem(await api(h, 'GET', `/api/v1/measurements?phone=${phone}`, undefined, { 'x-api-key': 'wrong-key-wrong-key-wrong' }), 401);
    });
  });
});
