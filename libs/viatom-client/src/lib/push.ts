import { normalizePhone, PHONE_RULE } from './phone';
import { DEFAULT_VIATOM_TIME_ZONE, parseViatomTime } from './time';

/** What a push is about (the `type` field). */
export enum PushType {
  Measurement = 1,
  UserAuthorized = 2,
  UserCancelled = 3,
}

/** `data.data_type` of a measurement, as Viatom's ViHealth guide lists them. */
export enum MeasurementDataType {
  Temperature = 1,
  SpO2 = 2,
  BloodPressure = 3,
  BloodGlucose = 4,
  Ecg = 5,
  HeartRate = 6,
  Sleep = 7,
  Cholesterol = 9,
  Weight = 10,
  FetalHeartRate = 15,
}

/** A validated push, camelCase, times as UTC instants. `raw` is the message as received. */
export interface ViatomPush {
  type: number;
  /** Viatom's id of the message; '' when Viatom left it empty or absent. */
  dataTag: string;
  accountId: string;
  memberId: string;
  deviceSn: string;
  /** The user's phone: present on types 2 and 3, and on a measurement that carries one. */
  phone: string | null;
  data: Record<string, unknown>;
  userInfo: Record<string, unknown>;
  createTime: Date | null;
  updateTime: Date | null;
  /** For measurements: `data.data_type` when it is an integer that a 32-bit column holds. */
  dataType: number | null;
  /** For measurements: `data.measure_time` read in the push time zone, when present and valid. */
  measuredAt: Date | null;
  raw: Record<string, unknown>;
}

export type PushValidationResult = { ok: true; push: ViatomPush } | { ok: false; errors: string[] };

export interface PushValidationOptions {
  /** UTC offset in which Viatom's zone-less times are read; default `+08:00`. */
  timeZone?: string;
}

/** The largest `data_type` read: archives keep it in a 32-bit integer column. */
const MAX_DATA_TYPE = 2 ** 31 - 1;

/** Keys that must never be accepted from outside (prototype pollution). */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The first thing in the body that must not be stored: a prototype-pollution key, a NUL
 * character (U+0000) or a lone surrogate, which PostgreSQL cannot keep in text or JSON (a push
 * carrying one would otherwise fail at the insert and be resent forever).
 */
function findForbiddenKey(value: unknown, path: string, depth = 0): string | null {
  if (depth > 32) return `${path}: nested too deeply`;
  if (typeof value === 'string') {
    const problem = unstorableText(value);
    return problem ? `${path}: ${problem}` : null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findForbiddenKey(value[i], `${path}[${i}]`, depth + 1);
      if (found) return found;
    }
    return null;
  }
  if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) return `${path}.${key}: key is not allowed`;
      const badKey = unstorableText(key);
      if (badKey) return `${path}: a key ${badKey}`;
      const found = findForbiddenKey(value[key], `${path}.${key}`, depth + 1);
      if (found) return found;
    }
  }
  return null;
}

/** A half of a UTF-16 surrogate pair without its other half (`"\udc00"` in JSON). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Text PostgreSQL's JSON cannot hold: the NUL character, or a lone surrogate (not Unicode). */
function unstorableText(text: string): string | null {
  if (text.includes('\u0000')) return 'must not contain the NUL character (U+0000)';
  if (LONE_SURROGATE.test(text)) return 'must be well-formed Unicode (it holds a lone surrogate, such as \\udc00)';
  return null;
}

/**
 * Turns unknown JSON into a typed push, or the list of everything wrong with it.
 * Lenient where Viatom's document is silent (absent ids read as ''), strict where
 * this project depends on a field (type, times, the phone of types 2 and 3).
 * Unknown types are valid pushes: the receiver logs and acknowledges them.
 */
export function validatePush(input: unknown, options: PushValidationOptions = {}): PushValidationResult {
  const timeZone = options.timeZone ?? DEFAULT_VIATOM_TIME_ZONE;
  if (!isPlainObject(input)) {
    return { ok: false, errors: ['body: must be a JSON object'] };
  }
  const errors: string[] = [];
  const forbidden = findForbiddenKey(input, 'body');
  if (forbidden) errors.push(forbidden);

  const type = input['type'];
  if (typeof type !== 'number' || !Number.isSafeInteger(type) || type < 0) {
    errors.push('type: must be a non-negative integer (1 measurement, 2 authorized, 3 cancelled)');
  }

  const optionalString = (field: string): string => {
    const value = input[field];
    if (value === undefined || value === null) return '';
    if (typeof value !== 'string') {
      errors.push(`${field}: must be a string`);
      return '';
    }
    if (value.length > 256) errors.push(`${field}: must be at most 256 characters`);
    return value;
  };
  const dataTag = optionalString('data_tag').trim();
  const accountId = optionalString('account_id');
  const memberId = optionalString('member_id');
  const deviceSn = optionalString('device_sn');

  const optionalObject = (field: string): Record<string, unknown> => {
    const value = input[field];
    if (value === undefined || value === null) return {};
    if (!isPlainObject(value)) {
      errors.push(`${field}: must be an object`);
      return {};
    }
    return value;
  };
  const data = optionalObject('data');
  const userInfo = optionalObject('user_info');

  const time = (field: string): Date | null => {
    const value = input[field];
    if (value === undefined || value === null || value === '') return null;
    if (typeof value !== 'string') {
      errors.push(`${field}: must be a string "YYYY-MM-DD HH:mm:ss"`);
      return null;
    }
    const parsed = parseViatomTime(value, timeZone);
    if (!parsed) errors.push(`${field}: "${value.slice(0, 40)}" is not a valid time "YYYY-MM-DD HH:mm:ss"`);
    return parsed;
  };
  const createTime = time('create_time');
  const updateTime = time('update_time');
  const absent = (value: unknown) => value === undefined || value === null || value === '';
  if (absent(input['create_time']) && absent(input['update_time'])) {
    errors.push('create_time: required (or update_time)');
  }

  let phone: string | null = null;
  const rawPhone = data['phone'];
  if (type === PushType.UserAuthorized || type === PushType.UserCancelled) {
    phone = normalizePhone(rawPhone);
    if (rawPhone === undefined || rawPhone === null) errors.push('data.phone: required for type 2 and 3');
    else if (!phone) errors.push(`data.phone: must be a phone number (${PHONE_RULE})`);
  } else if (rawPhone !== undefined && rawPhone !== null) {
    phone = normalizePhone(rawPhone);
  }

  let dataType: number | null = null;
  let measuredAt: Date | null = null;
  if (type === PushType.Measurement) {
    const rawDataType = data['data_type'];
    if (typeof rawDataType === 'number' && Number.isInteger(rawDataType) && Math.abs(rawDataType) <= MAX_DATA_TYPE) dataType = rawDataType;
    const rawMeasureTime = data['measure_time'];
    if (typeof rawMeasureTime === 'string') measuredAt = parseViatomTime(rawMeasureTime, timeZone);
  }

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    push: {
      type: type as number,
      dataTag,
      accountId,
      memberId,
      deviceSn,
      phone,
      data,
      userInfo,
      createTime,
      updateTime,
      dataType,
      measuredAt,
      raw: input,
    },
  };
}

/** The time a push speaks for: update_time, else create_time. */
export function pushSourceTime(push: Pick<ViatomPush, 'createTime' | 'updateTime'>): Date | null {
  return push.updateTime ?? push.createTime;
}
