/**
 * Test support: pushes as Viatom sends them, for the tests of every project (the receiver's,
 * the archive's, the sandbox's). Reached as `@health-bridge/viatom-protocol/testing`; not part
 * of the runtime API. Like the rest of this lib it does no I/O.
 */
import { MeasurementDataType, PushType } from './lib/push';
import type { ViatomPushWire } from './lib/wire';

/** What a test push says unless told otherwise: the example push of Viatom's documentation and the README. */
export const TEST_PUSH_DEFAULTS = {
  phone: '15312341234',
  accountId: 'OA==|MTEx',
  memberId: 'OA==|LTE=',
  /** Viatom's wall-clock time (no zone on the wire: +08:00 by default). */
  time: '2022-12-29 16:33:40',
} as const;

/** Fields of the push, each replacing its default, and two shortcuts. */
export type TestPushOverrides = Partial<ViatomPushWire> & {
  /** `data.phone` of the default `data` (a `data` given replaces the whole object, phone included). */
  phone?: string;
  /** `create_time` and `update_time`, unless given themselves. */
  time?: string;
};

let sequence = 0;

/** A `data_tag` no other one of this process has been, and unlikely to be any other process's: a push stored once is never a repeat by accident. */
export function testDataTag(prefix = 'test'): string {
  return `${prefix}-${++sequence}-${Math.random().toString(16).slice(2, 10)}`;
}

/**
 * A type-2 push ("user authorized") as Viatom sends it, snake_case, every field present, with a
 * fresh `data_tag` each call: for 15312341234 at 2022-12-29 16:33:40 unless told otherwise.
 * A test that must send what Viatom never would (a `type` that is no integer…) spreads over it:
 * `{ ...testPush(), type: 'two' }`.
 */
export function testPush(overrides: TestPushOverrides = {}): ViatomPushWire {
  const { phone = TEST_PUSH_DEFAULTS.phone, time = TEST_PUSH_DEFAULTS.time, ...fields } = overrides;
  return {
    type: PushType.UserAuthorized,
    data_tag: testDataTag(),
    account_id: TEST_PUSH_DEFAULTS.accountId,
    member_id: TEST_PUSH_DEFAULTS.memberId,
    device_sn: '',
    data: { phone },
    user_info: {},
    create_time: time,
    update_time: time,
    ...fields,
  };
}

/** Fields of the measurement push, each replacing its default, and shortcuts into its `data`. */
export type TestMeasurementPushOverrides = Omit<TestPushOverrides, 'phone'> & {
  /** `data.data_type` (default SpO2). */
  dataType?: number;
  /** `data.measure_result` (default an SpO2 reading). */
  result?: Record<string, unknown>;
  /** `data.measure_time`, `create_time` and `update_time`, unless given themselves. */
  time?: string;
};

/**
 * A type-1 push (a measurement) as Viatom sends it, with a fresh `data_tag` each call: an SpO2
 * reading of the default account (the one testPush's default phone authorizes) unless told
 * otherwise. Like Viatom's, its `data` names the account, not the phone.
 */
export function testMeasurementPush(overrides: TestMeasurementPushOverrides = {}): ViatomPushWire {
  const { dataType = MeasurementDataType.SpO2, result = { spo2: 98, pr: 72 }, time = TEST_PUSH_DEFAULTS.time, ...fields } = overrides;
  return testPush({
    type: PushType.Measurement,
    device_sn: 'SN0001',
    data: { data_type: dataType, measure_time: time, measure_result: result },
    time,
    ...fields,
  });
}
