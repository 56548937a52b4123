/**
 * Test support: archived measurements as the archive hands them over, built from `data` of the
 * shapes Viatom's guide documents (shared/docs/viatom-protocol.md "Measurements"), their
 * observations decoded by the protocol lib as the archive stores them.
 */
import { decodeMeasurement } from '@health-bridge/viatom-protocol';
import type { FhirMeasurementInput } from '../lib/measurement-input';

const q = (value: number | null, unit: string) => ({ value, unit });

/** A realistic `measure_result` for each data_type of the protocol document. */
export const MEASURE_RESULTS: Record<number, Record<string, unknown>> = {
  1: { type: 1, temperature: q(36.8, 'Cel') },
  2: {
    type: 2,
    duration: q(28_800, 's'),
    spo2: q(96, '%'),
    pr: q(64, 'bpm'),
    '90_duration': q(120, 's'),
    drops: q(7, ''),
    spo2_min: q(88, '%'),
    o2_score: q(8.5, ''),
    file_url: 'https://oss.viatom.example/spo2/20230914-night.dat',
  },
  3: { sbp: q(128, 'mmHg'), dia: q(82, 'mmHg'), pulse_pressure: q(46, 'mmHg'), map: q(97, 'mmHg'), pr: q(71, 'bpm') },
  4: { type: 0, blood_gucose: q(5.4, 'mmol/l') },
  5: {
    duration: q(30, 's'),
    file_url: 'https://oss.viatom.example/ecg/20230914-0925.dat',
    hr: q(75, 'bpm'),
    ai_diagnose: { code: 1, diagnose_info: '窦性心律', report_file_url: 'https://oss.viatom.example/ecg/20230914-0925.pdf' },
  },
  6: { type: 0, hr: q(68, 'bpm') },
  7: {
    duration: q(27_000, 's'),
    sleep: [
      { sleep_type: 1, duration: 3_600 },
      { sleep_type: 0, duration: 5_400 },
      { sleep_type: 2, duration: 5_400 },
      { sleep_type: 1, duration: 10_800 },
      { sleep_type: 3, duration: 1_800 },
    ],
  },
  9: { chol: q(5.2, 'mmol/L'), trig: q(1.7, 'mmol/L'), hdl: q(1.3, 'mmol/L'), ldl: q(3.1, 'mmol/L'), chol_hdl: q(4, '') },
  10: { device_type: 1, weight: q(72.5, 'kg'), bfp: q(21.3, '%'), bmi: q(23.7, 'kg/m2') },
  15: { min_hr: q(132, 'bpm'), avg_hr: q(141, 'bpm'), max_hr: q(152, 'bpm'), times: 3, duration: q(60, 's') },
};

export const DATA_TYPES = Object.keys(MEASURE_RESULTS).map(Number);

export const MEASURED_AT = new Date('2023-09-14T07:25:39.000Z');
export const RECEIVED_AT = new Date('2023-09-14T07:26:02.512Z');

/** An archived measurement of `dataType` (id 42, device SN0001) whose observations are what the protocol lib decodes from its `data`. */
export function testMeasurement(
  dataType: number,
  result: Record<string, unknown> = MEASURE_RESULTS[dataType],
  overrides: Partial<FhirMeasurementInput> = {},
): FhirMeasurementInput {
  const data = { data_type: dataType, measure_time: String(MEASURED_AT.getTime()), measure_result: result, remark: '' };
  return {
    id: 42,
    dataType,
    measuredAt: MEASURED_AT,
    receivedAt: RECEIVED_AT,
    deviceSn: 'SN0001',
    data,
    observations: decodeMeasurement(data)?.observations ?? [],
    ...overrides,
  };
}
