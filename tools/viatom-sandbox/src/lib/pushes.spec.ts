import { parseFault } from './faults';
import { newSign } from './open-api';
import { redactUrl } from './push-sender';
import {
  accountIdForPhone,
  DEFAULT_MEMBER_ID,
  MEASUREMENT_DATA_TYPES,
  measurementPush,
  resolveViatomTime,
  sampleMeasureResult,
} from './pushes';

describe('newSign', () => {
  it('is standard base64 that always holds "+", "/" and "=", and differs each time', () => {
    const signs = Array.from({ length: 200 }, newSign);
    for (const sign of signs) {
      expect(sign).toMatch(/^[A-Za-z0-9+/]{26}==$/);
      expect(sign).toContain('+');
      expect(sign).toContain('/');
      expect(Buffer.from(sign, 'base64').toString('base64')).toBe(sign);
    }
    expect(new Set(signs).size).toBe(signs.length);
  });
});

describe('ids', () => {
  it('account ids look like Viatom\'s and are stable per phone', () => {
    const id = accountIdForPhone('15312341234');
    expect(id).toBe(accountIdForPhone('15312341234'));
    expect(id).not.toBe(accountIdForPhone('15312341235'));
    const [left, right] = id.split('|').map((part) => Buffer.from(part, 'base64').toString());
    expect(left).toBe('8');
    expect(Number(right)).toBeGreaterThanOrEqual(100_000);
    expect(DEFAULT_MEMBER_ID).toBe('OA==|LTE=');
  });
});

describe('resolveViatomTime', () => {
  it('keeps Viatom times, writes ISO instants in the zone, defaults to now', () => {
    expect(resolveViatomTime('2022-12-29 16:33:40', '+08:00')).toBe('2022-12-29 16:33:40');
    expect(resolveViatomTime('2022-12-29T08:33:40Z', '+08:00')).toBe('2022-12-29 16:33:40');
    expect(resolveViatomTime('2022-12-29T08:33:40Z', '-05:00')).toBe('2022-12-29 03:33:40');
    expect(resolveViatomTime(undefined, 'Z', new Date('2024-01-02T03:04:05Z'))).toBe('2024-01-02 03:04:05');
    expect(resolveViatomTime('yesterday', '+08:00')).toBeNull();
    expect(resolveViatomTime(12, '+08:00')).toBeNull();
  });
});

describe('measurements', () => {
  it.each(MEASUREMENT_DATA_TYPES)('data type %d has sample values', (dataType) => {
    expect(Object.keys(sampleMeasureResult(dataType, '2024-01-01 08:00:00')).length).toBeGreaterThan(0);
    const push = measurementPush({ accountId: 'a', dataType, measureTime: '2024-01-01 08:00:00', time: '2024-01-01 08:05:00' });
    expect(push).toMatchObject({ type: 1, data: { data_type: dataType, measure_time: '2024-01-01 08:00:00', remark: '' } });
  });
});

describe('parseFault', () => {
  it('normalises endpoints and drops false flags', () => {
    expect(parseFault({ errorCode: 109999, endpoints: ['/api/v1/open/auth/cancel', 'cancel'], nonJson: false })).toEqual({
      ok: true,
      fault: { errorCode: 109999, endpoints: ['cancel'] },
    });
  });

  it.each([
    [null],
    [[]],
    [{}],
    [{ latencyMs: -1 }],
    [{ latencyMs: 1.5 }],
    [{ httpStatus: 700 }],
    [{ errorMessage: 'x' }],
    [{ dropConnection: true, httpStatus: 500 }],
    [{ nonJson: 'yes' }],
    [{ endpoints: [] }],
  ])('refuses %j', (input) => {
    expect(parseFault(input).ok).toBe(false);
  });
});

describe('redactUrl', () => {
  it('hides query values and passwords', () => {
    expect(redactUrl('http://u:p@host/x?token=abc&a=1')).toBe('http://u:***@host/x?token=***&a=***');
    expect(redactUrl(null)).toBeNull();
  });
});
