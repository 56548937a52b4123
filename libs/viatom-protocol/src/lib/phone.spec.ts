import { maskPhone, normalizePhone, PHONE_PATTERN } from './phone';

describe('normalizePhone', () => {
  it.each([
    ['15312341234', '15312341234'],
    ['  15312341234\n', '15312341234'],
    ['+8615312341234', '15312341234'],
    ['+86 153 1234 1234', '15312341234'],
    ['008615312341234', '15312341234'],
    ['8615312341234', '15312341234'],
    ['153-1234-1234', '15312341234'],
    ['153 1234 1234', '15312341234'],
    ['153.1234.1234', '15312341234'],
    ['(+86) 153-1234-1234', '15312341234'],
    ['１５３１２３４１２３４', '15312341234'],
    ['＋８６ １５３ １２３４ １２３４', '15312341234'],
    ['153\u30001234\u30001234', '15312341234'],
    [15312341234, '15312341234'],
    ['+4915112345678', '+4915112345678'],
    ['+86 10 1234 5678', '+861012345678'],
    ['861234567', '861234567'],
    ['123456', '123456'],
    ['1'.repeat(20), '1'.repeat(20)],
  ])('reads %p as %p', (input, expected) => {
    expect(normalizePhone(input)).toBe(expected);
  });

  it.each([
    ['too short', '12345'],
    ['too long', '1'.repeat(21)],
    ['a plus inside', '86+15312341234'],
    ['two pluses', '++8615312341234'],
    ['letters', '1531234123a'],
    ['empty', ''],
    ['separators alone', ' - . '],
    ['a fraction', 153.5],
    ['a negative number', -15312341234],
    ['null', null],
    ['undefined', undefined],
    ['an object', { phone: '15312341234' }],
  ])('refuses %s', (_name, input) => {
    expect(normalizePhone(input)).toBeNull();
  });

  it('gives every written form of one number the same canonical form', () => {
    const forms = ['15312341234', '+8615312341234', '0086 153 1234 1234', '153-1234-1234', '１５３１２３４１２３４', '(86)153.1234.1234'];
    expect(new Set(forms.map((form) => normalizePhone(form)))).toEqual(new Set(['15312341234']));
  });

  it('its canonical forms agree with PHONE_PATTERN', () => {
    expect(PHONE_PATTERN.test('+123456')).toBe(true);
    expect(PHONE_PATTERN.test('+12345')).toBe(false);
  });
});

describe('maskPhone', () => {
  it('keeps the first three and last four digits of a mobile number', () => {
    expect(maskPhone('15312341234')).toBe('153****1234');
    expect(maskPhone(' 15312341234 ')).toBe('153****1234');
    expect(maskPhone('+8615312341234')).toBe('+861****1234');
  });

  it('is empty for nothing', () => {
    expect(maskPhone('')).toBe('');
    expect(maskPhone(null)).toBe('');
    expect(maskPhone(undefined)).toBe('');
  });

  it.each(['1', '12', '123', '1234', '12345', '123456', '1234567', '12345678', '123456789', '1234567890'])(
    'never reveals more than half of the short number %s',
    (phone) => {
      const masked = maskPhone(phone);
      const shown = masked.replace(/\*/g, '').length;
      expect(shown).toBeLessThanOrEqual(phone.length / 2);
      expect(masked).toContain('****');
      expect(masked).not.toContain(phone);
    },
  );

  it('never shows a short number whole, with or without "+"', () => {
    for (const phone of ['+123456', '+1234567890']) {
      const masked = maskPhone(phone);
      expect(masked.startsWith('+')).toBe(true);
      expect(masked.slice(1).replace(/\*/g, '').length).toBeLessThanOrEqual((phone.length - 1) / 2);
    }
  });

  it('long numbers keep only 3 + 4 digits', () => {
    const masked = maskPhone('12345678901234567890');
    expect(masked).toBe('123****7890');
  });
});
