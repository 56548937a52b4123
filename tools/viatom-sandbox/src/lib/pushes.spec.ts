import { decodeMeasurement, readViatomTime, validatePush } from '@health-bridge/viatom-protocol';
import { parseFault } from './faults';
import { newSign } from './open-api';
import { redactUrl } from './push-sender';
import {
  accountIdForPhone,
  DEFAULT_MEMBER_ID,
  MEASUREMENT_DATA_TYPES,
  measurementPush,
  resolveViatomTime,
  sampleMeasureResult,
  sampleTimeFormat,
  writeViatomTime,
} from './pushes';

describe('newSign', () => {
  it('is standard base64 that always holds "+", "/" and "=", and differs each time', () => {
    const signs = Array.from({ length: 200 }, newSign);
    for (const sign of signs) {
      expect(sign).toMatch(/^[A-Za-z0-9+/]{26}==$/);
      expect(sign).toContain('+');
      expect(sign).toContain('/');
      expect(Buffer.from(sign, 'base64').toString('base64')).toBe(sign);
    }
    expect(new Set(signs).size).toBe(signs.length);
  });
});

describe('ids', () => {
  it('account ids look like Viatom\'s and are stable per phone', () => {
    const id = accountIdForPhone('15312341234');
    expect(id).toBe(accountIdForPhone('15312341234'));
    expect(id).not.toBe(accountIdForPhone('15312341235'));
    const [left, right] = id.split('|').map((part) => Buffer.from(part, 'base64').toString());
    expect(left).toBe('8');
    expect(Number(right)).toBeGreaterThanOrEqual(100_000);
    expect(DEFAULT_MEMBER_ID).toBe('OA==|LTE=');
  });
});

describe('resolveViatomTime', () => {
  it('keeps Viatom times, writes ISO instants in the zone, defaults to now', () => {
    expect(resolveViatomTime('2022-12-29 16:33:40', '+08:00')).toBe('2022-12-29 16:33:40');
    expect(resolveViatomTime('2022-12-29T08:33:40Z', '+08:00')).toBe('2022-12-29 16:33:40');
    expect(resolveViatomTime('2022-12-29T08:33:40Z', '-05:00')).toBe('2022-12-29 03:33:40');
    expect(resolveViatomTime(undefined, 'Z', new Date('2024-01-02T03:04:05Z'))).toBe('2024-01-02 03:04:05');
    expect(resolveViatomTime('yesterday', '+08:00')).toBeNull();
    expect(resolveViatomTime(12, '+08:00')).toBeNull();
  });

  it('keeps epoch milliseconds as given and writes defaults and ISO instants in them when asked', () => {
    expect(resolveViatomTime('1694676339000', '+08:00')).toBe('1694676339000');
    expect(resolveViatomTime('1694676339000', '+08:00', undefined, 'datetime')).toBe('1694676339000');
    // A time given in Viatom's other form is still sent as given: an explicit input wins.
    expect(resolveViatomTime('2022-12-29 16:33:40', '+08:00', undefined, 'epoch-ms')).toBe('2022-12-29 16:33:40');
    expect(resolveViatomTime('2022-12-29T08:33:40.987Z', '+08:00', undefined, 'epoch-ms')).toBe('1672302820000');
    expect(resolveViatomTime(undefined, '+08:00', new Date('2023-09-14T07:25:39.456Z'), 'epoch-ms')).toBe('1694676339000');
    // Not 13 digits: neither Viatom form (a number, seconds, a 12-digit run).
    expect(resolveViatomTime(1694676339000, '+08:00')).toBeNull();
    expect(resolveViatomTime('1694676339', '+08:00')).toBeNull();
    expect(resolveViatomTime('169467633900', '+08:00')).toBeNull();
  });
});

describe('writeViatomTime', () => {
  it('writes one instant as the same second in both forms', () => {
    const instant = new Date('2023-09-14T07:25:39.456Z');
    const text = writeViatomTime(instant, 'datetime', '+08:00');
    const epoch = writeViatomTime(instant, 'epoch-ms', '+08:00');
    expect(text).toBe('2023-09-14 15:25:39');
    expect(epoch).toBe('1694676339000');
    expect(readViatomTime(text)).toEqual(readViatomTime(epoch));
  });
});

/** Units as Viatom's guide writes them, and `''` for the dimensionless quantities. */
const DOCUMENTED_UNITS = ['Cel', '%', 'bpm', 'mmHg', 'mmol/l', 'mmol/L', 'kg', 's', ''];

/** Per data type, the guide's fields of `measure_result`: its quantities with their units, and its other fields. */
const DOCUMENTED_FIELDS: Record<number, { quantities: Record<string, string>; others: string[] }> = {
  1: { quantities: { temperature: 'Cel' }, others: ['type'] },
  2: {
    quantities: { duration: 's', spo2: '%', pr: 'bpm', '90_duration': 's', drops: '', spo2_min: '%', o2_score: '' },
    others: ['type', 'file_url'],
  },
  3: { quantities: { sbp: 'mmHg', dia: 'mmHg', pulse_pressure: 'mmHg', map: 'mmHg', pr: 'bpm' }, others: [] },
  4: { quantities: { blood_gucose: 'mmol/l' }, others: ['type'] },
  5: { quantities: { duration: 's', hr: 'bpm' }, others: ['file_url', 'ai_diagnose'] },
  6: { quantities: { hr: 'bpm' }, others: ['type'] },
  7: { quantities: { duration: 's' }, others: ['sleep'] },
  9: { quantities: { chol: 'mmol/L', trig: 'mmol/L', hdl: 'mmol/L', ldl: 'mmol/L', chol_hdl: '' }, others: [] },
  10: { quantities: { weight: 'kg', bfp: '%', bmi: '' }, others: ['device_type'] },
  15: { quantities: { min_hr: 'bpm', avg_hr: 'bpm', max_hr: 'bpm', times: '', duration: 's' }, others: [] },
};

/** What the product's decoder reads out of each sample: the observations' names. */
const DECODED_NAMES: Record<number, string[]> = {
  1: ['body-temperature'],
  // o2_score is `value: null`: not measured, so no observation.
  2: ['spo2', 'pulse-rate', 'spo2-min', 'spo2-below-90-duration', 'duration', 'spo2-drops'],
  3: ['systolic', 'diastolic', 'mean-arterial', 'pulse-pressure', 'pulse-rate'],
  4: ['glucose'],
  5: ['heart-rate', 'duration'],
  6: ['heart-rate'],
  7: ['sleep-duration', 'sleep-deep-duration', 'sleep-light-duration', 'sleep-rem-duration', 'sleep-awake-duration'],
  9: ['total-cholesterol', 'triglycerides', 'hdl', 'ldl', 'cholesterol-hdl-ratio'],
  10: ['weight', 'body-fat', 'bmi'],
  15: ['fetal-heart-rate-min', 'fetal-heart-rate-avg', 'fetal-heart-rate-max', 'duration'],
};

const MEASURE_TIME = '2024-01-01 08:00:00';
type Quantity = { value: number | null; unit: string };
const sample = (dataType: number) => sampleMeasureResult(dataType, MEASURE_TIME);
const valueOf = (dataType: number, field: string) => (sample(dataType)[field] as Quantity).value as number;

describe('sample measurements', () => {
  it('cover every data type and no other', () => {
    expect(Object.keys(DOCUMENTED_FIELDS).map(Number)).toEqual([...MEASUREMENT_DATA_TYPES]);
    expect(sampleMeasureResult(8, MEASURE_TIME)).toEqual({});
  });

  it.each(MEASUREMENT_DATA_TYPES)('data type %d has exactly the guide\'s fields, each quantity { value, unit } in its unit', (dataType) => {
    const result = sample(dataType);
    const { quantities, others } = DOCUMENTED_FIELDS[dataType];
    expect(Object.keys(result).sort()).toEqual([...Object.keys(quantities), ...others].sort());
    for (const [field, unit] of Object.entries(quantities)) {
      expect(DOCUMENTED_UNITS).toContain(unit);
      const quantity = result[field] as Quantity;
      expect(Object.keys(quantity).sort()).toEqual(['unit', 'value']);
      expect(quantity.unit).toBe(unit);
      if (quantity.value !== null) {
        expect(Number.isFinite(quantity.value)).toBe(true);
        expect(quantity.value).toBeGreaterThanOrEqual(0);
      }
    }
    for (const code of ['type', 'device_type'].filter((field) => others.includes(field))) expect(Number.isInteger(result[code])).toBe(true);
  });

  it.each(MEASUREMENT_DATA_TYPES)('data type %d decodes into the expected observations', (dataType) => {
    const push = measurementPush({ accountId: 'a', dataType, measureTime: MEASURE_TIME, time: '2024-01-01 08:05:00' });
    const decoded = decodeMeasurement(push.data);
    expect(decoded).not.toBeNull();
    expect(decoded!.observations.length).toBeGreaterThan(0);
    expect(decoded!.observations.map((o) => o.name).sort()).toEqual([...DECODED_NAMES[dataType]].sort());
  });

  it('codes say which kind of reading: adult temperature, SpO2 spot check, fasting glucose', () => {
    const context = (dataType: number) => decodeMeasurement({ data_type: dataType, measure_result: sample(dataType) })!.context;
    expect(context(1)).toBe('adult');
    expect(context(2)).toBe('spot-check');
    expect(context(4)).toBe('fasting');
  });

  it('SpO2: one quantity not measured, the rest coherent, the recording on object storage', () => {
    const spo2 = sample(2);
    expect(spo2['o2_score']).toEqual({ value: null, unit: '' });
    expect(valueOf(2, 'spo2_min')).toBeLessThanOrEqual(valueOf(2, 'spo2'));
    expect(valueOf(2, '90_duration')).toBeLessThanOrEqual(valueOf(2, 'duration'));
    expect(spo2['file_url']).toMatch(/^https:\/\/viatom-oss\.example\.com\/spo2\/[\w-]+\.dat$/);
    expect(decodeMeasurement({ data_type: 2, measure_result: spo2 })!.attachments).toEqual([{ role: 'recording', url: spo2['file_url'] }]);
  });

  it('blood pressure: pulse pressure and mean arterial pressure follow from systolic and diastolic', () => {
    const [sbp, dia] = [valueOf(3, 'sbp'), valueOf(3, 'dia')];
    expect(sbp).toBeGreaterThan(dia);
    expect(valueOf(3, 'pulse_pressure')).toBe(sbp - dia);
    expect(Math.abs(valueOf(3, 'map') - (dia + (sbp - dia) / 3))).toBeLessThanOrEqual(0.5);
    const decoded = decodeMeasurement({ data_type: 3, measure_result: sample(3) })!;
    expect(decoded.observations).toEqual(
      expect.arrayContaining([
        { name: 'systolic', value: sbp, unit: 'mm[Hg]' },
        { name: 'diastolic', value: dia, unit: 'mm[Hg]' },
      ]),
    );
  });

  it('glucose is spelled blood_gucose, as Viatom does', () => {
    expect(sample(4)['blood_gucose']).toEqual({ value: expect.any(Number), unit: 'mmol/l' });
    expect(sample(4)).not.toHaveProperty('blood_glucose');
  });

  it('ECG: the waveform, the AI finding and its PDF report on object storage', () => {
    const ecg = sample(5);
    expect(ecg['file_url']).toMatch(/^https:\/\/viatom-oss\.example\.com\/ecg\/[\w-]+\.dat$/);
    expect(ecg['ai_diagnose']).toEqual({
      code: expect.any(Number),
      diagnose_info: '窦性心律',
      report_file_url: expect.stringMatching(/^https:\/\/viatom-oss\.example\.com\/ecg\/[\w-]+\.pdf$/),
    });
    const decoded = decodeMeasurement({ data_type: 5, measure_result: ecg })!;
    expect(decoded.finding).toBe('窦性心律');
    expect(decoded.attachments.map((a) => a.role)).toEqual(['recording', 'report']);
    // Each recording is its own file: the measure time names it.
    expect(sampleMeasureResult(5, '2024-01-01 09:00:00')['file_url']).not.toBe(ecg['file_url']);
  });

  it('sleep: the stages add up to the night\'s duration, every stage present', () => {
    const sleep = sample(7);
    const stages = sleep['sleep'] as Array<{ sleep_type: number; duration: number }>;
    expect(stages.reduce((total, stage) => total + stage.duration, 0)).toBe(valueOf(7, 'duration'));
    expect(new Set(stages.map((stage) => stage.sleep_type))).toEqual(new Set([0, 1, 2, 3]));
    const decoded = decodeMeasurement({ data_type: 7, measure_result: sleep })!;
    const seconds = (name: string) => decoded.observations.find((o) => o.name === name)!.value;
    const stageTotal = ['deep', 'light', 'rem', 'awake'].reduce((total, stage) => total + seconds(`sleep-${stage}-duration`), 0);
    expect(stageTotal).toBe(seconds('sleep-duration'));
  });

  it('lipids, weight and fetal heart rate agree with themselves', () => {
    const [chol, trig, hdl, ldl] = ['chol', 'trig', 'hdl', 'ldl'].map((field) => valueOf(9, field));
    expect(Math.abs(valueOf(9, 'chol_hdl') - chol / hdl)).toBeLessThan(0.05);
    expect(Math.abs(ldl - (chol - hdl - trig / 2.2))).toBeLessThan(0.1);
    expect(valueOf(10, 'bmi')).toBeGreaterThan(15);
    expect(valueOf(10, 'bmi')).toBeLessThan(35);
    expect(valueOf(10, 'bfp')).toBeLessThan(100);
    const [min, avg, max] = ['min_hr', 'avg_hr', 'max_hr'].map((field) => valueOf(15, field));
    expect(min).toBeLessThanOrEqual(avg);
    expect(avg).toBeLessThanOrEqual(max);
    expect(min).toBeGreaterThanOrEqual(110);
    expect(max).toBeLessThanOrEqual(160);
  });
});

describe('measurementPush', () => {
  it.each(MEASUREMENT_DATA_TYPES)('data type %d: a ViHealth record, valid as a push', (dataType) => {
    const push = measurementPush({ accountId: 'a', dataType, measureTime: MEASURE_TIME, time: '2024-01-01 08:05:00' });
    expect(push).toMatchObject({ type: 1, data: { data_type: dataType, measure_time: MEASURE_TIME, remark: '' } });
    expect(push.data).toMatchObject({ measure_result: sampleMeasureResult(dataType, MEASURE_TIME) });
    expect(validatePush(push)).toMatchObject({ ok: true, push: { dataType, measuredAt: new Date('2024-01-01T00:00:00Z') } });
  });

  it('carries epoch-millisecond times as given, and a receiver reads them', () => {
    const push = measurementPush({ accountId: 'a', dataType: 2, measureTime: '1694676339000', time: '1694676639000' });
    expect(push).toMatchObject({ create_time: '1694676639000', update_time: '1694676639000', data: { measure_time: '1694676339000' } });
    expect(validatePush(push)).toMatchObject({
      ok: true,
      push: { measuredAt: new Date(1694676339000), createTime: new Date(1694676639000), updateTime: new Date(1694676639000) },
    });
  });
});

describe('sampleTimeFormat', () => {
  it('alternates down the data types: half in epoch milliseconds, half in YYYY-MM-DD HH:mm:ss', () => {
    const epoch = MEASUREMENT_DATA_TYPES.filter((dataType) => sampleTimeFormat(dataType) === 'epoch-ms');
    const text = MEASUREMENT_DATA_TYPES.filter((dataType) => sampleTimeFormat(dataType) === 'datetime');
    expect(epoch).toEqual([2, 4, 6, 9, 15]);
    expect(text).toEqual([1, 3, 5, 7, 10]);
  });
});

describe('parseFault', () => {
  it('normalises endpoints and drops false flags', () => {
    expect(parseFault({ errorCode: 109999, endpoints: ['/api/v1/open/auth/cancel', 'cancel'], nonJson: false })).toEqual({
      ok: true,
      fault: { errorCode: 109999, endpoints: ['cancel'] },
    });
  });

  it.each([
    [null],
    [[]],
    [{}],
    [{ latencyMs: -1 }],
    [{ latencyMs: 1.5 }],
    [{ httpStatus: 700 }],
    [{ errorMessage: 'x' }],
    [{ dropConnection: true, httpStatus: 500 }],
    [{ nonJson: 'yes' }],
    [{ endpoints: [] }],
  ])('refuses %j', (input) => {
    expect(parseFault(input).ok).toBe(false);
  });
});

describe('redactUrl', () => {
  it('hides query values and passwords', () => {
    expect(redactUrl('http://u:p@host/x?token=abc&a=1')).toBe('http://u:***@host/x?token=***&a=***');
    expect(redactUrl(null)).toBeNull();
  });
});
