import type { MessageKey } from './i18n';

/** What a chart needs of a measurement (the API's MeasurementDto has more). */
export interface MeasurementLike {
  id: number;
  kind: string | null;
  measuredAt: string | null;
  observations: ReadonlyArray<{ name: string; value: number; unit: string }>;
}

export interface ChartSeriesDefinition {
  /** The observation's name in the API (`systolic`, `spo2`, …). */
  observation: string;
  label: MessageKey;
}

export interface ThresholdLine {
  value: number;
  label: MessageKey;
}

export interface ChartDefinition {
  id: string;
  title: MessageKey;
  /** The measurement kinds whose observations feed it: heart rate comes from heart-rate and ECG measurements. */
  kinds: readonly string[];
  series: readonly ChartSeriesDefinition[];
  unit: string;
  thresholds: readonly ThresholdLine[];
}

/**
 * One chart per kind a clinician reads over time, with the lines they read it against:
 * 140/90 mmHg for blood pressure (hypertension, ESC/ESH and China's guideline alike) and 90 % for SpO2.
 */
export const CHARTS: readonly ChartDefinition[] = [
  {
    id: 'blood-pressure',
    title: 'chartBloodPressure',
    kinds: ['blood-pressure'],
    series: [
      { observation: 'systolic', label: 'seriesSystolic' },
      { observation: 'diastolic', label: 'seriesDiastolic' },
    ],
    unit: 'mm[Hg]',
    thresholds: [
      { value: 140, label: 'lineSystolic140' },
      { value: 90, label: 'lineDiastolic90' },
    ],
  },
  {
    id: 'spo2',
    title: 'chartSpo2',
    kinds: ['spo2'],
    series: [{ observation: 'spo2', label: 'seriesSpo2' }],
    unit: '%',
    thresholds: [{ value: 90, label: 'lineSpo290' }],
  },
  {
    id: 'heart-rate',
    title: 'chartHeartRate',
    kinds: ['heart-rate', 'ecg'],
    series: [{ observation: 'heart-rate', label: 'seriesHeartRate' }],
    unit: '/min',
    thresholds: [],
  },
  {
    id: 'blood-glucose',
    title: 'chartGlucose',
    kinds: ['blood-glucose'],
    series: [{ observation: 'glucose', label: 'seriesGlucose' }],
    unit: 'mmol/L',
    thresholds: [],
  },
  {
    id: 'weight',
    title: 'chartWeight',
    kinds: ['weight'],
    series: [{ observation: 'weight', label: 'seriesWeight' }],
    unit: 'kg',
    thresholds: [],
  },
  {
    id: 'body-temperature',
    title: 'chartTemperature',
    kinds: ['body-temperature'],
    series: [{ observation: 'body-temperature', label: 'seriesTemperature' }],
    unit: 'Cel',
    thresholds: [],
  },
];

/** A point: [epoch ms of the measurement, value, the measurement's id]. */
export type Point = [number, number, number];

export interface BuiltSeries {
  definition: ChartSeriesDefinition;
  points: Point[];
}

export interface BuiltChart {
  definition: ChartDefinition;
  series: BuiltSeries[];
  /** Measurements drawn (a blood-pressure reading is one, with two points). */
  readings: number;
  /** The measurements behind it, oldest first: the table under the chart. */
  measurements: MeasurementLike[];
}

/**
 * The chart's series from a person's measurements: each observation of the chart's kinds in
 * the chart's unit becomes a point at its measurement's time, oldest first. A measurement
 * without a time, or with the value in another unit, is not drawn (it still shows in the list).
 */
export function buildChart(definition: ChartDefinition, measurements: readonly MeasurementLike[]): BuiltChart {
  const kinds = new Set(definition.kinds);
  const drawn: MeasurementLike[] = [];
  const series: BuiltSeries[] = definition.series.map((s) => ({ definition: s, points: [] }));
  for (const m of measurements) {
    if (!m.kind || !kinds.has(m.kind) || !m.measuredAt) continue;
    const time = Date.parse(m.measuredAt);
    if (Number.isNaN(time)) continue;
    let any = false;
    series.forEach((s) => {
      const o = m.observations.find((x) => x.name === s.definition.observation && x.unit === definition.unit);
      if (o && Number.isFinite(o.value)) {
        s.points.push([time, o.value, m.id]);
        any = true;
      }
    });
    if (any) drawn.push(m);
  }
  for (const s of series) s.points.sort((a, b) => a[0] - b[0] || a[2] - b[2]);
  drawn.sort((a, b) => Date.parse(a.measuredAt ?? '') - Date.parse(b.measuredAt ?? '') || a.id - b.id);
  return { definition, series, readings: drawn.length, measurements: drawn };
}

/** Every chart that has something to draw, in CHARTS' order. */
export function buildCharts(measurements: readonly MeasurementLike[]): BuiltChart[] {
  return CHARTS.map((d) => buildChart(d, measurements)).filter((c) => c.readings > 0);
}

/** The y-axis range: the data and the threshold lines in view, with a margin, never below 0. */
export function valueRange(chart: BuiltChart): { min: number; max: number } | null {
  const values = chart.series.flatMap((s) => s.points.map((p) => p[1]));
  if (values.length === 0) return null;
  const all = [...values, ...chart.definition.thresholds.map((t) => t.value)];
  const low = Math.min(...all);
  const high = Math.max(...all);
  const margin = Math.max((high - low) * 0.1, Math.abs(high) * 0.02, 1);
  return { min: Math.max(0, Math.floor(low - margin)), max: Math.ceil(high + margin) };
}
