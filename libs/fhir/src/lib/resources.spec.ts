import { fhirProblems } from '../testing/fhir-validation';
import { MEASURED_AT, RECEIVED_AT, testMeasurement } from '../testing/measurements';
import { HEALTH_BRIDGE_PATIENT_ID, LOINC } from './codes';
import { observationsOf } from './observation';
import { deviceOf, documentReferenceOf, patientOf } from './resources';

describe('patientOf', () => {
  const lastUpdated = new Date('2024-03-01T10:00:00.000Z');

  it('gives a valid Patient with its id as identifier and the phone as mobile telecom', () => {
    const patient = patientOf({ id: 'p-7', active: true, phone: '15312341234', lastUpdated });
    expect(fhirProblems(patient)).toEqual([]);
    expect(patient).toEqual({
      resourceType: 'Patient',
      id: 'p-7',
      meta: { lastUpdated: '2024-03-01T10:00:00.000Z' },
      identifier: [{ system: HEALTH_BRIDGE_PATIENT_ID, value: 'p-7' }],
      active: true,
      telecom: [{ system: 'phone', value: '15312341234', use: 'mobile' }],
    });
  });

  it('shows no telecom when the phone is not to be shown', () => {
    const patient = patientOf({ id: 'p-8', active: false, phone: null, lastUpdated });
    expect(fhirProblems(patient)).toEqual([]);
    expect(patient).not.toHaveProperty('telecom');
    expect(patient.active).toBe(false);
  });

  it('shows no telecom for an empty phone', () => {
    expect(patientOf({ id: 'p-9', active: true, phone: '', lastUpdated })).not.toHaveProperty('telecom');
  });
});

describe('deviceOf', () => {
  it('gives a valid Device with its serial and Viatom as manufacturer', () => {
    const device = deviceOf('SN 0001/α');
    expect(device && fhirProblems(device)).toEqual([]);
    expect(device).toEqual({
      resourceType: 'Device',
      id: Buffer.from('SN 0001/α').toString('hex'),
      manufacturer: 'Viatom (Lepu Medical)',
      serialNumber: 'SN 0001/α',
    });
  });

  it('gives none for a serial that makes no id', () => {
    expect(deviceOf('')).toBeNull();
    expect(deviceOf('x'.repeat(33))).toBeNull();
  });
});

describe('documentReferenceOf', () => {
  it("gives an ECG's waveform and PDF report as one valid DocumentReference about its Observations", () => {
    const m = testMeasurement(5);
    const document = documentReferenceOf(m, 'p-7');
    expect(document && fhirProblems(document)).toEqual([]);
    expect(document).toEqual({
      resourceType: 'DocumentReference',
      id: '42-files',
      status: 'current',
      type: { coding: [{ system: LOINC, code: '11524-6', display: 'EKG study' }], text: 'ECG' },
      subject: { reference: 'Patient/p-7' },
      date: RECEIVED_AT.toISOString(),
      author: [{ reference: `Device/${Buffer.from('SN0001').toString('hex')}` }],
      description: '窦性心律',
      content: [
        { attachment: { url: 'https://oss.viatom.example/ecg/20230914-0925.dat', title: 'ECG waveform' } },
        { attachment: { url: 'https://oss.viatom.example/ecg/20230914-0925.pdf', contentType: 'application/pdf', title: 'ECG report (PDF)' } },
      ],
      context: {
        period: { start: MEASURED_AT.toISOString() },
        related: [{ reference: 'Observation/42-heart-rate' }, { reference: 'Observation/42-duration' }],
      },
    });
    // Each side points at the other.
    for (const o of observationsOf(m, 'p-7')) expect(o.derivedFrom).toEqual([{ reference: `DocumentReference/${document?.id}` }]);
  });

  it("gives an oximetry recording, valid without a patient, a time or a device", () => {
    const document = documentReferenceOf(testMeasurement(2, undefined, { measuredAt: null, deviceSn: '' }), null);
    expect(document && fhirProblems(document)).toEqual([]);
    expect(document?.type).toEqual({ text: 'Pulse oximetry recording' });
    expect(document?.content).toEqual([{ attachment: { url: 'https://oss.viatom.example/spo2/20230914-night.dat', title: 'Oximetry recording' } }]);
    expect(document).not.toHaveProperty('subject');
    expect(document).not.toHaveProperty('author');
    expect(document?.context).toEqual({ related: expect.arrayContaining([{ reference: 'Observation/42-spo2' }]) });
  });

  it('gives a report alone when the ECG has no waveform', () => {
    const document = documentReferenceOf(
      testMeasurement(5, { hr: { value: 70, unit: 'bpm' }, ai_diagnose: { diagnose_info: '', report_file_url: 'https://oss.viatom.example/r.pdf' } }),
      'p-7',
    );
    expect(document && fhirProblems(document)).toEqual([]);
    expect(document?.content.map((c) => c.attachment.contentType)).toEqual(['application/pdf']);
    expect(document).not.toHaveProperty('description');
  });

  it('gives none for a measurement without files', () => {
    expect(documentReferenceOf(testMeasurement(3), 'p-7')).toBeNull();
    expect(documentReferenceOf(testMeasurement(5, { hr: { value: 70, unit: 'bpm' } }), 'p-7')).toBeNull();
  });
});
