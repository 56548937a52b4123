import { testDatabaseTargets } from '@health-bridge/health-archive/testing';
import { formatViatomTime } from '@health-bridge/viatom-protocol';
import { api, postPush, pushMessage, resetState, startApi, type ApiHarness } from './api-harness';

/**
 * What real senders plausibly send, over HTTP, on both engines: every form of time, phone, id
 * and type the receiver reads (README "What the push receiver accepts"), and a measurement of
 * each data_type in the shape of Viatom's ViHealth guide. Each is answered 200, stored, and read
 * back with the right instant, phone and type. The 400s that are right stay 400s.
 */
describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('the push corpus on $name', (target) => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi(target);
  });
  afterAll(() => h?.close());
  beforeEach(() => resetState(h));

  /** Posts a body (an object, or JSON text as a sender wrote it); the answer's status and envelope. */
  const post = async (body: unknown) => {
    const { status, body: envelope } = await postPush(h, body);
    return { status, body: envelope as { code: number; message: string } };
  };
  const accepted = async (body: unknown) => {
    const answer = await post(body);
    expect({ body, answer }).toMatchObject({ answer: { status: 200, body: { code: 0 } } });
  };
  const pushesOf = async (query: string) => {
    const res = await api(h, 'GET', `/api/v1/pushes?${query}`);
    expect(res.status).toBe(200);
    return res.body.items as Array<Record<string, any>>;
  };
  const authorizationOf = async (phone: string) => (await api(h, 'GET', `/api/v1/authorizations/${encodeURIComponent(phone)}`)).body;

  const INSTANT = '2023-09-14T07:25:39.000Z';
  it.each([
    ['epoch milliseconds in a string (the ViHealth guide)', '1694676339000'],
    ['epoch milliseconds as a JSON number', 1694676339000],
    ['epoch seconds in a string', '1694676339'],
    ['epoch seconds as a JSON number', 1694676339],
    ['ISO 8601 in UTC', '2023-09-14T07:25:39Z'],
    ['ISO 8601 with an offset', '2023-09-14T15:25:39+08:00'],
    ['ISO 8601 with a fraction', '2023-09-14T07:25:39.000000Z'],
    ['zone-less with a T, in VIATOM_TIMEZONE', '2023-09-14T15:25:39'],
    ['zone-less with slashes', '2023/09/14 15:25:39'],
  ])('a grant with times as %s is applied at the right instant', async (_name, time) => {
    await accepted(pushMessage({ data: { phone: '15312341234' }, create_time: time, update_time: time }));
    const [logged] = await pushesOf('phone=15312341234');
    expect(logged).toMatchObject({ type: 2, outcome: 'applied', sourceCreatedAt: INSTANT, sourceUpdatedAt: INSTANT, orderedBy: 'source' });
    expect(await authorizationOf('15312341234')).toMatchObject({ status: 'authorized', authorizedAt: INSTANT });
  });

  it.each([
    ['a zero date', '0000-00-00 00:00:00'],
    ['an impossible date', '2022-02-30 10:00:00'],
    ['a word', 'unknown'],
    ['zero', 0],
  ])('%s in create_time beside a valid update_time: create_time is absent, the push applied by update_time', async (_name, zero) => {
    await accepted(pushMessage({ create_time: zero, update_time: '2022-12-29 16:33:40' }));
    const [logged] = await pushesOf('phone=15312341234');
    expect(logged).toMatchObject({ outcome: 'applied', sourceCreatedAt: null, sourceUpdatedAt: '2022-12-29T08:33:40.000Z', orderedBy: 'source' });
    expect(logged.message.create_time).toEqual(zero);
  });

  it('a push with no usable time at all is kept, ordered by its received time, and the log says so', async () => {
    const before = Date.now();
    await accepted(pushMessage({ create_time: '0000-00-00 00:00:00', update_time: '' }));
    const [logged] = await pushesOf('phone=15312341234');
    expect(logged).toMatchObject({ outcome: 'applied', sourceCreatedAt: null, sourceUpdatedAt: null, orderedBy: 'received-no-source-time' });
    const authorizedAt = Date.parse((await authorizationOf('15312341234')).authorizedAt);
    expect(authorizedAt).toBe(Date.parse(logged.receivedAt));
    expect(authorizedAt).toBeGreaterThanOrEqual(before);
  });

  it.each([
    ['+86 153 1234 1234'],
    ['+8615312341234'],
    ['008615312341234'],
    ['153-1234-1234'],
    ['153 1234 1234'],
    ['(153) 1234.1234'],
    ['１５３１２３４１２３４'],
    [15312341234],
  ])('a phone written %p is one person: 15312341234', async (written) => {
    await accepted(pushMessage({ data: { phone: written } }));
    expect(await authorizationOf('15312341234')).toMatchObject({ phone: '15312341234', status: 'authorized' });
    // A cancellation written another way reaches the same person.
    await accepted(pushMessage({ type: 3, data: { phone: '+86 153-1234-1234' }, update_time: '2022-12-29 17:00:00' }));
    expect(await authorizationOf(String(written))).toMatchObject({ phone: '15312341234', status: 'revoked', revokedBy: 'user' });
    expect((await pushesOf(`phone=${encodeURIComponent(String(written))}`)).map((p) => p.phone)).toEqual(['15312341234', '15312341234']);
  });

  it('ids of 1,024 characters, and ids sent as JSON numbers, are kept as their text', async () => {
    const long = (c: string) => c.repeat(1024);
    await accepted(pushMessage({ data_tag: long('t'), account_id: long('a'), member_id: long('m'), device_sn: long('d') }));
    await accepted(pushMessage({ data: { phone: '15300001111' }, data_tag: 42, account_id: 8, member_id: -1, device_sn: 123456 }));
    const [numbers, longs] = await pushesOf('type=2');
    expect(longs).toMatchObject({ dataTag: long('t'), accountId: long('a'), memberId: long('m'), deviceSn: long('d'), outcome: 'applied' });
    expect(longs.dedupeKey).toMatch(/^tag-sha256:[0-9a-f]{64}$/);
    expect(numbers).toMatchObject({ dataTag: '42', dedupeKey: 'tag:42', accountId: '8', memberId: '-1', deviceSn: '123456' });
    // The same long tag again is a repeat.
    await accepted(pushMessage({ data_tag: long('t'), account_id: long('a') }));
    expect(await pushesOf('type=2')).toHaveLength(2);
  });

  it('an account id of 1,024 Chinese characters (3 kB: more than an index entry holds) is kept, and its measurements found', async () => {
    // Characters that do not compress, as a real id would not.
    const account = Array.from({ length: 1024 }, (_, i) => String.fromCharCode(0x4e00 + ((i * 7919) % 20000))).join('');
    await accepted(pushMessage({ account_id: account, member_id: account }));
    await accepted({ type: 1, data_tag: 'cjk-measurement', account_id: account, data: { data_type: 2, measure_time: '1694676339000' }, create_time: '1694676339000' });
    const res = await api(h, 'GET', '/api/v1/measurements?phone=15312341234');
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(1);
    const [measurement, grant] = await pushesOf('');
    expect(measurement).toMatchObject({ outcome: 'archived', phone: '15312341234' });
    expect(grant.memberId).toBe(account);
    expect(grant.message.account_id).toBe(account);
    // Kept in the index as its digest, the same for both pushes.
    expect(grant.accountId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(measurement.accountId).toBe(grant.accountId);
  });

  it('keeps the text exactly as received: a 20-digit integer, key order and spacing', async () => {
    const text =
      '{"update_time": "2022-12-29 16:33:40",  "type": 2, "data_tag": 12345678901234567890,\n' +
      ' "data": {"phone": "15312341234", "big": 98765432109876543210}, "create_time": "2022-12-29 16:33:40"}';
    await accepted(text);
    const [logged] = await pushesOf('phone=15312341234');
    expect(logged.rawMessage).toBe(text);
    expect(logged.dataTag).toBe('12345678901234567890');
    expect(logged.dedupeKey).toBe('tag:12345678901234567890');
  });

  it.each([
    ['"2"', '2', 2, 'applied'],
    ['" 3 "', ' 3 ', 3, 'applied'],
  ])('a type sent as the text %s is that type', async (_name, type, expected, outcome) => {
    await accepted(pushMessage({ type }));
    const [logged] = await pushesOf('phone=15312341234');
    expect(logged).toMatchObject({ type: expected, outcome });
  });

  it.each([[2 ** 31], [2 ** 53], ['99999999999999999999']])('a type no column holds (%p) is answered 200 and logged ignored, with no type', async (type) => {
    await accepted(pushMessage({ type }));
    const [logged] = await pushesOf('phone=15312341234');
    expect(logged).toMatchObject({ type: null, outcome: 'ignored' });
    expect(logged.message.type).toEqual(type);
    expect(await authorizationOf('15312341234')).toMatchObject({ status: 404 });
  });

  it('list filters outside what a column holds are a 400, not a 500', async () => {
    for (const path of ['/api/v1/pushes?type=2147483648', '/api/v1/measurements?dataType=2147483648', '/api/v1/pushes?type=99999999999999999999']) {
      const res = await api(h, 'GET', path);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
    }
    expect((await api(h, 'GET', '/api/v1/pushes?type=2147483647')).status).toBe(200);
  });

  describe('measurements in the ViHealth guide\'s shapes, times in epoch milliseconds', () => {
    const ACCOUNT = 'OA==|Njk=';
    const measuredAt = 1694676339000;
    const q = (value: number | null, unit: string) => ({ value, unit });
    const SAMPLES: Array<[number, Record<string, unknown>]> = [
      [1, { type: 1, temperature: q(36.6, 'Cel') }],
      [2, { type: 1, duration: 60, spo2: q(97, '%'), pr: q(72, 'bpm'), '90_duration': q(0, 's'), drops: 0, spo2_min: q(95, '%'), o2_score: 9, file_url: 'https://oss.example/o2.dat' }],
      [3, { sbp: q(128, 'mmHg'), dia: q(82, 'mmHg'), pulse_pressure: q(46, 'mmHg'), map: q(97, 'mmHg'), pr: q(70, 'bpm') }],
      [4, { type: 0, blood_gucose: q(5.4, 'mmol/l') }],
      [5, { duration: 30, file_url: 'https://oss.example/ecg.dat', hr: q(68, 'bpm'), ai_diagnose: { code: 1, diagnose_info: '窦性心律', report_file_url: 'https://oss.example/ecg.pdf' } }],
      [6, { type: 0, hr: q(null, 'bpm') }],
      [7, { duration: 28800, sleep: [{ sleep_type: 0, duration: 7200 }, { sleep_type: 1, duration: 18000 }, { sleep_type: 3, duration: 3600 }] }],
      [9, { chol: q(4.8, 'mmol/L'), trig: q(1.2, 'mmol/L'), hdl: q(1.3, 'mmol/L'), ldl: q(2.9, 'mmol/L'), chol_hdl: 3.7 }],
      [10, { device_type: 1, weight: q(68.5, 'kg'), bfp: q(21.3, '%'), bmi: 22.4 }],
      [15, { min_hr: q(120, 'bpm'), avg_hr: q(140, 'bpm'), max_hr: q(155, 'bpm'), times: 3, duration: 600 }],
    ];

    beforeEach(() => accepted(pushMessage({ account_id: ACCOUNT, data: { phone: '15312341234' } })));

    it.each(SAMPLES)('data_type %i is archived, with its type and measurement time read', async (dataType, measureResult) => {
      const data = { data_type: dataType, measure_time: String(measuredAt), measure_result: measureResult, remark: '' };
      await accepted({ type: 1, data_tag: `vihealth-${dataType}`, account_id: ACCOUNT, member_id: 'OA==|LTE=', device_sn: 'SN-9', data, create_time: String(measuredAt + 5000), update_time: String(measuredAt + 5000) });
      const res = await api(h, 'GET', `/api/v1/measurements?phone=15312341234&dataType=${dataType}`);
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual([expect.objectContaining({ dataType, measuredAt: new Date(measuredAt).toISOString(), data, deviceSn: 'SN-9' })]);
      const [logged] = await pushesOf('type=1');
      expect(logged).toMatchObject({ outcome: 'archived', sourceUpdatedAt: new Date(measuredAt + 5000).toISOString(), phone: '15312341234' });
    });

    it('data_type as text and measure_time as an epoch-millisecond number are read too', async () => {
      await accepted({ type: '1', data_tag: 'text-type', account_id: ACCOUNT, data: { data_type: '3', measure_time: measuredAt, measure_result: SAMPLES[2][1] }, create_time: measuredAt });
      const res = await api(h, 'GET', '/api/v1/measurements?phone=15312341234&dataType=3');
      expect(res.body.items).toEqual([expect.objectContaining({ dataType: 3, measuredAt: new Date(measuredAt).toISOString() })]);
      const from = new Date(measuredAt - 1000).toISOString();
      const to = new Date(measuredAt + 1000).toISOString();
      expect((await api(h, 'GET', `/api/v1/measurements?phone=15312341234&from=${from}&to=${to}`)).body.items).toHaveLength(1);
    });

    it('a measurement whose data is no object is kept as given', async () => {
      await accepted({ type: 1, data_tag: 'array-data', account_id: ACCOUNT, data: [{ spo2: 97 }], create_time: '2022-12-29 16:33:40' });
      const res = await api(h, 'GET', '/api/v1/measurements?phone=15312341234');
      expect(res.body.items).toEqual([expect.objectContaining({ dataType: null, data: [{ spo2: 97 }] })]);
    });
  });

  describe('clock sanity', () => {
    it('a grant dated 9999 does not outlive the real cancellation sent after it', async () => {
      await accepted(pushMessage({ data_tag: 'future-grant', create_time: '9999-12-31 23:59:59', update_time: '9999-12-31 23:59:59' }));
      const [grant] = await pushesOf('phone=15312341234');
      // Both times stay in the log; the push is ordered by when it arrived.
      expect(grant).toMatchObject({ outcome: 'applied', orderedBy: 'received-source-time-ahead', sourceUpdatedAt: '9999-12-31T15:59:59.000Z' });
      expect(await authorizationOf('15312341234')).toMatchObject({ status: 'authorized', authorizedAt: grant.receivedAt });

      // At once, in the same second (Viatom writes whole seconds, so its time is before the grant's arrival).
      await accepted(pushMessage({ type: 3, data_tag: 'real-cancel', update_time: formatViatomTime(new Date()) }));
      const [cancel] = await pushesOf('phone=15312341234&type=3');
      expect(cancel).toMatchObject({ outcome: 'applied', orderedBy: 'source' });
      expect(await authorizationOf('15312341234')).toMatchObject({ status: 'revoked', revokedBy: 'user' });
    });

    it('a withdrawal stamped by a clock minutes behind still wins over a grant whose time was not believed', async () => {
      await accepted(pushMessage({ data_tag: 'zero-grant', create_time: '0000-00-00 00:00:00', update_time: '0000-00-00 00:00:00' }));
      await accepted(pushMessage({ type: 3, data_tag: 'late-clock-cancel', update_time: formatViatomTime(new Date(Date.now() - 3 * 60_000)) }));
      expect(await authorizationOf('15312341234')).toMatchObject({ status: 'revoked', revokedBy: 'user' });
      // The other side of that doubt: a grant without a usable time within the skew after a withdrawal loses to it.
      await accepted(pushMessage({ data_tag: 'zero-grant-2', create_time: '', update_time: '' }));
      expect((await pushesOf('phone=15312341234&type=2'))[0]).toMatchObject({ dataTag: 'zero-grant-2', outcome: 'stale' });
      expect(await authorizationOf('15312341234')).toMatchObject({ status: 'revoked' });
    });

    it('a withdrawal older than the allowed skew was sent before such a grant: it is stale', async () => {
      await accepted(pushMessage({ data: { phone: '15300001111' }, data_tag: 'zero-grant-3', create_time: '', update_time: '' }));
      await accepted(pushMessage({ data: { phone: '15300001111' }, type: 3, data_tag: 'old-cancel', update_time: formatViatomTime(new Date(Date.now() - 30 * 60_000)) }));
      expect((await pushesOf('phone=15300001111&type=3'))[0]).toMatchObject({ dataTag: 'old-cancel', outcome: 'stale' });
      expect(await authorizationOf('15300001111')).toMatchObject({ status: 'authorized' });
    });

    it('a time ahead by less than the allowed skew is believed', async () => {
      const soon = new Date(Math.ceil((Date.now() + 5 * 60_000) / 1000) * 1000);
      await accepted(pushMessage({ update_time: formatViatomTime(soon) }));
      const [logged] = await pushesOf('phone=15312341234');
      expect(logged).toMatchObject({ orderedBy: 'source' });
      expect(await authorizationOf('15312341234')).toMatchObject({ authorizedAt: soon.toISOString() });
    });
  });

  describe('what is still refused (and changes nothing)', () => {
    it.each([
      ['not JSON', '{"type": 2,'],
      ['not an object', '[{"type":2}]'],
      ['no type', JSON.stringify(pushMessage({ type: undefined }))],
      ['a type that is no integer', JSON.stringify(pushMessage({ type: 'two' }))],
      ['a phone that is no phone in any form', JSON.stringify(pushMessage({ data: { phone: '153-1234-abcd' } }))],
      ['a NUL character', JSON.stringify(pushMessage({ data: { phone: '15312341234', note: 'a\u0000b' } }))],
      ['an id that is an object', JSON.stringify(pushMessage({ data_tag: { id: 1 } }))],
    ])('%s: 400 in Viatom\'s envelope', async (_name, text) => {
      const answer = await post(text);
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe(20015);
      expect(await pushesOf('')).toEqual([]);
    });
  });
});
