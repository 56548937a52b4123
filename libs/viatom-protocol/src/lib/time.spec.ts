import { DEFAULT_VIATOM_TIME_ZONE, formatViatomTime, isValidUtcOffset, parseViatomTime, readViatomTime } from './time';

describe('parseViatomTime', () => {
  it('reads +08:00 by default', () => {
    expect(DEFAULT_VIATOM_TIME_ZONE).toBe('+08:00');
    expect(parseViatomTime('2022-12-29 16:33:40')?.toISOString()).toBe('2022-12-29T08:33:40.000Z');
  });

  it('crosses day, month and year boundaries', () => {
    expect(parseViatomTime('2023-01-01 07:59:59')?.toISOString()).toBe('2022-12-31T23:59:59.000Z');
    expect(parseViatomTime('2024-03-01 00:00:00')?.toISOString()).toBe('2024-02-29T16:00:00.000Z');
  });

  it.each([
    ['Z', '2022-12-29T16:33:40.000Z'],
    ['+00:00', '2022-12-29T16:33:40.000Z'],
    ['-05:00', '2022-12-29T21:33:40.000Z'],
    ['+05:45', '2022-12-29T10:48:40.000Z'],
    ['+14:00', '2022-12-29T02:33:40.000Z'],
  ])('reads other offsets (%s)', (offset, expected) => {
    expect(parseViatomTime('2022-12-29 16:33:40', offset)?.toISOString()).toBe(expected);
  });

  it('accepts a "T" separator, milliseconds and surrounding blanks', () => {
    expect(parseViatomTime('2022-12-29T16:33:40')?.toISOString()).toBe('2022-12-29T08:33:40.000Z');
    expect(parseViatomTime('2022-12-29 16:33:40.5')?.toISOString()).toBe('2022-12-29T08:33:40.500Z');
    expect(parseViatomTime('2022-12-29 16:33:40.123')?.toISOString()).toBe('2022-12-29T08:33:40.123Z');
    expect(parseViatomTime(' 2022-12-29 16:33:40 ')?.toISOString()).toBe('2022-12-29T08:33:40.000Z');
  });

  it.each([
    '2022-02-30 10:00:00',
    '2023-02-29 10:00:00',
    '2022-13-01 10:00:00',
    '2022-12-29 24:00:00',
    '2022-12-29 23:60:00',
    '2022-12-29 23:59:60',
    'yesterday',
    '',
    '2022-12-29',
    '2022-12-29 16:33',
    '2022-12-29 16:33:40+08:00',
    '2022-12-29T08:33:40Z',
    '2022/12/29 16:33:40',
    '1672302820',
  ])('refuses %p', (value) => {
    expect(parseViatomTime(value)).toBeNull();
  });

  it('accepts 29 February of a leap year', () => {
    expect(parseViatomTime('2024-02-29 12:00:00', 'Z')?.toISOString()).toBe('2024-02-29T12:00:00.000Z');
  });

  it.each(['Asia/Shanghai', '+8', '+08', '08:00', '+15:00', '+08:60', 'z'])('throws on the invalid offset %p', (offset) => {
    expect(() => parseViatomTime('2022-12-29 16:33:40', offset)).toThrow(RangeError);
  });
});

describe('isValidUtcOffset', () => {
  it('accepts Z and ±HH:MM', () => {
    for (const offset of ['Z', '+08:00', '-05:00', '+00:00', '-12:00', '+14:00']) expect(isValidUtcOffset(offset)).toBe(true);
    for (const offset of ['UTC', '+8', '0800', '+15:00', '']) expect(isValidUtcOffset(offset)).toBe(false);
  });
});

describe('formatViatomTime', () => {
  it('writes an instant the way Viatom does, in +08:00 by default', () => {
    expect(formatViatomTime(new Date('2022-12-29T08:33:40.789Z'))).toBe('2022-12-29 16:33:40');
    expect(formatViatomTime(new Date('2022-12-31T20:00:00Z'))).toBe('2023-01-01 04:00:00');
  });

  it('writes in other offsets', () => {
    const instant = new Date('2022-12-29T08:33:40Z');
    expect(formatViatomTime(instant, 'Z')).toBe('2022-12-29 08:33:40');
    expect(formatViatomTime(instant, '-05:00')).toBe('2022-12-29 03:33:40');
  });

  it('round-trips with parseViatomTime', () => {
    const instant = new Date('2025-06-30T23:59:59Z');
    for (const offset of ['+08:00', 'Z', '-03:30']) {
      expect(parseViatomTime(formatViatomTime(instant, offset), offset)).toEqual(instant);
    }
  });

  it('throws on an invalid offset instead of writing NaN', () => {
    expect(() => formatViatomTime(new Date(), 'Asia/Shanghai')).toThrow(RangeError);
  });
});

describe('readViatomTime: every form a sender may write', () => {
  const instant = '2023-09-14T07:25:39.000Z';
  it.each([
    ['1694676339000', instant],
    [1694676339000, instant],
    ['1694676339', instant],
    [1694676339, instant],
    ['1694676339.5', '2023-09-14T07:25:39.500Z'],
    [1694676339123.9, '2023-09-14T07:25:39.123Z'],
    ['2023-09-14 15:25:39', instant],
    ['2023-09-14T15:25:39', instant],
    ['2023/09/14 15:25:39', instant],
    ['2023-09-14 15:25:39.123456', '2023-09-14T07:25:39.123Z'],
    ['2023-09-14T07:25:39Z', instant],
    ['2023-09-14t07:25:39z', instant],
    ['2023-09-14T15:25:39+08:00', instant],
    ['2023-09-14T15:25:39+0800', instant],
    ['2023-09-14T15:25:39+08', instant],
    ['2023-09-14T02:25:39-05:00', instant],
    ['2023-09-14 15:25:39 +08:00', instant],
    [' 2023-09-14 15:25:39 ', instant],
    ['20230914152539', instant],
    [20230914152539, instant],
  ])('reads %p', (value, expected) => {
    expect(readViatomTime(value)?.toISOString()).toBe(expected);
  });

  it('reads zone-less text in the given offset, and a zone given in the text over it', () => {
    expect(readViatomTime('2023-09-14 07:25:39', 'Z')?.toISOString()).toBe(instant);
    expect(readViatomTime('2023-09-14T15:25:39+08:00', '-05:00')?.toISOString()).toBe(instant);
  });

  it.each([
    '0000-00-00 00:00:00',
    '0',
    0,
    -1694676339000,
    '2022-02-30 10:00:00',
    '2022-12-29 24:00:00',
    '2022-12-29T10:00:00+15:00',
    '2022-12-29T10:00:00+08:60',
    '1899-12-31 23:59:59',
    '10000-01-01 00:00:00',
    9e16,
    Number.NaN,
    '12345',
    '20221329163340',
    '123456789012345',
    'yesterday',
    '2022-12-29',
    '',
    null,
    undefined,
    true,
    { at: 1 },
  ])('reads %p as no time', (value) => {
    expect(readViatomTime(value)).toBeNull();
  });
});
