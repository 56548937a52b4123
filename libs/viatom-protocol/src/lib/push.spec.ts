import { testPush } from '../testing';
import { pushOrdering, pushSourceTime, PushTimeBasis, PushType, topLevelNumberTexts, validatePush, type PushValidationResult, type ViatomPush } from './push';

/** Viatom's own example of a type-2 push (the test factory's defaults, with the example's data_tag). */
function authorizedPush(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...testPush({ data_tag: '7a4569155dc60bcb36189490bf90dcfc' }), ...overrides };
}

function valid(result: PushValidationResult): ViatomPush {
  if (!result.ok) throw new Error(`expected a valid push, got: ${result.errors.join('; ')}`);
  return result.push;
}

function errors(result: PushValidationResult): string[] {
  if (result.ok) throw new Error('expected an invalid push');
  return result.errors;
}

describe('validatePush: valid pushes', () => {
  it('type 2: camelCase fields, +08:00 times as UTC instants', () => {
    const input = authorizedPush();
    const push = valid(validatePush(input));
    expect(push).toEqual({
      type: PushType.UserAuthorized,
      dataTag: '7a4569155dc60bcb36189490bf90dcfc',
      accountId: 'OA==|MTEx',
      memberId: 'OA==|LTE=',
      deviceSn: '',
      phone: '15312341234',
      data: { phone: '15312341234' },
      measurementData: { phone: '15312341234' },
      userInfo: {},
      createTime: new Date('2022-12-29T08:33:40.000Z'),
      updateTime: new Date('2022-12-29T08:33:40.000Z'),
      dataType: null,
      measuredAt: null,
      raw: input,
      rawText: JSON.stringify(input),
    });
  });

  it('type 3, with a phone in its canonical form', () => {
    const push = valid(validatePush(authorizedPush({ type: 3, data: { phone: ' +86 153-1234-1234 ' } })));
    expect(push.type).toBe(PushType.UserCancelled);
    expect(push.phone).toBe('15312341234');
  });

  it('keeps the text it was given as the raw message', () => {
    const text = '{ "update_time":"2022-12-29 16:33:40", "type":2, "data":{"phone":"15312341234"} }';
    expect(valid(validatePush(JSON.parse(text), { rawText: text })).rawText).toBe(text);
  });

  it('type 1: measurement data kept as given, data_type and measure_time read', () => {
    const data = {
      data_type: 3,
      measure_time: '2024-03-01 07:30:00',
      measure_result: { sys: 118, dia: 76, pr: 68 },
      remark: '',
    };
    const push = valid(validatePush(authorizedPush({ type: 1, device_sn: 'BP2-1234', data })));
    expect(push).toMatchObject({
      type: PushType.Measurement,
      deviceSn: 'BP2-1234',
      phone: null,
      data,
      dataType: 3,
      measuredAt: new Date('2024-02-29T23:30:00.000Z'),
    });
  });

  it('type 1: a phone in data is read when valid, ignored when not', () => {
    expect(valid(validatePush(authorizedPush({ type: 1, data: { phone: '15312341234' } }))).phone).toBe('15312341234');
    expect(valid(validatePush(authorizedPush({ type: 1, data: { phone: 'n/a' } }))).phone).toBeNull();
  });

  it('type 1: data_type and measure_time in the ViHealth guide\'s forms are read', () => {
    const push = valid(validatePush(authorizedPush({ type: 1, data: { data_type: '2', measure_time: '1694676339000' } })));
    expect(push.dataType).toBe(2);
    expect(push.measuredAt).toEqual(new Date(1694676339000));
  });

  it('type 1: a measure_time or data_type that means nothing is kept in data, not read', () => {
    const push = valid(validatePush(authorizedPush({ type: 1, data: { data_type: 'spo2', measure_time: 'soon' } })));
    expect(push.dataType).toBeNull();
    expect(push.measuredAt).toBeNull();
    expect(push.data).toEqual({ data_type: 'spo2', measure_time: 'soon' });
  });

  it.each([
    ['an array', [{ spo2: 97 }]],
    ['a number', 1],
    ['a text that is not JSON', 'spo2=97'],
  ])('type 1: data that is %s is kept as given', (_name, data) => {
    const push = valid(validatePush(authorizedPush({ type: 1, data })));
    expect(push.measurementData).toEqual(data);
    expect(push.data).toEqual({});
  });

  it('data written as a JSON text of an object is read as that object (a sender that encodes twice)', () => {
    const push = valid(validatePush(authorizedPush({ type: 2, data: '{"phone":"15312341234"}', user_info: '{"nick":"x"}' })));
    expect(push.phone).toBe('15312341234');
    expect(push.data).toEqual({ phone: '15312341234' });
    expect(push.userInfo).toEqual({ nick: 'x' });
  });

  it.each([2 ** 31, -(2 ** 31) - 1, 2 ** 40, 1.5])('type 1: a data_type a 32-bit column cannot hold (%s) is kept in data, not read', (dataType) => {
    const push = valid(validatePush(authorizedPush({ type: 1, data: { data_type: dataType } })));
    expect(push.dataType).toBeNull();
    expect(push.data['data_type']).toBe(dataType);
  });

  it('type 1: the largest data_type a 32-bit column holds is read', () => {
    expect(valid(validatePush(authorizedPush({ type: 1, data: { data_type: 2 ** 31 - 1 } }))).dataType).toBe(2 ** 31 - 1);
  });

  it.each([
    ['Z', '2022-12-29T16:33:40.000Z'],
    ['+00:00', '2022-12-29T16:33:40.000Z'],
    ['-05:00', '2022-12-29T21:33:40.000Z'],
    ['+05:30', '2022-12-29T11:03:40.000Z'],
  ])('reads times in another offset (%s)', (timeZone, expected) => {
    const push = valid(validatePush(authorizedPush(), { timeZone }));
    expect(push.createTime?.toISOString()).toBe(expected);
  });

  it.each([
    ['empty', ''],
    ['absent', undefined],
    ['null', null],
    ['blank', '   '],
  ])('data_tag %s reads as ""', (_name, dataTag) => {
    expect(valid(validatePush(authorizedPush({ data_tag: dataTag }))).dataTag).toBe('');
  });

  it('absent ids, data and user_info read as empty', () => {
    const push = valid(
      validatePush({ type: 2, data: { phone: '15312341234' }, create_time: '2022-12-29 16:33:40' }),
    );
    expect(push).toMatchObject({ accountId: '', memberId: '', deviceSn: '', userInfo: {}, updateTime: null });
    expect(pushSourceTime(push)).toEqual(new Date('2022-12-29T08:33:40.000Z'));
  });

  it('one time is enough; the source time prefers update_time', () => {
    const onlyUpdate = valid(validatePush(authorizedPush({ create_time: undefined, update_time: '2022-12-29 16:33:41' })));
    expect(onlyUpdate.createTime).toBeNull();
    expect(pushSourceTime(onlyUpdate)).toEqual(new Date('2022-12-29T08:33:41.000Z'));
    const both = valid(validatePush(authorizedPush({ update_time: '2022-12-30 00:00:00' })));
    expect(pushSourceTime(both)).toEqual(new Date('2022-12-29T16:00:00.000Z'));
  });

  it.each([0, 4, 99, -1, 2 ** 31 - 1])('an unknown type (%d) is a valid push', (type) => {
    const push = valid(validatePush(authorizedPush({ type, data: {} })));
    expect(push.type).toBe(type);
    expect(push.phone).toBeNull();
  });

  it.each([
    ['"2"', '2', PushType.UserAuthorized],
    ['" 3 "', ' 3 ', PushType.UserCancelled],
    ['"1"', '1', PushType.Measurement],
    ['"2.0" (a double written as text)', '2.0', PushType.UserAuthorized],
    ['"3.00"', '3.00', PushType.UserCancelled],
    ['"２" (full-width)', '２', PushType.UserAuthorized],
    ['"+2"', '+2', PushType.UserAuthorized],
  ])('type as the integer text %s', (_name, type, expected) => {
    expect(valid(validatePush(authorizedPush({ type }))).type).toBe(expected);
  });

  it.each([2 ** 31, 2 ** 53, 1e300, '99999999999999999999999'])('a type no integer column holds (%p) is kept with no type', (type) => {
    const push = valid(validatePush(authorizedPush({ type })));
    expect(push.type).toBeNull();
    expect(push.raw['type']).toBe(type);
  });

  it.each([
    ['a number', 123, '123'],
    ['a negative number', -8, '-8'],
  ])('ids sent as %s are kept as their decimal text', (_name, value, text) => {
    const push = valid(validatePush(authorizedPush({ data_tag: value, account_id: value, member_id: value, device_sn: value })));
    expect(push).toMatchObject({ dataTag: text, accountId: text, memberId: text, deviceSn: text });
  });

  it('an id above 2^53 keeps every digit it was sent with, read from the raw text', () => {
    const text = '{"type":2,"data_tag":12345678901234567890123,"account_id":98765432109876543210,"data":{"phone":"15312341234"}}';
    const push = valid(validatePush(JSON.parse(text), { rawText: text }));
    expect(push.dataTag).toBe('12345678901234567890123');
    expect(push.accountId).toBe('98765432109876543210');
  });

  it('a numeric id is read whole, and held to the same length as a text one', () => {
    const digits = (n: number) => '7'.repeat(n);
    const text = (n: number) => `{"type":2,"data_tag":${digits(n)},"data":{"phone":"15312341234"}}`;
    expect(valid(validatePush(JSON.parse(text(1024)), { rawText: text(1024) })).dataTag).toBe(digits(1024));
    expect(errors(validatePush(JSON.parse(text(1025)), { rawText: text(1025) }))).toEqual(['data_tag: must be at most 1024 characters']);
  });

  it('ids of 1,024 characters are kept', () => {
    const long = 'x'.repeat(1024);
    expect(valid(validatePush(authorizedPush({ data_tag: long, account_id: long, member_id: long, device_sn: long })))).toMatchObject({
      dataTag: long,
      accountId: long,
    });
  });

  it('unknown extra fields and user_info contents are kept as given', () => {
    const input = authorizedPush({ user_info: { nick: 'x', age: 40 }, extra: true });
    const push = valid(validatePush(input));
    expect(push.userInfo).toEqual({ nick: 'x', age: 40 });
    expect(push.raw['extra']).toBe(true);
  });
});

describe('validatePush: invalid pushes', () => {
  it.each([
    ['null', null],
    ['an array', [authorizedPush()]],
    ['a string', JSON.stringify(authorizedPush())],
    ['a number', 2],
    ['undefined', undefined],
  ])('%s: not an object', (_name, input) => {
    expect(errors(validatePush(input))).toEqual(['body: must be a JSON object']);
  });

  it.each([
    ['missing', undefined],
    ['a word', 'two'],
    ['a fraction', 2.5],
    ['a fraction in text', '2.5'],
    ['null', null],
    ['a boolean', true],
    ['an object', { value: 2 }],
  ])('type %s', (_name, type) => {
    expect(errors(validatePush(authorizedPush({ type })))).toEqual([expect.stringMatching(/^type: /)]);
  });

  it.each([2, 3])('type %d without a phone', (type) => {
    expect(errors(validatePush(authorizedPush({ type, data: {} })))).toEqual(['data.phone: required for type 2 and 3']);
    expect(errors(validatePush(authorizedPush({ type, data: undefined })))).toEqual(['data.phone: required for type 2 and 3']);
    expect(errors(validatePush(authorizedPush({ type, data: [{ phone: '15312341234' }] })))).toEqual(['data.phone: required for type 2 and 3']);
  });

  it.each([['153-1234-123a'], ['12345'], ['phone'], [''], ['86+15312341234'], [true]])('type 2 with a phone that is no phone in any form %p', (phone) => {
    expect(errors(validatePush(authorizedPush({ data: { phone } })))).toEqual([expect.stringMatching(/^data\.phone: must be a phone number/)]);
  });

  it.each(['data_tag', 'account_id', 'member_id', 'device_sn'])('%s that is no id', (field) => {
    expect(errors(validatePush(authorizedPush({ [field]: { id: 1 } })))).toEqual([`${field}: must be a string or a number`]);
    expect(errors(validatePush(authorizedPush({ [field]: [1] })))).toEqual([`${field}: must be a string or a number`]);
    expect(errors(validatePush(authorizedPush({ [field]: true })))).toEqual([`${field}: must be a string or a number`]);
  });

  it('ids longer than 1,024 characters', () => {
    expect(errors(validatePush(authorizedPush({ account_id: 'x'.repeat(1025) })))).toEqual(['account_id: must be at most 1024 characters']);
  });

  it.each([
    ['__proto__ at the top', '{"__proto__":{"polluted":true}}', 'body.__proto__'],
    ['__proto__ in data', '{"data":{"phone":"15312341234","__proto__":{"polluted":true}}}', 'body.data.__proto__'],
    ['constructor in user_info', '{"user_info":{"constructor":{"prototype":{"polluted":true}}}}', 'body.user_info.constructor'],
    ['prototype deep in an array', '{"data":{"phone":"15312341234","list":[{"a":{"prototype":1}}]}}', 'body.data.list[0].a.prototype'],
  ])('refuses %s', (_name, json, path) => {
    const base = JSON.stringify(authorizedPush()).slice(0, -1);
    // Parsed from JSON text: JSON.parse makes `__proto__` a real own key, as a receiver would see it.
    const input = JSON.parse(`${base},${json.slice(1)}`);
    expect(Object.keys(input)).toContain(json.slice(2, json.indexOf('"', 2)));
    const list = errors(validatePush(input));
    expect(list).toContain(`${path}: key is not allowed`);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('refuses absurdly deep nesting', () => {
    let nested: unknown = {};
    for (let i = 0; i < 40; i++) nested = { a: nested };
    expect(errors(validatePush(authorizedPush({ user_info: nested })))).toEqual([expect.stringMatching(/nested too deeply/)]);
  });

  it('reports every problem at once', () => {
    const list = errors(validatePush({ type: 'two', data_tag: {}, account_id: [], create_time: 'yesterday' }));
    expect(list).toEqual([expect.stringMatching(/^type: /), 'data_tag: must be a string or a number', 'account_id: must be a string or a number']);
  });

  it('refuses an invalid configured offset loudly', () => {
    expect(() => validatePush(authorizedPush(), { timeZone: 'Asia/Shanghai' })).toThrow(RangeError);
  });
});

describe('validatePush and the NUL character', () => {
  it.each([
    ['a value deep in data', { data: { data_type: 2, remark: 'a\u0000b', measure_result: { note: 'x' } } }, 'body.data.remark'],
    ['data_tag', { data_tag: 'tag\u0000' }, 'body.data_tag'],
    ['a key', { user_info: { ['k\u0000']: 1 } }, 'body.user_info'],
    ['an array item', { data: { list: ['ok', 'no\u0000'] } }, 'body.data.list[1]'],
  ])('refuses it in %s (PostgreSQL cannot store it), naming where', (_, overrides, where) => {
    const result = validatePush({
      type: 1,
      data_tag: 't',
      account_id: 'OA==|MTEx',
      create_time: '2022-12-29 16:33:40',
      data: { data_type: 2 },
      ...overrides,
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.join('; ')).toContain(where);
    expect(!result.ok && result.errors.join('; ')).toContain('NUL');
  });

  it.each([
    ['a lone low surrogate in data', { data: { data_type: 2, remark: 'a\udc00b' } }, 'body.data.remark: must be well-formed Unicode'],
    ['a lone high surrogate at the end of a key', { user_info: { ['k\ud83d']: 1 } }, 'body.user_info: a key must be well-formed Unicode'],
  ])('refuses %s (PostgreSQL cannot store it), naming where', (_, overrides, message) => {
    const result = validatePush({ type: 1, data_tag: 't', create_time: '2022-12-29 16:33:40', data: { data_type: 2 }, ...overrides });
    expect(!result.ok && result.errors.join('; ')).toContain(message);
  });

  it('accepts well-formed text outside the basic plane (a surrogate pair)', () => {
    expect(validatePush({ type: 1, data_tag: 't', create_time: '2022-12-29 16:33:40', data: { data_type: 2, remark: 'ok 😀' } }).ok).toBe(true);
  });
});

describe('validatePush: times', () => {
  const at = (overrides: Record<string, unknown>) => valid(validatePush(authorizedPush(overrides)));
  const instant = new Date('2023-09-14T07:25:39.000Z');

  it.each([
    ['epoch milliseconds in a string (the ViHealth guide)', '1694676339000'],
    ['epoch milliseconds as a JSON number', 1694676339000],
    ['epoch seconds in a string', '1694676339'],
    ['epoch seconds as a JSON number', 1694676339],
    ['ISO 8601 in UTC', '2023-09-14T07:25:39Z'],
    ['ISO 8601 with an offset', '2023-09-14T15:25:39+08:00'],
    ['ISO 8601 with a compact offset', '2023-09-14T15:25:39+0800'],
    ['ISO 8601 with microseconds', '2023-09-14T07:25:39.000000Z'],
    ['zone-less text, read in +08:00', '2023-09-14 15:25:39'],
    ['zone-less text with slashes', '2023/09/14 15:25:39'],
  ])('%s', (_name, value) => {
    expect(at({ create_time: value, update_time: value })).toMatchObject({ createTime: instant, updateTime: instant });
  });

  it.each([
    ['a zero date', '0000-00-00 00:00:00'],
    ['an impossible date', '2022-02-30 10:00:00'],
    ['a word', 'yesterday'],
    ['a date alone', '2022-12-29'],
    ['zero', 0],
    ['zero in text', '0'],
    ['an object', { at: 1 }],
  ])('%s in one field is read as absent when the other is usable', (_name, value) => {
    const push = at({ create_time: value });
    expect(push.createTime).toBeNull();
    expect(push.updateTime).toEqual(new Date('2022-12-29T08:33:40.000Z'));
    expect(push.raw['create_time']).toEqual(value);
  });

  it('a push with no usable time at all is still a push', () => {
    const push = at({ create_time: '0000-00-00 00:00:00', update_time: undefined });
    expect(push).toMatchObject({ createTime: null, updateTime: null });
  });
});

describe('pushOrdering', () => {
  const received = new Date('2022-12-29T08:34:00.000Z');
  const tenMinutes = 10 * 60_000;
  const times = (updateTime: Date | null, type: number | null = PushType.UserCancelled) => ({ createTime: null, updateTime, type });

  it('orders by the source time when there is one', () => {
    const source = new Date('2022-12-29T08:33:40.000Z');
    expect(pushOrdering(times(source, PushType.UserAuthorized), received)).toEqual({ at: source, orderAt: source, basis: PushTimeBasis.Source });
  });

  it('orders a withdrawal with no usable source time by its received time', () => {
    expect(pushOrdering(times(null), received)).toEqual({ at: received, orderAt: received, basis: PushTimeBasis.ReceivedNoSourceTime });
  });

  it('believes a source time ahead by at most the allowed skew, not one further ahead', () => {
    const justInside = new Date(received.getTime() + tenMinutes);
    expect(pushOrdering(times(justInside), received, tenMinutes)).toMatchObject({ at: justInside, basis: PushTimeBasis.Source });
    const beyond = new Date(received.getTime() + tenMinutes + 1);
    expect(pushOrdering(times(beyond), received, tenMinutes)).toEqual({ at: received, orderAt: received, basis: PushTimeBasis.ReceivedSourceTimeAhead });
    expect(pushOrdering(times(new Date('9999-12-31T15:59:59Z')), received)).toMatchObject({ at: received, basis: PushTimeBasis.ReceivedSourceTimeAhead });
  });

  it('orders a grant whose time is not believed as early as the allowed skew lets it be: doubt goes to the withdrawal', () => {
    const earliest = new Date(received.getTime() - tenMinutes);
    expect(pushOrdering(times(new Date('9999-12-31T15:59:59Z'), PushType.UserAuthorized), received, tenMinutes)).toEqual({
      at: received,
      orderAt: earliest,
      basis: PushTimeBasis.ReceivedSourceTimeAhead,
    });
    expect(pushOrdering(times(null, PushType.UserAuthorized), received, tenMinutes)).toEqual({ at: received, orderAt: earliest, basis: PushTimeBasis.ReceivedNoSourceTime });
  });
});

describe('topLevelNumberTexts', () => {
  it('finds the source text of top-level numbers only, the last of a repeated key winning', () => {
    const json = '{"a": 12345678901234567890, "s": "x\\"y", "n": {"a": 1}, "l": [1, 2], "e": -1.5e3, "a": 99999999999999999999}';
    expect(Object.fromEntries(topLevelNumberTexts(json))).toEqual({ a: '99999999999999999999', e: '-1.5e3' });
  });
});
