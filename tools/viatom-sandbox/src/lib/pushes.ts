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
/** Epoch milliseconds as the ViHealth guide writes them (`"1694676339000"`): 13 digits. */
const EPOCH_MS_TIME = /^\d{13}$/;

/**
 * The two forms Viatom writes times in: `datetime` is the health-archive document's
 * `YYYY-MM-DD HH:mm:ss` (no zone), `epoch-ms` the ViHealth guide's epoch milliseconds as a string.
 */
export type ViatomTimeFormat = 'datetime' | 'epoch-ms';
export const VIATOM_TIME_FORMATS: readonly ViatomTimeFormat[] = ['datetime', 'epoch-ms'];

/**
 * An instant written in one of Viatom's forms. Epoch milliseconds are cut to the whole second,
 * as in the guide's examples, so that both forms of one instant name the same second.
 */
export function writeViatomTime(instant: Date, format: ViatomTimeFormat, timeZone: string): string {
  return format === 'epoch-ms' ? String(Math.floor(instant.getTime() / 1000) * 1000) : formatViatomTime(instant, timeZone);
}

/**
 * A time as Viatom writes it. Given in one of Viatom's own forms ("YYYY-MM-DD HH:mm:ss" or
 * 13-digit epoch milliseconds), it is used verbatim whatever `format` says: an explicit input
 * wins. An ISO instant is written in `format` (in the time zone for `datetime`); absent is
 * `fallback` (default now) in `format`. Null when it is none of these.
 */
export function resolveViatomTime(
  value: unknown,
  timeZone: string,
  fallback: Date = new Date(),
  format: ViatomTimeFormat = 'datetime',
): string | null {
  if (value === undefined || value === null || value === '') return writeViatomTime(fallback, format, timeZone);
  if (typeof value !== 'string') return null;
  if (VIATOM_TIME.test(value) || EPOCH_MS_TIME.test(value)) return value;
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value)) return null;
  const instant = new Date(value);
  return Number.isNaN(instant.getTime()) ? null : writeViatomTime(instant, format, timeZone);
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

/** One quantity as the ViHealth guide writes it; `value: null` is "not measured". */
const quantity = (value: number | null, unit: string) => ({ value, unit });

/** The object storage Viatom's file URLs point at (a stand-in host: nothing is served there). */
export const SAMPLE_FILE_HOST = 'https://viatom-oss.example.com';

/** A file URL per recording, named after the device and the measure time as object-storage keys are. */
function sampleFileUrl(folder: string, dataType: number, measureTime: string, extension: 'dat' | 'pdf'): string {
  const stamp = measureTime.replace(/\D/g, '') || 'sample';
  return `${SAMPLE_FILE_HOST}/${folder}/${sampleDeviceSn(dataType)}-${stamp}.${extension}`;
}

/** A night of 7 h as a list of stages in the order they came: deep 1.5 h, light 4 h, REM 1.25 h, awake 15 min. */
const SAMPLE_SLEEP_STAGES: ReadonlyArray<{ sleep_type: number; duration: number }> = [
  { sleep_type: 1, duration: 1_800 },
  { sleep_type: 0, duration: 2_700 },
  { sleep_type: 1, duration: 5_400 },
  { sleep_type: 2, duration: 1_800 },
  { sleep_type: 0, duration: 2_700 },
  { sleep_type: 1, duration: 7_200 },
  { sleep_type: 2, duration: 2_700 },
  { sleep_type: 3, duration: 900 },
];

/** Blood pressure whose derived quantities agree with the measured ones (map ≈ dia + pulse pressure / 3). */
const SAMPLE_SBP = 122;
const SAMPLE_DIA = 80;

/**
 * `measure_result` per data type in the shapes of Viatom's ViHealth guide (shared/docs/viatom-protocol.md,
 * "Measurements"): each quantity `{ value, unit }` with the units as the guide writes them (`Cel`, `bpm`,
 * `mmol/l` for glucose but `mmol/L` for lipids), `''` for the dimensionless ones; codes (`type`,
 * `device_type`, `sleep_type`) bare numbers. The values are plausible and agree with one another. SpO2's
 * `o2_score` is `value: null`: a one-minute spot check has no overnight oxygen score, so "not measured" is
 * exercised by every SpO2 sample. Sleep stages carry bare seconds, which the product's decoder reads.
 * `measureTime` only names the recording files.
 */
export function sampleMeasureResult(dataType: number, measureTime: string): Record<string, unknown> {
  switch (dataType) {
    case MeasurementDataType.Temperature:
      return { type: 1, temperature: quantity(36.6, 'Cel') };
    case MeasurementDataType.SpO2:
      return {
        type: 1,
        duration: quantity(60, 's'),
        spo2: quantity(98, '%'),
        pr: quantity(72, 'bpm'),
        '90_duration': quantity(0, 's'),
        drops: quantity(0, ''),
        spo2_min: quantity(96, '%'),
        o2_score: quantity(null, ''),
        file_url: sampleFileUrl('spo2', dataType, measureTime, 'dat'),
      };
    case MeasurementDataType.BloodPressure:
      return {
        sbp: quantity(SAMPLE_SBP, 'mmHg'),
        dia: quantity(SAMPLE_DIA, 'mmHg'),
        pulse_pressure: quantity(SAMPLE_SBP - SAMPLE_DIA, 'mmHg'),
        map: quantity(Math.round(SAMPLE_DIA + (SAMPLE_SBP - SAMPLE_DIA) / 3), 'mmHg'),
        pr: quantity(68, 'bpm'),
      };
    case MeasurementDataType.BloodGlucose:
      return { type: 0, blood_gucose: quantity(5.4, 'mmol/l') };
    case MeasurementDataType.Ecg:
      return {
        duration: quantity(30, 's'),
        file_url: sampleFileUrl('ecg', dataType, measureTime, 'dat'),
        hr: quantity(75, 'bpm'),
        // The guide gives no list of diagnosis codes: 0 stands beside its example finding, sinus rhythm.
        ai_diagnose: { code: 0, diagnose_info: '窦性心律', report_file_url: sampleFileUrl('ecg', dataType, measureTime, 'pdf') },
      };
    case MeasurementDataType.HeartRate:
      return { type: 0, hr: quantity(72, 'bpm') };
    case MeasurementDataType.Sleep:
      return {
        duration: quantity(SAMPLE_SLEEP_STAGES.reduce((total, stage) => total + stage.duration, 0), 's'),
        sleep: SAMPLE_SLEEP_STAGES.map((stage) => ({ ...stage })),
      };
    case MeasurementDataType.Cholesterol:
      // Friedewald agrees: ldl ≈ chol - hdl - trig / 2.2; chol_hdl = chol / hdl.
      return {
        chol: quantity(4.9, 'mmol/L'),
        trig: quantity(1.3, 'mmol/L'),
        hdl: quantity(1.4, 'mmol/L'),
        ldl: quantity(2.9, 'mmol/L'),
        chol_hdl: quantity(3.5, ''),
      };
    case MeasurementDataType.Weight:
      // 65.2 kg at 1.70 m: BMI 22.6.
      return { device_type: 1, weight: quantity(65.2, 'kg'), bfp: quantity(22.5, '%'), bmi: quantity(22.6, '') };
    case MeasurementDataType.FetalHeartRate:
      // `times` is undocumented beyond its name: a count, written here as one.
      return {
        min_hr: quantity(128, 'bpm'),
        avg_hr: quantity(140, 'bpm'),
        max_hr: quantity(152, 'bpm'),
        times: quantity(1, ''),
        duration: quantity(600, 's'),
      };
    default:
      return {};
  }
}

/**
 * The samples scenario's time form per data type. The health-archive document writes
 * `YYYY-MM-DD HH:mm:ss`, the ViHealth guide epoch milliseconds in strings, and nothing says which
 * a type-1 push uses: so every run of the scenario sends both, alternating down the list of data
 * types (SpO2, glucose, heart rate, cholesterol and fetal heart rate in epoch milliseconds; the
 * others, temperature, blood pressure, ECG, sleep and weight, in `YYYY-MM-DD HH:mm:ss`), each form
 * covering kinds with and without recording files. The form applies to `measure_time`,
 * `create_time` and `update_time` alike.
 */
export function sampleTimeFormat(dataType: number): ViatomTimeFormat {
  return MEASUREMENT_DATA_TYPES.indexOf(dataType) % 2 === 1 ? 'epoch-ms' : 'datetime';
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
