import { PushType, validatePush } from './lib/push';
import { testMeasurementPush, testPush, TEST_PUSH_DEFAULTS } from './testing';

describe('the test push factory', () => {
  it('makes a type-2 push that the receiver accepts as Viatom\'s, with a new data_tag each call', () => {
    const [a, b] = [testPush(), testPush()];
    expect(a.data_tag).not.toBe(b.data_tag);
    const result = validatePush(a);
    if (!result.ok) throw new Error(result.errors.join('; '));
    expect(result.push).toMatchObject({ type: PushType.UserAuthorized, phone: TEST_PUSH_DEFAULTS.phone, accountId: TEST_PUSH_DEFAULTS.accountId });
    expect(result.push.updateTime).toEqual(new Date('2022-12-29T08:33:40Z'));
  });

  it('takes the phone and time shortcuts, and any field given replaces its default', () => {
    const push = testPush({ phone: '13800000000', time: '2025-01-02 03:04:05', type: PushType.UserCancelled, update_time: '2025-01-02 03:04:06' });
    expect(push).toMatchObject({ type: 3, data: { phone: '13800000000' }, create_time: '2025-01-02 03:04:05', update_time: '2025-01-02 03:04:06' });
    expect(testPush({ data: { other: 1 }, phone: 'ignored' }).data).toEqual({ other: 1 });
  });

  it('makes a measurement push that validates, with its reading and time', () => {
    const result = validatePush(testMeasurementPush({ dataType: 3, result: { sys: 120, dia: 80 }, time: '2025-06-01 08:30:00' }));
    if (!result.ok) throw new Error(result.errors.join('; '));
    expect(result.push).toMatchObject({ type: PushType.Measurement, dataType: 3, measurementData: { data_type: 3, measure_result: { sys: 120, dia: 80 } } });
    expect(result.push.measuredAt).toEqual(new Date('2025-06-01T00:30:00Z'));
  });
});
