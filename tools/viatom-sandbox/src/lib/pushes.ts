import { randomBytes } from 'node:crypto';
import { formatViatomTime, MeasurementDataType, PushType, type ViatomPushWire } from '@health-bridge/viatom-protocol';

/** The data types a measurement push may carry (Viatom's ViHealth guide). */
export const MEASUREMENT_DATA_TYPES: readonly number[] = [
  MeasurementDataType.Temperature,
  MeasurementDataType.SpO2,
  MeasurementDataType.BloodPressure,
  MeasurementDataType.BloodGlucose,
  MeasurementDataType.Ecg,
  MeasurementDataType.HeartRate,
  MeasurementDataType.Sleep,
  MeasurementDataType.Cholesterol,
  MeasurementDataType.Weight,
  MeasurementDataType.FetalHeartRate,
];

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** Viatom's ids look like two base64 parts joined by '|' (`OA==|MTEx` is `8|111`). */
const ID_PREFIX = b64('8');

/** `OA==|LTE=` (`8|-1`), the member id of Viatom's own example: the account holder. */
export const DEFAULT_MEMBER_ID = `${ID_PREFIX}|${b64('-1')}`;

/** A stable fake account id per phone: the same phone always gets the same id. */
export function accountIdForPhone(phone: string): string {
  let hash = 0x811c9dc5; // FNV-1a, 32 bits
  for (const char of phone) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `${ID_PREFIX}|${b64(String(100_000 + (hash % 900_000)))}`;
}

/** Viatom's data_tag: 32 random hex digits. */
export function randomDataTag(): string {
  return randomBytes(16).toString('hex');
}

const VIATOM_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/**
 * A time as Viatom writes it: "YYYY-MM-DD HH:mm:ss" given is used verbatim, an ISO
 * instant is written in the time zone, absent is now. Null when it is neither.
 */
export function resolveViatomTime(value: unknown, timeZone: string, fallback: Date = new Date()): string | null {
  if (value === undefined || value === null || value === '') return formatViatomTime(fallback, timeZone);
  if (typeof value !== 'string') return null;
  if (VIATOM_TIME.test(value)) return value;
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value)) return null;
  const instant = new Date(value);
  return Number.isNaN(instant.getTime()) ? null : formatViatomTime(instant, timeZone);
}

export interface BuildPushInput {
  type: number;
  dataTag?: string;
  accountId: string;
  memberId?: string;
  deviceSn?: string;
  data: Record<string, unknown>;
  /** Already in Viatom's format. */
  time: string;
}

/** A push shaped like Viatom's (field order as in its document). */
export function buildPush(input: BuildPushInput): ViatomPushWire {
  return {
    type: input.type,
    data_tag: input.dataTag ?? randomDataTag(),
    account_id: input.accountId,
    member_id: input.memberId ?? DEFAULT_MEMBER_ID,
    device_sn: input.deviceSn ?? '',
    data: input.data,
    user_info: {},
    create_time: input.time,
    update_time: input.time,
  };
}

export function statePush(
  type: PushType.UserAuthorized | PushType.UserCancelled,
  phone: string,
  time: string,
  dataTag?: string,
): ViatomPushWire {
  return buildPush({ type, dataTag, accountId: accountIdForPhone(phone), data: { phone }, time });
}

/** Plausible device serial numbers per data type (the sandbox's own invention). */
export function sampleDeviceSn(dataType: number): string {
  return `SBX${String(dataType).padStart(2, '0')}A0012345`;
}

/** Plausible `measure_result` values per data type (Viatom documents none for this platform). */
export function sampleMeasureResult(dataType: number, measureTime: string): Record<string, unknown> {
  switch (dataType) {
    case MeasurementDataType.Temperature:
      return { temp: 36.6, unit: '℃' };
    case MeasurementDataType.SpO2:
      return { spo2: 98, pr: 72, pi: 5.2 };
    case MeasurementDataType.BloodPressure:
      return { sys: 118, dia: 76, pr: 68, unit: 'mmHg' };
    case MeasurementDataType.BloodGlucose:
      return { glu: 5.4, unit: 'mmol/L', meal: 'fasting' };
    case MeasurementDataType.Ecg:
      return { hr: 75, duration: 30, qrs: 92, qt: 380, qtc: 412, result: 'Regular ECG rhythm' };
    case MeasurementDataType.HeartRate:
      return { hr: 72 };
    case MeasurementDataType.Sleep:
      return { start_time: measureTime, duration: 25_200, avg_spo2: 96, min_spo2: 91, odi: 2.1, avg_pr: 58 };
    case MeasurementDataType.Cholesterol:
      return { tc: 4.6, unit: 'mmol/L' };
    case MeasurementDataType.Weight:
      return { weight: 65.2, unit: 'kg', bmi: 22.6 };
    case MeasurementDataType.FetalHeartRate:
      return { fhr: 140 };
    default:
      return {};
  }
}

export interface MeasurementInput {
  phone?: string;
  accountId: string;
  dataType: number;
  measureTime: string;
  time: string;
  dataTag?: string;
  deviceSn?: string;
}

/** A type-1 push whose `data` has the shape of a ViHealth measurement record. */
export function measurementPush(input: MeasurementInput): ViatomPushWire {
  const data: Record<string, unknown> = {
    data_type: input.dataType,
    measure_time: input.measureTime,
    measure_result: sampleMeasureResult(input.dataType, input.measureTime),
    remark: '',
  };
  if (input.phone) data['phone'] = input.phone;
  return buildPush({
    type: PushType.Measurement,
    dataTag: input.dataTag,
    accountId: input.accountId,
    deviceSn: input.deviceSn ?? sampleDeviceSn(input.dataType),
    data,
    time: input.time,
  });
}
