import { deviceIdOf, deviceSnOf, observationId, parseDocumentReferenceId, parseObservationId } from './ids';

describe('observation ids', () => {
  it('reads back what observationId gives', () => {
    for (const name of ['blood-pressure', 'spo2-below-90-duration', 'heart-rate', 'o2-score']) {
      const id = observationId(9_007_199_254_740_991, name);
      expect(id && parseObservationId(id)).toEqual({ measurementId: 9_007_199_254_740_991, name });
    }
  });

  it('gives no id that FHIR would refuse', () => {
    expect(observationId(0, 'spo2')).toBeNull();
    expect(observationId(1.5, 'spo2')).toBeNull();
    expect(observationId(1, 'Heart_Rate')).toBeNull();
    expect(observationId(1, 'a'.repeat(63))).toBeNull();
  });

  const junk = ['', '42', '42-', '-spo2', '042-spo2', '42-Spo2', '42-spo2-', '42--spo2', '42_spo2', 'abc-spo2', '99999999999999999-spo2'];
  it.each([...junk, `1-${'a'.repeat(63)}`])('reads junk %p as null', (id) => {
    expect(parseObservationId(id)).toBeNull();
  });

  it('reads document reference ids', () => {
    expect(parseDocumentReferenceId('42-files')).toBe(42);
    expect(parseDocumentReferenceId('42-file')).toBeNull();
    expect(parseDocumentReferenceId('0-files')).toBeNull();
  });
});

describe('device ids', () => {
  it('is the lower-case hex of the serial, and reads back', () => {
    expect(deviceIdOf('SN0001')).toBe('534e30303031');
    for (const sn of ['SN0001', 'a b/c', '设备-7', 'x'.repeat(32)]) expect(deviceSnOf(deviceIdOf(sn) ?? '')).toBe(sn);
  });

  it('gives none for an empty serial or one over 32 bytes', () => {
    expect(deviceIdOf('')).toBeNull();
    expect(deviceIdOf('x'.repeat(33))).toBeNull();
    expect(deviceIdOf('设'.repeat(11))).toBeNull();
  });

  it.each(['', '5', '534E30303031', '534e3030303g', 'zz', 'ff', 'c3', '00'.repeat(33)])('reads junk %p as no serial', (id) => {
    expect(deviceSnOf(id)).toBeNull();
  });
});
