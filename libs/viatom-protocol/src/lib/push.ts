import { asciiDigits, normalizePhone, PHONE_RULE } from './phone';
import { DEFAULT_VIATOM_TIME_ZONE, readViatomTime } from './time';

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
  /** The push's type; null when it is an integer too large to keep (the raw message has it). */
  type: number | null;
  /** Viatom's id of the message; '' when Viatom left it empty or absent. A JSON number is kept as its decimal text. */
  dataTag: string;
  accountId: string;
  memberId: string;
  deviceSn: string;
  /** The user's phone in its canonical form: present on types 2 and 3, and on a measurement that carries one. */
  phone: string | null;
  /** `data` when it is an object (or a JSON text of one), else `{}`. */
  data: Record<string, unknown>;
  /** What a measurement keeps as its data: the object above, or whatever else Viatom sent in `data`. */
  measurementData: unknown;
  userInfo: Record<string, unknown>;
  /** `create_time` when it holds a usable time (see `readViatomTime`), else null. */
  createTime: Date | null;
  updateTime: Date | null;
  /** For measurements: `data.data_type` when it is an integer (or integer text) that a 32-bit column holds. */
  dataType: number | null;
  /** For measurements: `data.measure_time` when it holds a usable time. */
  measuredAt: Date | null;
  /** The parsed message. */
  raw: Record<string, unknown>;
  /** The message's text exactly as received (after charset decoding); JSON of `raw` when no text was given. */
  rawText: string;
}

export type PushValidationResult = { ok: true; push: ViatomPush } | { ok: false; errors: string[] };

export interface PushValidationOptions {
  /** UTC offset in which Viatom's zone-less times are read; default `+08:00`. */
  timeZone?: string;
  /** The body as received, when the caller has it: kept as the raw message, and read for numbers JSON cannot hold exactly. */
  rawText?: string;
}

/** The largest id accepted (ids are opaque: the documents give no length). */
export const MAX_ID_LENGTH = 1024;
/** The largest type and data_type kept (archives keep them in 32-bit integer columns), and so the largest a filter on them may name. */
export const MAX_INT32 = 2 ** 31 - 1;

/** Keys that must never be accepted from outside (prototype pollution). */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Where a JSON value holds something that must not be stored, and what. */
export interface UnstorableJson {
  /** `body.data.phone`, `body.list[2]`: from the path given. */
  path: string;
  problem: string;
}

/** How deep JSON may nest: Viatom's pushes nest three or four levels, a REST body two. */
export const MAX_JSON_DEPTH = 32;

/**
 * The first thing in a parsed JSON value that must not be stored: a prototype-pollution key, a
 * NUL character (U+0000) or a lone surrogate, which PostgreSQL cannot keep in text or JSON (a
 * push carrying one would otherwise fail at the insert and be resent forever), or nesting deeper
 * than MAX_JSON_DEPTH (what walks JSON recursively would run out of stack). The push validator
 * refuses such a push; the REST API such a body.
 */
export function findUnstorableJson(value: unknown, path: string, depth = 0): UnstorableJson | null {
  if (depth > MAX_JSON_DEPTH) return { path, problem: 'nested too deeply' };
  if (typeof value === 'string') {
    const problem = unstorableText(value);
    return problem ? { path, problem } : null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorableJson(value[i], `${path}[${i}]`, depth + 1);
      if (found) return found;
    }
    return null;
  }
  if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) return { path: `${path}.${key}`, problem: 'key is not allowed' };
      const badKey = unstorableText(key);
      if (badKey) return { path, problem: `a key ${badKey}` };
      const found = findUnstorableJson(value[key], `${path}.${key}`, depth + 1);
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
 * An integer, or the text of one (`"2"`, and as a sender that writes doubles or full-width
 * digits may write it: `"2.0"`, `"２"`); undefined when the value is no integer at all.
 */
function integerOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const integer = /^\s*([+-]?\d{1,400})(?:\.0*)?\s*$/.exec(asciiDigits(value));
  return integer ? Number(integer[1]) : undefined;
}

const int32 = (n: number | undefined): number | null => (n !== undefined && Math.abs(n) <= MAX_INT32 ? n : null);

/** A measurement's `data_type`: a whole number, or the text of one, within an int32; null otherwise. One rule for storing and decoding it. */
export function measurementDataTypeOf(data: Record<string, unknown>): number | null {
  return int32(integerOf(data['data_type']));
}

/** An object, or a JSON text of one (some senders encode `data` twice). */
function objectOf(value: unknown): Record<string, unknown> | undefined {
  if (isPlainObject(value)) return value;
  if (typeof value === 'string' && value.trimStart().startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(value);
      if (isPlainObject(parsed) && findUnstorableJson(parsed, '') === null) return parsed;
    } catch {
      /* not JSON: not an object */
    }
  }
  return undefined;
}

/**
 * Turns unknown JSON into a typed push, or the list of everything wrong with it. Liberal in
 * what it accepts, because nothing says Viatom resends a refused push: times in any
 * reasonable form (an unusable time is read as absent), ids as strings or numbers, `type` and
 * `data_type` as integers or integer texts, `data` as an object or a JSON text of one.
 * Refused (400) only what cannot be a push or cannot be stored: not an object, no integer
 * `type`, a type 2 or 3 whose phone is no phone, ids that are objects or longer than
 * MAX_ID_LENGTH, text PostgreSQL cannot hold, prototype-pollution keys.
 * Unknown types are valid pushes: the receiver logs and acknowledges them.
 */
export function validatePush(input: unknown, options: PushValidationOptions = {}): PushValidationResult {
  const timeZone = options.timeZone ?? DEFAULT_VIATOM_TIME_ZONE;
  if (!isPlainObject(input)) {
    return { ok: false, errors: ['body: must be a JSON object'] };
  }
  const errors: string[] = [];
  const forbidden = findUnstorableJson(input, 'body');
  if (forbidden) errors.push(`${forbidden.path}: ${forbidden.problem}`);

  const rawType = integerOf(input['type']);
  if (rawType === undefined) errors.push('type: must be an integer (1 measurement, 2 authorized, 3 cancelled)');
  const type = rawType === undefined ? null : int32(rawType);

  let numberTexts: Map<string, string> | undefined;
  /** A number's decimal text; one JSON.parse rounded (an integer above 2^53) as its digits were sent. */
  const numberText = (field: string, value: number): string => {
    if (Number.isSafeInteger(value)) return String(value);
    numberTexts ??= options.rawText === undefined ? new Map() : topLevelNumberTexts(options.rawText);
    return numberTexts.get(field) ?? String(value);
  };
  const id = (field: string): string => {
    const value = input[field];
    if (value === undefined || value === null) return '';
    if (typeof value !== 'string' && typeof value !== 'number') {
      errors.push(`${field}: must be a string or a number`);
      return '';
    }
    const text = typeof value === 'string' ? value : numberText(field, value);
    if (text.length > MAX_ID_LENGTH) errors.push(`${field}: must be at most ${MAX_ID_LENGTH} characters`);
    return text;
  };
  const dataTag = id('data_tag').trim();
  const accountId = id('account_id');
  const memberId = id('member_id');
  const deviceSn = id('device_sn');

  const givenData = input['data'];
  const dataObject = objectOf(givenData);
  const data = dataObject ?? {};
  const measurementData = givenData === undefined || givenData === null ? {} : (dataObject ?? givenData);
  const userInfo = objectOf(input['user_info']) ?? {};

  const createTime = readViatomTime(input['create_time'], timeZone);
  const updateTime = readViatomTime(input['update_time'], timeZone);

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
    dataType = measurementDataTypeOf(data);
    measuredAt = readViatomTime(data['measure_time'], timeZone);
  }

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    push: {
      type,
      dataTag,
      accountId,
      memberId,
      deviceSn,
      phone,
      data,
      measurementData,
      userInfo,
      createTime,
      updateTime,
      dataType,
      measuredAt,
      raw: input,
      rawText: options.rawText ?? JSON.stringify(input),
    },
  };
}

/**
 * The source text of every number that is a direct value of the top-level object of a JSON
 * text (`{"data_tag": 12345678901234567890}` → `data_tag` → `12345678901234567890`); the last
 * one wins, as in JSON.parse. Read only when JSON.parse has rounded such a number.
 */
const JSON_NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

export function topLevelNumberTexts(json: string): Map<string, string> {
  const found = new Map<string, string>();
  let depth = 0;
  let key: string | null = null;
  let expectValue = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      let j = i + 1;
      while (j < json.length && json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
      if (depth === 1 && !expectValue) key = JSON.parse(json.slice(i, j + 1)) as string;
      expectValue = false;
      i = j;
    } else if (c === '{' || c === '[') {
      depth++;
      expectValue = false;
    } else if (c === '}' || c === ']') depth--;
    else if (c === ':' && depth === 1) expectValue = true;
    else if (c === ',') expectValue = false;
    else if (expectValue && depth === 1 && (c === '-' || (c >= '0' && c <= '9'))) {
      JSON_NUMBER.lastIndex = i;
      const match = JSON_NUMBER.exec(json);
      if (match && key !== null) found.set(key, match[0]);
      i += (match?.[0].length ?? 1) - 1;
      expectValue = false;
    }
  }
  return found;
}

/** The time a push speaks for: update_time, else create_time. */
export function pushSourceTime(push: Pick<ViatomPush, 'createTime' | 'updateTime'>): Date | null {
  return push.updateTime ?? push.createTime;
}

/**
 * What a push's time is read from when it is ordered against others (the ordering rule of
 * authorization changes): its source time, unless it has none, or unless that time is more
 * than `maxClockSkewMs` ahead of when it was received — a clock that is wrong must not let a
 * push outlive later ones (a grant dated 9999 would otherwise block every real withdrawal).
 */
export enum PushTimeBasis {
  Source = 'source',
  ReceivedNoSourceTime = 'received-no-source-time',
  ReceivedSourceTimeAhead = 'received-source-time-ahead',
}

export const DEFAULT_MAX_CLOCK_SKEW_MS = 10 * 60_000;

/**
 * `at`: the time the push speaks for (its source time, or its received time when that cannot
 * be believed). `orderAt`: the time it is ordered by. They differ for a grant whose own time
 * cannot be believed: it is ordered at the earliest time Viatom's clock could plausibly have
 * said (received time − allowed skew), so that a withdrawal sent after it, stamped by a clock
 * up to that far behind this one, still wins. Doubt goes to the withdrawal.
 */
export function pushOrdering(
  push: Pick<ViatomPush, 'createTime' | 'updateTime' | 'type'>,
  receivedAt: Date,
  maxClockSkewMs: number = DEFAULT_MAX_CLOCK_SKEW_MS,
): { at: Date; orderAt: Date; basis: PushTimeBasis } {
  const source = pushSourceTime(push);
  if (source && source.getTime() <= receivedAt.getTime() + maxClockSkewMs) return { at: source, orderAt: source, basis: PushTimeBasis.Source };
  const basis = source ? PushTimeBasis.ReceivedSourceTimeAhead : PushTimeBasis.ReceivedNoSourceTime;
  const orderAt = push.type === PushType.UserAuthorized ? new Date(receivedAt.getTime() - maxClockSkewMs) : receivedAt;
  return { at: receivedAt, orderAt, basis };
}
