import { pushSourceTime, PushType, validatePush, type PushValidationResult, type ViatomPush } from './push';

/** Viatom's own example of a type-2 push. */
function authorizedPush(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 2,
    data_tag: '7a4569155dc60bcb36189490bf90dcfc',
    account_id: 'OA==|MTEx',
    member_id: 'OA==|LTE=',
    device_sn: '',
    data: { phone: '15312341234' },
    user_info: {},
    create_time: '2022-12-29 16:33:40',
    update_time: '2022-12-29 16:33:40',
    ...overrides,
  };
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
      userInfo: {},
      createTime: new Date('2022-12-29T08:33:40.000Z'),
      updateTime: new Date('2022-12-29T08:33:40.000Z'),
      dataType: null,
      measuredAt: null,
      raw: input,
    });
  });

  it('type 3, with a phone to trim', () => {
    const push = valid(validatePush(authorizedPush({ type: 3, data: { phone: ' +8615312341234 ' } })));
    expect(push.type).toBe(PushType.UserCancelled);
    expect(push.phone).toBe('+8615312341234');
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

  it('type 1: a bad measure_time or data_type is kept in data, not read', () => {
    const push = valid(validatePush(authorizedPush({ type: 1, data: { data_type: '2', measure_time: 'soon' } })));
    expect(push.dataType).toBeNull();
    expect(push.measuredAt).toBeNull();
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

  it.each([0, 4, 99])('an unknown type (%d) is a valid push', (type) => {
    const push = valid(validatePush(authorizedPush({ type, data: {} })));
    expect(push.type).toBe(type);
    expect(push.phone).toBeNull();
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
    ['a string', '2'],
    ['a fraction', 2.5],
    ['negative', -1],
    ['null', null],
  ])('type %s', (_name, type) => {
    expect(errors(validatePush(authorizedPush({ type })))).toEqual([expect.stringMatching(/^type: /)]);
  });

  it.each(['2022-02-30 10:00:00', 'yesterday', '2022-12-29', '29/12/2022 16:33:40', '2022-12-29 24:00:00'])(
    'a bad time: %s',
    (time) => {
      expect(errors(validatePush(authorizedPush({ create_time: time })))).toEqual([expect.stringMatching(/^create_time: /)]);
      expect(errors(validatePush(authorizedPush({ update_time: time })))).toEqual([expect.stringMatching(/^update_time: /)]);
    },
  );

  it('a time that is not a string', () => {
    expect(errors(validatePush(authorizedPush({ create_time: 1672302820000 })))).toEqual([
      expect.stringMatching(/^create_time: must be a string/),
    ]);
  });

  it('both times missing', () => {
    expect(errors(validatePush(authorizedPush({ create_time: undefined, update_time: undefined })))).toEqual([
      'create_time: required (or update_time)',
    ]);
    expect(errors(validatePush(authorizedPush({ create_time: null, update_time: null })))).toEqual([
      'create_time: required (or update_time)',
    ]);
  });

  it('both times empty strings count as missing', () => {
    expect(errors(validatePush(authorizedPush({ create_time: '', update_time: '' })))).toEqual([
      'create_time: required (or update_time)',
    ]);
    expect(errors(validatePush(authorizedPush({ create_time: '', update_time: undefined })))).toEqual([
      'create_time: required (or update_time)',
    ]);
  });

  it.each([2, 3])('type %d without a phone', (type) => {
    expect(errors(validatePush(authorizedPush({ type, data: {} })))).toEqual(['data.phone: required for type 2 and 3']);
    expect(errors(validatePush(authorizedPush({ type, data: undefined })))).toEqual(['data.phone: required for type 2 and 3']);
  });

  it.each([['153-1234-1234'], ['12345'], ['phone'], [15312341234], ['']])('type 2 with an invalid phone %p', (phone) => {
    expect(errors(validatePush(authorizedPush({ data: { phone } })))).toEqual([expect.stringMatching(/^data\.phone: must be a phone number/)]);
  });

  it.each(['data_tag', 'account_id', 'member_id', 'device_sn'])('%s not a string', (field) => {
    expect(errors(validatePush(authorizedPush({ [field]: 123 })))).toEqual([`${field}: must be a string`]);
    expect(errors(validatePush(authorizedPush({ [field]: { id: 1 } })))).toEqual([`${field}: must be a string`]);
  });

  it('ids longer than 256 characters', () => {
    expect(errors(validatePush(authorizedPush({ account_id: 'x'.repeat(257) })))).toEqual([
      'account_id: must be at most 256 characters',
    ]);
  });

  it.each([
    ['a string', 'phone=15312341234'],
    ['an array', [{ phone: '15312341234' }]],
    ['a number', 1],
  ])('data is %s', (_name, data) => {
    const list = errors(validatePush(authorizedPush({ type: 1, data })));
    expect(list).toEqual(['data: must be an object']);
  });

  it('user_info not an object', () => {
    expect(errors(validatePush(authorizedPush({ user_info: [] })))).toEqual(['user_info: must be an object']);
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
    const list = errors(
      validatePush({
        type: 'two',
        data_tag: 5,
        account_id: [],
        data: 'x',
        user_info: 7,
        create_time: 'yesterday',
        update_time: '2022-02-30 10:00:00',
      }),
    );
    expect(list).toEqual([
      expect.stringMatching(/^type: /),
      'data_tag: must be a string',
      'account_id: must be a string',
      'data: must be an object',
      'user_info: must be an object',
      expect.stringMatching(/^create_time: "yesterday"/),
      expect.stringMatching(/^update_time: "2022-02-30 10:00:00"/),
    ]);
  });

  it('reports a bad phone together with a bad time', () => {
    const list = errors(validatePush(authorizedPush({ data: { phone: 'x' }, create_time: 'never' })));
    expect(list).toHaveLength(2);
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
