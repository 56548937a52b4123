import { measurementDataTypeOf } from './push';

/**
 * A measurement's `data`, decoded: Viatom's record shapes (its ViHealth guide, summarised in
 * shared/docs/viatom-protocol.md "Measurements") turned into typed observations with UCUM
 * units. Pure functions, no I/O. A shape that does not decode gives no observations, never an
 * error: the raw `data` is what is kept, this is a reading of it.
 */

/** What was measured, by `data_type`. */
export enum MeasurementKind {
  BodyTemperature = 'body-temperature',
  Spo2 = 'spo2',
  BloodPressure = 'blood-pressure',
  BloodGlucose = 'blood-glucose',
  Ecg = 'ecg',
  HeartRate = 'heart-rate',
  Sleep = 'sleep',
  Cholesterol = 'cholesterol',
  Weight = 'weight',
  FetalHeartRate = 'fetal-heart-rate',
}

/** One quantity: a stable name, a number, a UCUM unit. */
export interface Observation {
  name: string;
  value: number;
  unit: string;
}

export interface DecodedMeasurement {
  kind: MeasurementKind;
  /** `measure_result.type` in words (`fasting`, `spot-check`, `ear`…), when the kind has one and it is known. */
  context: string | null;
  observations: Observation[];
  /** Files Viatom points at: the recording or waveform (`file_url`), the report (`report_file_url`). */
  attachments: Array<{ role: 'recording' | 'report'; url: string }>;
  /** The ECG's AI finding (`ai_diagnose.diagnose_info`), as Viatom wrote it. */
  finding: string | null;
}

const KIND_BY_DATA_TYPE: Record<number, MeasurementKind> = {
  1: MeasurementKind.BodyTemperature,
  2: MeasurementKind.Spo2,
  3: MeasurementKind.BloodPressure,
  4: MeasurementKind.BloodGlucose,
  5: MeasurementKind.Ecg,
  6: MeasurementKind.HeartRate,
  7: MeasurementKind.Sleep,
  9: MeasurementKind.Cholesterol,
  10: MeasurementKind.Weight,
  15: MeasurementKind.FetalHeartRate,
};

/** The kind a `data_type` names; null for a type this project does not know (or none). */
export function measurementKindOf(dataType: number | null): MeasurementKind | null {
  return dataType === null ? null : (KIND_BY_DATA_TYPE[dataType] ?? null);
}

/** The `data_type` of a kind (the protocol document's table). */
export function dataTypeOfKind(kind: MeasurementKind): number {
  return Number(Object.entries(KIND_BY_DATA_TYPE).find(([, k]) => k === kind)?.[0]);
}

/** The `data_type`s of these kinds (to filter stored measurements by kind). */
export function dataTypesOfKinds(kinds: readonly string[]): number[] {
  return Object.entries(KIND_BY_DATA_TYPE)
    .filter(([, kind]) => kinds.includes(kind))
    .map(([dataType]) => Number(dataType));
}

const CONTEXTS: Partial<Record<MeasurementKind, Record<number, string>>> = {
  [MeasurementKind.BodyTemperature]: { 1: 'adult', 2: 'child', 3: 'ear', 4: 'object' },
  [MeasurementKind.Spo2]: { 1: 'spot-check', 2: 'continuous' },
  [MeasurementKind.BloodGlucose]: { 0: 'fasting', 1: 'before-meal', 2: 'after-meal' },
};

/** The sleep stages of `sleep[].sleep_type`. */
const SLEEP_STAGES: Record<number, string> = { 0: 'sleep-deep', 1: 'sleep-light', 2: 'sleep-rem', 3: 'sleep-awake' };

/**
 * A field of `measure_result` and what it becomes: the observation's name, its UCUM unit, and
 * the unit assumed when Viatom wrote a bare number (no `{ value, unit }`).
 */
interface FieldRule {
  field: string;
  name: string;
  unit: string;
}

const FIELDS: Partial<Record<MeasurementKind, FieldRule[]>> = {
  [MeasurementKind.BodyTemperature]: [{ field: 'temperature', name: 'body-temperature', unit: 'Cel' }],
  [MeasurementKind.Spo2]: [
    { field: 'spo2', name: 'spo2', unit: '%' },
    { field: 'pr', name: 'pulse-rate', unit: '/min' },
    { field: 'spo2_min', name: 'spo2-min', unit: '%' },
    { field: '90_duration', name: 'spo2-below-90-duration', unit: 's' },
    { field: 'duration', name: 'duration', unit: 's' },
    { field: 'drops', name: 'spo2-drops', unit: '1' },
    { field: 'o2_score', name: 'o2-score', unit: '1' },
  ],
  [MeasurementKind.BloodPressure]: [
    { field: 'sbp', name: 'systolic', unit: 'mm[Hg]' },
    { field: 'dia', name: 'diastolic', unit: 'mm[Hg]' },
    { field: 'map', name: 'mean-arterial', unit: 'mm[Hg]' },
    { field: 'pulse_pressure', name: 'pulse-pressure', unit: 'mm[Hg]' },
    { field: 'pr', name: 'pulse-rate', unit: '/min' },
  ],
  [MeasurementKind.BloodGlucose]: [{ field: 'blood_gucose', name: 'glucose', unit: 'mmol/L' }],
  [MeasurementKind.Ecg]: [
    { field: 'hr', name: 'heart-rate', unit: '/min' },
    { field: 'duration', name: 'duration', unit: 's' },
  ],
  [MeasurementKind.HeartRate]: [{ field: 'hr', name: 'heart-rate', unit: '/min' }],
  [MeasurementKind.Sleep]: [{ field: 'duration', name: 'sleep-duration', unit: 's' }],
  [MeasurementKind.Cholesterol]: [
    { field: 'chol', name: 'total-cholesterol', unit: 'mmol/L' },
    { field: 'trig', name: 'triglycerides', unit: 'mmol/L' },
    { field: 'hdl', name: 'hdl', unit: 'mmol/L' },
    { field: 'ldl', name: 'ldl', unit: 'mmol/L' },
    { field: 'chol_hdl', name: 'cholesterol-hdl-ratio', unit: '1' },
  ],
  [MeasurementKind.Weight]: [
    { field: 'weight', name: 'weight', unit: 'kg' },
    { field: 'bfp', name: 'body-fat', unit: '%' },
    { field: 'bmi', name: 'bmi', unit: 'kg/m2' },
  ],
  [MeasurementKind.FetalHeartRate]: [
    { field: 'min_hr', name: 'fetal-heart-rate-min', unit: '/min' },
    { field: 'avg_hr', name: 'fetal-heart-rate-avg', unit: '/min' },
    { field: 'max_hr', name: 'fetal-heart-rate-max', unit: '/min' },
    { field: 'duration', name: 'duration', unit: 's' },
  ],
};

/** Blood-pressure fields under the names other Viatom records use for them. */
const ALIASES: Record<string, string[]> = { sbp: ['sys', 'systolic'], dia: ['dias', 'diastolic'], blood_gucose: ['blood_glucose', 'glucose'] };

type Convert = (value: number) => number;
const same: Convert = (v) => v;

/**
 * Units Viatom (or a device) may write, per UCUM unit the observation is kept in: how to convert.
 * Keys are lower-cased with spaces removed. A unit not listed for the quantity: no observation
 * (a reading in an unknown unit is not guessed at).
 */
const UNIT_CONVERSIONS: Record<string, Record<string, Convert>> = {
  Cel: { cel: same, '°c': same, '℃': same, c: same, celsius: same, '°f': (f) => ((f - 32) * 5) / 9, '℉': (f) => ((f - 32) * 5) / 9, f: (f) => ((f - 32) * 5) / 9 },
  '%': { '%': same, percent: same },
  '/min': { bpm: same, '/min': same, '1/min': same, 'beats/min': same, '次/分': same },
  's': { s: same, sec: same, second: same, seconds: same, min: (m) => m * 60, ms: (ms) => ms / 1000 },
  'mm[Hg]': { mmhg: same, 'mm[hg]': same, kpa: (k) => k * 7.500615 },
  'mmol/L': { 'mmol/l': same },
  kg: { kg: same, lb: (lb) => lb * 0.45359237, lbs: (lb) => lb * 0.45359237, g: (g) => g / 1000, 斤: (j) => j * 0.5 },
  'kg/m2': { 'kg/m2': same, 'kg/m²': same, '': same },
  '1': { '': same, '1': same },
};

/** mg/dL for the lipid and glucose quantities: the factor depends on the molecule. */
const MG_DL_PER_MMOL_L: Record<string, number> = { glucose: 18.016, 'total-cholesterol': 38.67, hdl: 38.67, ldl: 38.67, triglycerides: 88.57 };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A number Viatom wrote as a number or as the text of one. */
function numberOf(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && /^\s*-?\d+(?:\.\d+)?\s*$/.test(value)) return Number(value);
  return null;
}

/** Rounds away the float noise a conversion leaves (`36.6000000001`), keeping what a device measures. */
const tidy = (n: number) => Number(n.toPrecision(10));

/** One quantity: `{ value, unit }` as the guide writes it, or a bare number in the rule's unit. */
function observe(raw: unknown, rule: FieldRule): Observation | null {
  let value: number | null;
  let given: string;
  if (isObject(raw)) {
    value = numberOf(raw['value']);
    given = typeof raw['unit'] === 'string' ? raw['unit'] : rule.unit;
  } else {
    value = numberOf(raw);
    given = rule.unit;
  }
  // `value: null` means "not measured": no observation.
  if (value === null) return null;
  const key = given.trim().replace(/\s+/g, '').toLowerCase();
  const convert: Convert | undefined =
    given === rule.unit ? same : key === 'mg/dl' && MG_DL_PER_MMOL_L[rule.name] ? (v) => v / MG_DL_PER_MMOL_L[rule.name] : UNIT_CONVERSIONS[rule.unit]?.[key];
  if (!convert) return null;
  // A value no double holds once converted or rounded (1e308 °F, a text of 400 digits) is no reading either.
  const kept = tidy(convert(value));
  return Number.isFinite(kept) ? { name: rule.name, value: kept, unit: rule.unit } : null;
}

function fieldOf(result: Record<string, unknown>, field: string): unknown {
  if (field in result) return result[field];
  for (const alias of ALIASES[field] ?? []) if (alias in result) return result[alias];
  return undefined;
}

function urlOf(value: unknown): string | null {
  return typeof value === 'string' && /^https?:\/\/\S+$/i.test(value.trim()) ? value.trim() : null;
}

/**
 * Reads a measurement's `data` (`{ data_type, measure_time, measure_result, remark }`). Null
 * when `data_type` names no kind this project knows or `measure_result` is not an object.
 */
export function decodeMeasurement(data: unknown): DecodedMeasurement | null {
  if (!isObject(data)) return null;
  // Read as the push is stored (its `dataType`), so the kind shown is the kind filtered on.
  const dataType = measurementDataTypeOf(data);
  const kind = dataType === null ? undefined : KIND_BY_DATA_TYPE[dataType];
  const result = data['measure_result'];
  if (!kind || !isObject(result)) return null;

  const observations: Observation[] = [];
  for (const rule of FIELDS[kind] ?? []) {
    const raw = fieldOf(result, rule.field);
    if (raw === undefined) continue;
    const observation = observe(raw, rule);
    if (observation) observations.push(observation);
  }
  if (kind === MeasurementKind.Sleep && Array.isArray(result['sleep'])) {
    const totals = new Map<string, number>();
    for (const stage of result['sleep']) {
      if (!isObject(stage)) continue;
      const name = SLEEP_STAGES[numberOf(stage['sleep_type']) ?? -1];
      // A stage's duration as a bare number of seconds or, like every other quantity, as `{ value, unit }`.
      const seconds = observe(stage['duration'], { field: 'duration', name: 'stage', unit: 's' })?.value ?? null;
      if (name && seconds !== null) totals.set(name, (totals.get(name) ?? 0) + seconds);
    }
    for (const [name, seconds] of totals) observations.push({ name: `${name}-duration`, value: seconds, unit: 's' });
  }

  const contextCode = numberOf(result['type']);
  const context = contextCode === null ? null : (CONTEXTS[kind]?.[contextCode] ?? null);

  const attachments: DecodedMeasurement['attachments'] = [];
  const recording = urlOf(result['file_url']);
  if (recording) attachments.push({ role: 'recording', url: recording });
  const diagnosis = isObject(result['ai_diagnose']) ? result['ai_diagnose'] : null;
  const report = urlOf(diagnosis?.['report_file_url']);
  if (report) attachments.push({ role: 'report', url: report });
  const info = diagnosis?.['diagnose_info'];
  const finding = typeof info === 'string' && info.trim() !== '' ? info : null;

  return { kind, context, observations, attachments, finding };
}

/** What a stored measurement means, beside what Viatom sent: the same in the REST API, the events, FHIR and every other reader. */
export interface MeasurementReading {
  /** What was measured, from `data_type`; null for a type this project does not know. */
  kind: MeasurementKind | null;
  context: string | null;
  /** The observations stored with it (decoded when it was written, or by a migration). */
  observations: Observation[];
  attachments: DecodedMeasurement['attachments'];
  finding: string | null;
}

/**
 * A stored measurement read: its observations are the ones kept with it; context, attachments
 * and finding are read from `data` again (they are not quantities, and nothing filters on them).
 */
export function readMeasurement(m: { dataType: number | null; data: unknown; observations: Observation[] }): MeasurementReading {
  const decoded = decodeMeasurement(m.data);
  return {
    kind: measurementKindOf(m.dataType) ?? decoded?.kind ?? null,
    context: decoded?.context ?? null,
    observations: m.observations,
    attachments: decoded?.attachments ?? [],
    finding: decoded?.finding ?? null,
  };
}
