import { parseDateParams } from './dates';
import { FhirSearchError } from './errors';

const iso = (range: { from?: Date; to?: Date }) => ({ from: range.from?.toISOString(), to: range.to?.toISOString() });

describe('parseDateParams', () => {
  it('reads nothing as no bound', () => {
    expect(parseDateParams(undefined)).toEqual({});
    expect(parseDateParams([])).toEqual({});
  });

  it.each([
    ['2024', '2024-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z'],
    ['eq2024-02', '2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z'],
    ['2024-12', '2024-12-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z', '2024-03-01T00:00:00.000Z'],
    ['2024-02-29T10:15+08:00', '2024-02-29T02:15:00.000Z', '2024-02-29T02:16:00.000Z'],
    ['2024-02-29T10:15:30Z', '2024-02-29T10:15:30.000Z', '2024-02-29T10:15:31.000Z'],
    ['2024-02-29T10:15:30.5-05:30', '2024-02-29T15:45:30.500Z', '2024-02-29T15:45:30.600Z'],
    ['2024-02-29T10:15:30.123456Z', '2024-02-29T10:15:30.123Z', '2024-02-29T10:15:30.124Z'],
    ['0099', '0099-01-01T00:00:00.000Z', '0100-01-01T00:00:00.000Z'],
  ])('reads %s (eq) as its whole period', (value, from, to) => {
    expect(iso(parseDateParams(value))).toEqual({ from, to });
  });

  it.each([
    ['ge2024-03', { from: '2024-03-01T00:00:00.000Z' }],
    ['gt2024-03', { from: '2024-04-01T00:00:00.000Z' }],
    ['le2024-03', { to: '2024-04-01T00:00:00.000Z' }],
    ['lt2024-03', { to: '2024-03-01T00:00:00.000Z' }],
    ['gt2024-03-01T08:00:00Z', { from: '2024-03-01T08:00:01.000Z' }],
    ['le2024-03-01T08:00:00Z', { to: '2024-03-01T08:00:01.000Z' }],
  ])('reads %s against its whole period', (value, expected) => {
    expect(iso(parseDateParams(value))).toEqual({ from: undefined, to: undefined, ...expected });
  });

  it('combines repeated parameters (AND) into the narrowest range', () => {
    expect(iso(parseDateParams(['ge2024', 'lt2024-07', 'gt2024-01-15', 'le2024-12']))).toEqual({
      from: '2024-01-16T00:00:00.000Z',
      to: '2024-07-01T00:00:00.000Z',
    });
  });

  it('gives an empty range for parameters nothing can match', () => {
    const { from, to } = parseDateParams(['ge2025', 'lt2024']);
    expect(from && to && from >= to).toBe(true);
  });

  it('refuses a dateTime without a zone, naming it', () => {
    expect(() => parseDateParams('ge2024-03-01T08:00:00')).toThrow(FhirSearchError);
    expect(() => parseDateParams('ge2024-03-01T08:00:00')).toThrow(/"ge2024-03-01T08:00:00".*time zone/);
  });

  it.each(['ne2024', 'sa2024', 'eb2024', 'ap2024'])('refuses the unsupported prefix of %s', (value) => {
    expect(() => parseDateParams(value)).toThrow(new RegExp(`"${value}".*prefix "${value.slice(0, 2)}"`));
  });

  it.each([
    '',
    'today',
    'xx2024',
    'GE2024',
    '24',
    '2024-1',
    '2024-13',
    '2024-00',
    '2023-02-29',
    '2024-04-31',
    '0000',
    '2024-01-01T24:00Z',
    '2024-01-01T10:60Z',
    '2024-01-01T10:00:61Z',
    '2024-01-01T10Z',
    '2024-01-01T10:00+15:00',
    '2024-01-01T10:00+08:60',
    '2024-01-01 10:00Z',
    '2024-01-01,2024-02-01',
    ' 2024',
  ])('refuses %p, naming it', (value) => {
    expect(() => parseDateParams(value)).toThrow(FhirSearchError);
    if (value !== '') expect(() => parseDateParams(value)).toThrow(value);
  });

  it('refuses a repeat that is not text', () => {
    expect(() => parseDateParams([{ ge: '2024' }] as unknown as string[])).toThrow(FhirSearchError);
  });
});
