import { decodeMeasurement, MeasurementKind } from './measurement';

const q = (value: number | null, unit: string) => ({ value, unit });
const record = (dataType: number | string, measureResult: unknown) => ({ data_type: dataType, measure_time: '1694676339000', measure_result: measureResult, remark: '' });

describe('decodeMeasurement: the ViHealth guide\'s shapes, one per data_type', () => {
  it.each([
    [1, { type: 3, temperature: q(36.6, 'Cel') }, MeasurementKind.BodyTemperature, 'ear', [{ name: 'body-temperature', value: 36.6, unit: 'Cel' }]],
    [
      2,
      { type: 1, duration: 60, spo2: q(97, '%'), pr: q(72, 'bpm'), '90_duration': q(0, 's'), drops: 0, spo2_min: q(95, '%'), o2_score: 9 },
      MeasurementKind.Spo2,
      'spot-check',
      [
        { name: 'spo2', value: 97, unit: '%' },
        { name: 'pulse-rate', value: 72, unit: '/min' },
        { name: 'spo2-min', value: 95, unit: '%' },
        { name: 'spo2-below-90-duration', value: 0, unit: 's' },
        { name: 'duration', value: 60, unit: 's' },
        { name: 'spo2-drops', value: 0, unit: '1' },
        { name: 'o2-score', value: 9, unit: '1' },
      ],
    ],
    [
      3,
      { sbp: q(128, 'mmHg'), dia: q(82, 'mmHg'), pulse_pressure: q(46, 'mmHg'), map: q(97, 'mmHg'), pr: q(70, 'bpm') },
      MeasurementKind.BloodPressure,
      null,
      [
        { name: 'systolic', value: 128, unit: 'mm[Hg]' },
        { name: 'diastolic', value: 82, unit: 'mm[Hg]' },
        { name: 'mean-arterial', value: 97, unit: 'mm[Hg]' },
        { name: 'pulse-pressure', value: 46, unit: 'mm[Hg]' },
        { name: 'pulse-rate', value: 70, unit: '/min' },
      ],
    ],
    [4, { type: 0, blood_gucose: q(5.4, 'mmol/l') }, MeasurementKind.BloodGlucose, 'fasting', [{ name: 'glucose', value: 5.4, unit: 'mmol/L' }]],
    [6, { type: 0, hr: q(64, 'bpm') }, MeasurementKind.HeartRate, null, [{ name: 'heart-rate', value: 64, unit: '/min' }]],
    [
      9,
      { chol: q(4.8, 'mmol/L'), trig: q(1.2, 'mmol/L'), hdl: q(1.3, 'mmol/L'), ldl: q(2.9, 'mmol/L'), chol_hdl: 3.7 },
      MeasurementKind.Cholesterol,
      null,
      [
        { name: 'total-cholesterol', value: 4.8, unit: 'mmol/L' },
        { name: 'triglycerides', value: 1.2, unit: 'mmol/L' },
        { name: 'hdl', value: 1.3, unit: 'mmol/L' },
        { name: 'ldl', value: 2.9, unit: 'mmol/L' },
        { name: 'cholesterol-hdl-ratio', value: 3.7, unit: '1' },
      ],
    ],
    [
      10,
      { device_type: 1, weight: q(68.5, 'kg'), bfp: q(21.3, '%'), bmi: 22.4 },
      MeasurementKind.Weight,
      null,
      [
        { name: 'weight', value: 68.5, unit: 'kg' },
        { name: 'body-fat', value: 21.3, unit: '%' },
        { name: 'bmi', value: 22.4, unit: 'kg/m2' },
      ],
    ],
    [
      15,
      { min_hr: q(120, 'bpm'), avg_hr: q(140, 'bpm'), max_hr: q(155, 'bpm'), times: 3, duration: 600 },
      MeasurementKind.FetalHeartRate,
      null,
      [
        { name: 'fetal-heart-rate-min', value: 120, unit: '/min' },
        { name: 'fetal-heart-rate-avg', value: 140, unit: '/min' },
        { name: 'fetal-heart-rate-max', value: 155, unit: '/min' },
        { name: 'duration', value: 600, unit: 's' },
      ],
    ],
  ])('data_type %i', (dataType, result, kind, context, observations) => {
    expect(decodeMeasurement(record(dataType, result))).toEqual({ kind, context, observations, attachments: [], finding: null });
  });

  it('data_type 5 (ECG): heart rate, duration, the AI finding, the waveform and the report', () => {
    const result = { duration: 30, file_url: 'https://oss.example/ecg.dat', hr: q(68, 'bpm'), ai_diagnose: { code: 1, diagnose_info: '窦性心律', report_file_url: 'https://oss.example/ecg.pdf' } };
    expect(decodeMeasurement(record(5, result))).toEqual({
      kind: MeasurementKind.Ecg,
      context: null,
      observations: [
        { name: 'heart-rate', value: 68, unit: '/min' },
        { name: 'duration', value: 30, unit: 's' },
      ],
      attachments: [
        { role: 'recording', url: 'https://oss.example/ecg.dat' },
        { role: 'report', url: 'https://oss.example/ecg.pdf' },
      ],
      finding: '窦性心律',
    });
  });

  it('data_type 7 (sleep): the stages summed by kind, and the whole duration', () => {
    const result = { duration: 28800, sleep: [{ sleep_type: 0, duration: 3600 }, { sleep_type: 1, duration: 18000 }, { sleep_type: 0, duration: 3600 }, { sleep_type: 3, duration: q(60, 'min') }, { sleep_type: 9, duration: 1 }] };
    expect(decodeMeasurement(record(7, result))?.observations).toEqual([
      { name: 'sleep-duration', value: 28800, unit: 's' },
      { name: 'sleep-deep-duration', value: 7200, unit: 's' },
      { name: 'sleep-light-duration', value: 18000, unit: 's' },
      { name: 'sleep-awake-duration', value: 3600, unit: 's' },
    ]);
  });
});

describe('decodeMeasurement: what real devices may write instead', () => {
  it('a null value means not measured: no observation', () => {
    expect(decodeMeasurement(record(6, { hr: q(null, 'bpm') }))?.observations).toEqual([]);
  });

  it.each([
    ['°F', 97.7, 'body-temperature', 1, 'temperature', 36.5, 'Cel'],
    ['℃', 36.6, 'body-temperature', 1, 'temperature', 36.6, 'Cel'],
    ['kPa', 16, 'systolic', 3, 'sbp', 120.0098, 'mm[Hg]'],
    ['mg/dL', 99, 'glucose', 4, 'blood_gucose', 5.495115453, 'mmol/L'],
    ['mg/dL', 190, 'total-cholesterol', 9, 'chol', 4.913369537, 'mmol/L'],
    ['lb', 150, 'weight', 10, 'weight', 68.0388555, 'kg'],
  ])('converts %s into UCUM (%s → %s)', (unit, value, name, dataType, field, expected, ucum) => {
    const [observation] = decodeMeasurement(record(dataType, { [field]: q(value, unit) }))?.observations ?? [];
    expect(observation).toEqual({ name, value: expect.closeTo(expected, 4), unit: ucum });
  });

  it('reads bare numbers in the documented unit, numbers written as text, a string data_type and older field names', () => {
    expect(decodeMeasurement(record('3', { sys: 118, dia: '76', pr: 68 }))?.observations).toEqual([
      { name: 'systolic', value: 118, unit: 'mm[Hg]' },
      { name: 'diastolic', value: 76, unit: 'mm[Hg]' },
      { name: 'pulse-rate', value: 68, unit: '/min' },
    ]);
  });

  it('reads data_type by the rule the push is stored by, so the kind decoded is the kind filtered on', () => {
    expect(decodeMeasurement(record('+3', { sbp: 120 }))?.kind).toBe(MeasurementKind.BloodPressure);
    expect(decodeMeasurement(record(' 3 ', { sbp: 120 }))?.kind).toBe(MeasurementKind.BloodPressure);
    expect(decodeMeasurement(record('3.0', { sbp: 120 }))?.kind).toBe(MeasurementKind.BloodPressure);
    expect(decodeMeasurement(record(3.5, { sbp: 120 }))).toBeNull();
  });

  it('gives no observation for a value no double holds once converted or rounded', () => {
    expect(decodeMeasurement(record(1, { temperature: q(1e308, '°F') }))?.observations).toEqual([]);
    expect(decodeMeasurement(record(10, { bmi: 1.7976931348623157e308, weight: '9'.repeat(400) }))?.observations).toEqual([]);
    expect(decodeMeasurement(record(3, { sbp: q(1e308, 'kPa'), dia: 80 }))?.observations).toEqual([{ name: 'diastolic', value: 80, unit: 'mm[Hg]' }]);
  });

  it('does not guess at a unit it does not know', () => {
    expect(decodeMeasurement(record(10, { weight: q(68, 'stone') }))?.observations).toEqual([]);
  });

  it.each([
    ['no object', [1, 2]],
    ['an unknown data_type', record(8, { x: 1 })],
    ['no data_type', { measure_result: { hr: 60 } }],
    ['measure_result not an object', record(6, 'hr=60')],
    ['null', null],
  ])('gives nothing for %s, without throwing', (_name, data) => {
    expect(decodeMeasurement(data)).toBeNull();
  });

  it('ignores a file URL that is not http(s) and an empty finding', () => {
    const decoded = decodeMeasurement(record(5, { file_url: 'javascript:alert(1)', ai_diagnose: { diagnose_info: ' ', report_file_url: 'ftp://x' } }));
    expect(decoded).toMatchObject({ attachments: [], finding: null });
  });
});
