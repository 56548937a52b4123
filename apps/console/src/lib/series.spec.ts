import { describe, expect, it } from 'vitest';
import { buildChart, buildCharts, CHARTS, valueRange, type MeasurementLike } from './series';

const chart = (id: string) => CHARTS.find((c) => c.id === id)!;
let nextId = 1;
function reading(kind: string, measuredAt: string | null, observations: Array<[string, number, string]>): MeasurementLike {
  return { id: nextId++, kind, measuredAt, observations: observations.map(([name, value, unit]) => ({ name, value, unit })) };
}

describe('chart series from measurements', () => {
  it('draws blood pressure as systolic and diastolic, oldest first, one point per reading and series', () => {
    const late = reading('blood-pressure', '2026-11-03T08:00:00Z', [['systolic', 150, 'mm[Hg]'], ['diastolic', 95, 'mm[Hg]'], ['pulse-rate', 70, '/min']]);
    const early = reading('blood-pressure', '2026-11-01T08:00:00Z', [['systolic', 120, 'mm[Hg]'], ['diastolic', 80, 'mm[Hg]']]);
    const built = buildChart(chart('blood-pressure'), [late, early]);
    expect(built.readings).toBe(2);
    expect(built.series.map((s) => s.definition.observation)).toEqual(['systolic', 'diastolic']);
    expect(built.series[0]!.points).toEqual([
      [Date.parse('2026-11-01T08:00:00Z'), 120, early.id],
      [Date.parse('2026-11-03T08:00:00Z'), 150, late.id],
    ]);
    expect(built.series[1]!.points.map((p) => p[1])).toEqual([80, 95]);
    expect(built.measurements.map((m) => m.id)).toEqual([early.id, late.id]);
    expect(built.definition.thresholds.map((t) => t.value)).toEqual([140, 90]);
  });

  it('keeps other kinds, readings without a time and values in another unit out of the chart', () => {
    const built = buildChart(chart('spo2'), [
      reading('spo2', '2026-11-01T08:00:00Z', [['spo2', 97, '%'], ['pulse-rate', 64, '/min']]),
      reading('spo2', null, [['spo2', 95, '%']]),
      reading('spo2', 'not a time', [['spo2', 95, '%']]),
      reading('spo2', '2026-11-02T08:00:00Z', [['spo2', 0.95, '1']]),
      reading('heart-rate', '2026-11-02T08:00:00Z', [['heart-rate', 70, '/min']]),
    ]);
    expect(built.readings).toBe(1);
    expect(built.series[0]!.points.map((p) => p[1])).toEqual([97]);
  });

  it('takes heart rate from heart-rate and ECG measurements alike', () => {
    const built = buildChart(chart('heart-rate'), [
      reading('heart-rate', '2026-11-01T08:00:00Z', [['heart-rate', 70, '/min']]),
      reading('ecg', '2026-11-02T08:00:00Z', [['heart-rate', 82, '/min'], ['duration', 30, 's']]),
      reading('spo2', '2026-11-02T09:00:00Z', [['pulse-rate', 64, '/min']]),
    ]);
    expect(built.series[0]!.points.map((p) => p[1])).toEqual([70, 82]);
  });

  it('builds only the charts that have something to draw, in a fixed order', () => {
    const charts = buildCharts([
      reading('weight', '2026-11-01T08:00:00Z', [['weight', 70.5, 'kg']]),
      reading('blood-pressure', '2026-11-01T08:00:00Z', [['systolic', 120, 'mm[Hg]']]),
      reading('sleep', '2026-11-01T08:00:00Z', [['sleep-duration', 27000, 's']]),
    ]);
    expect(charts.map((c) => c.definition.id)).toEqual(['blood-pressure', 'weight']);
    expect(buildCharts([])).toEqual([]);
  });

  it('keeps the threshold lines in view on the value axis', () => {
    const built = buildChart(chart('blood-pressure'), [reading('blood-pressure', '2026-11-01T08:00:00Z', [['systolic', 118, 'mm[Hg]'], ['diastolic', 76, 'mm[Hg]']])]);
    const range = valueRange(built)!;
    expect(range.min).toBeLessThanOrEqual(76);
    expect(range.max).toBeGreaterThanOrEqual(140);
    expect(range.min).toBeGreaterThanOrEqual(0);
    expect(valueRange(buildChart(chart('weight'), []))).toBeNull();
  });
});
