import { decodeMeasurement, measurementKindOf } from '@health-bridge/viatom-protocol';
import { fhirProblems } from '../testing/fhir-validation';
import { DATA_TYPES, MEASURED_AT, RECEIVED_AT, testMeasurement } from '../testing/measurements';
import { BLOOD_PRESSURE_COMPONENTS, CATALOG, HEALTH_BRIDGE_OBSERVATION, LOINC, OBSERVATION_CATEGORY, UCUM } from './codes';
import { observationsOf } from './observation';
import { parseCodeFilter } from './search';
import type { FhirObservation } from './types';

const loincOf = (o: { code: FhirObservation['code'] }) => (o.code.coding ?? []).filter((c) => c.system === LOINC).map((c) => c.code);
const ownCodeOf = (o: { code: FhirObservation['code'] }) => (o.code.coding ?? []).find((c) => c.system === HEALTH_BRIDGE_OBSERVATION)?.code;
const categoryOf = (o: FhirObservation) => o.category?.map((c) => c.coding?.map((coding) => `${coding.system}#${coding.code}`).join());

/** For each data_type: each Observation's id, LOINC codes and category, in order. */
const EXPECTED: Record<number, Array<[string, string[], string]>> = {
  1: [['42-body-temperature', ['8310-5'], 'vital-signs']],
  2: [
    ['42-spo2', ['2708-6', '59408-5'], 'vital-signs'],
    ['42-pulse-rate', ['8867-4'], 'vital-signs'],
    ['42-spo2-min', [], 'procedure'],
    ['42-spo2-below-90-duration', [], 'procedure'],
    ['42-spo2-drops', [], 'procedure'],
    ['42-o2-score', [], 'procedure'],
    ['42-duration', [], 'procedure'],
  ],
  3: [
    ['42-blood-pressure', ['85354-9'], 'vital-signs'],
    ['42-pulse-pressure', [], 'exam'],
    ['42-pulse-rate', ['8867-4'], 'vital-signs'],
  ],
  4: [['42-glucose', ['14743-9'], 'laboratory']],
  5: [
    ['42-heart-rate', ['8867-4'], 'vital-signs'],
    ['42-duration', [], 'procedure'],
  ],
  6: [['42-heart-rate', ['8867-4'], 'vital-signs']],
  7: [
    ['42-sleep-duration', ['93832-4'], 'activity'],
    ['42-sleep-deep-duration', ['93831-6'], 'activity'],
    ['42-sleep-light-duration', ['93830-8'], 'activity'],
    ['42-sleep-rem-duration', ['93829-0'], 'activity'],
    ['42-sleep-awake-duration', [], 'activity'],
  ],
  9: [
    ['42-total-cholesterol', ['14647-2'], 'laboratory'],
    ['42-triglycerides', ['14927-8'], 'laboratory'],
    ['42-hdl', ['14646-4'], 'laboratory'],
    ['42-ldl', ['22748-8'], 'laboratory'],
    ['42-cholesterol-hdl-ratio', ['9830-1'], 'laboratory'],
  ],
  10: [
    ['42-weight', ['29463-7'], 'vital-signs'],
    ['42-body-fat', ['41982-0'], 'exam'],
    ['42-bmi', ['39156-5'], 'vital-signs'],
  ],
  15: [
    ['42-fetal-heart-rate-min', [], 'exam'],
    ['42-fetal-heart-rate-avg', ['55283-6'], 'exam'],
    ['42-fetal-heart-rate-max', [], 'exam'],
    ['42-duration', [], 'exam'],
  ],
};

describe('observationsOf, for every data_type of the protocol document', () => {
  it('covers every data_type the protocol decodes', () => {
    expect(DATA_TYPES.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 9, 10, 15]);
    expect(Object.keys(EXPECTED).map(Number)).toEqual(DATA_TYPES);
  });

  describe.each(DATA_TYPES)('data_type %i', (dataType) => {
    const m = testMeasurement(dataType);
    const observations = observationsOf(m, 'p-7');

    it('gives valid FHIR R4 Observations', () => {
      expect(observations.length).toBeGreaterThan(0);
      for (const o of observations) expect({ id: o.id, problems: fhirProblems(o) }).toEqual({ id: o.id, problems: [] });
    });

    it('codes each one as expected (LOINC where it has a code, category, in a stable order)', () => {
      expect(observations.map((o) => [o.id, loincOf(o), o.category?.[0].coding?.[0].code])).toEqual(EXPECTED[dataType]);
      for (const o of observations) expect(categoryOf(o)).toEqual([`${OBSERVATION_CATEGORY}#${o.category?.[0].coding?.[0].code}`]);
    });

    it("also codes each one in health-bridge's system by its name, with a readable text", () => {
      for (const o of observations) {
        expect(`42-${ownCodeOf(o)}`).toBe(o.id);
        expect(o.code.text).toMatch(/^[A-Z]/);
      }
    });

    it('carries every stored value with its UCUM unit, status, times, subject and device', () => {
      const quantities = observations.flatMap((o) => [
        ...(o.valueQuantity ? [[ownCodeOf(o), o.valueQuantity] as const] : []),
        ...(o.component ?? []).flatMap((c) => (c.valueQuantity ? [[ownCodeOf(c), c.valueQuantity] as const] : [])),
      ]);
      expect(quantities.map(([name, q]) => ({ name, value: q.value, unit: q.code }))).toEqual(
        expect.arrayContaining(m.observations.map((s) => ({ name: s.name, value: s.value, unit: s.unit }))),
      );
      expect(quantities).toHaveLength(m.observations.length);
      for (const [, q] of quantities) expect(q.system).toBe(UCUM);
      for (const o of observations) {
        expect(o).toMatchObject({
          resourceType: 'Observation',
          status: 'final',
          effectiveDateTime: MEASURED_AT.toISOString(),
          issued: RECEIVED_AT.toISOString(),
          subject: { reference: 'Patient/p-7' },
          device: { reference: `Device/${Buffer.from('SN0001').toString('hex')}` },
        });
      }
    });
  });

  it('agrees with the protocol lib: every name it decodes is in the catalogue of its kind, and the kinds by data_type match', () => {
    for (const dataType of DATA_TYPES) {
      const decoded = decodeMeasurement(testMeasurement(dataType).data);
      const kind = measurementKindOf(dataType);
      if (!decoded || !kind) throw new Error(`data_type ${dataType} decodes to no kind`);
      expect(decoded.kind).toBe(kind);
      const names = CATALOG[kind].map((c) => c.name).concat(BLOOD_PRESSURE_COMPONENTS.map((c) => c.name));
      expect(names).toEqual(expect.arrayContaining(decoded.observations.map((o) => o.name)));
    }
  });
});

describe('observationsOf, blood pressure', () => {
  it('is one panel 85354-9 with systolic, diastolic and mean-arterial components; pulse pressure and pulse rate are their own', () => {
    const [panel, pulsePressure, pulseRate] = observationsOf(testMeasurement(3), null);
    expect(panel.valueQuantity).toBeUndefined();
    expect(panel.component?.map((c) => [loincOf(c), c.valueQuantity])).toEqual([
      [['8480-6'], { value: 128, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' }],
      [['8462-4'], { value: 82, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' }],
      [['8478-0'], { value: 97, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' }],
    ]);
    expect(pulsePressure.valueQuantity).toEqual({ value: 46, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' });
    expect(pulseRate.valueQuantity).toEqual({ value: 71, unit: '/min', system: UCUM, code: '/min' });
  });

  it('keeps the panel with what it has when systolic is missing, the missing pressure marked unknown', () => {
    const observations = observationsOf(testMeasurement(3, { dia: { value: 79, unit: 'mmHg' } }), 'p-7');
    expect(observations.map((o) => o.id)).toEqual(['42-blood-pressure']);
    const [panel] = observations;
    expect(fhirProblems(panel)).toEqual([]);
    expect(panel.component).toEqual([
      expect.objectContaining({ code: expect.objectContaining({ text: 'Systolic blood pressure' }), dataAbsentReason: expect.anything() }),
      expect.objectContaining({ valueQuantity: expect.objectContaining({ value: 79 }) }),
    ]);
    expect(panel.component?.[0].valueQuantity).toBeUndefined();
    expect(panel.component?.[0].dataAbsentReason?.coding?.[0].code).toBe('unknown');
  });

  it('gives no panel for a reading without any pressure', () => {
    expect(observationsOf(testMeasurement(3, { pr: { value: 60, unit: 'bpm' } }), null).map((o) => o.id)).toEqual(['42-pulse-rate']);
  });
});

describe('observationsOf, measurement context and files', () => {
  it('writes an ear temperature with its body site and method', () => {
    const [o] = observationsOf(testMeasurement(1, { type: 3, temperature: { value: 37.1, unit: 'Cel' } }), 'p-7');
    expect(fhirProblems(o)).toEqual([]);
    expect(o.bodySite).toEqual({ text: 'Ear' });
    expect(o.method).toEqual(expect.objectContaining({ text: 'Ear mode' }));
    expect(o.valueQuantity).toEqual({ value: 37.1, unit: '°C', system: UCUM, code: 'Cel' });
  });

  it('does not call a thermometer reading in object mode a body temperature', () => {
    const [o] = observationsOf(testMeasurement(1, { type: 4, temperature: { value: 41, unit: 'Cel' } }), 'p-7');
    expect(fhirProblems(o)).toEqual([]);
    expect(loincOf(o)).toEqual([]);
    expect(o.category).toBeUndefined();
    expect(o.id).toBe('42-body-temperature');
  });

  it("writes an oximeter's spot check as the method of each Observation", () => {
    const observations = observationsOf(testMeasurement(2, { type: 1, spo2: { value: 98, unit: '%' }, pr: { value: 70, unit: 'bpm' } }), null);
    expect(observations.map((o) => o.method?.text)).toEqual(['Spot check', 'Spot check']);
  });

  it('notes that a glucose reading was fasting', () => {
    const [o] = observationsOf(testMeasurement(4), 'p-7');
    expect(o.note).toEqual([{ text: 'Measured: fasting' }]);
    expect(o.valueQuantity).toEqual({ value: 5.4, unit: 'mmol/L', system: UCUM, code: 'mmol/L' });
  });

  it("gives the ECG's heart rate the AI finding and points every Observation at the files", () => {
    const [hr, duration] = observationsOf(testMeasurement(5), 'p-7');
    expect(hr.interpretation).toEqual([{ text: '窦性心律' }]);
    expect(duration.interpretation).toBeUndefined();
    for (const o of [hr, duration]) expect(o.derivedFrom).toEqual([{ reference: 'DocumentReference/42-files' }]);
  });

  it('points at no files when the measurement has none', () => {
    const [hr] = observationsOf(testMeasurement(5, { hr: { value: 80, unit: 'bpm' } }), null);
    expect(hr.derivedFrom).toBeUndefined();
    expect(hr.interpretation).toBeUndefined();
  });
});

describe('observationsOf, what is not known', () => {
  it('leaves out the subject, the time and the device it does not have, and stays valid', () => {
    const [o] = observationsOf(testMeasurement(6, undefined, { measuredAt: null, deviceSn: '' }), null);
    expect(fhirProblems(o)).toEqual([]);
    expect(Object.keys(o)).toEqual(['resourceType', 'id', 'status', 'category', 'code', 'issued', 'valueQuantity']);
  });

  it('codes a quantity the catalogue does not know by its name only', () => {
    const stored = [
      { name: 'heart-rate', value: 61, unit: '/min' },
      { name: 'hrv-sdnn', value: 42, unit: 'ms' },
    ];
    const m = testMeasurement(6, undefined, { observations: stored });
    const observations = observationsOf(m, 'p-7');
    expect(observations.map((o) => o.id)).toEqual(['42-heart-rate', '42-hrv-sdnn']);
    expect(observations[1].code).toEqual({
      coding: [{ system: HEALTH_BRIDGE_OBSERVATION, code: 'hrv-sdnn', display: 'hrv-sdnn' }],
      text: 'hrv-sdnn',
    });
    expect(fhirProblems(observations[1])).toEqual([]);
  });

  it('reads the kind from the data when the archive has no data_type', () => {
    const observations = observationsOf(testMeasurement(3, undefined, { dataType: null }), null);
    expect(observations.map((o) => o.id)).toEqual(['42-blood-pressure', '42-pulse-pressure', '42-pulse-rate']);
  });

  it('gives nothing for a measurement without observations', () => {
    expect(observationsOf(testMeasurement(8, {}, { observations: [] }), 'p-7')).toEqual([]);
  });
});

describe('observationsOf, filtered by code', () => {
  const ids = (dataType: number, param: string) =>
    observationsOf(testMeasurement(dataType), null, { codes: parseCodeFilter(param) }).map((o) => o.id);

  it('keeps the Observations whose code matches a token, LOINC or ours, with or without a system', () => {
    expect(ids(2, '8867-4')).toEqual(['42-pulse-rate']);
    expect(ids(2, 'http://loinc.org|59408-5')).toEqual(['42-spo2']);
    expect(ids(2, `${HEALTH_BRIDGE_OBSERVATION}|spo2-drops,o2-score`)).toEqual(['42-spo2-drops', '42-o2-score']);
    expect(ids(3, '85354-9')).toEqual(['42-blood-pressure']);
    expect(ids(2, 'http://loinc.org|')).toEqual(['42-spo2', '42-pulse-rate']);
  });

  it('matches nothing for another system, a code without a system, or a component code', () => {
    expect(ids(2, 'http://snomed.info/sct|8867-4')).toEqual([]);
    expect(ids(2, '|8867-4')).toEqual([]);
    expect(ids(3, '8480-6')).toEqual([]);
  });
});
