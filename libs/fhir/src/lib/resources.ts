import { MeasurementKind, readMeasurement } from '@health-bridge/viatom-protocol';
import { HEALTH_BRIDGE_PATIENT_ID, LOINC } from './codes';
import { deviceIdOf, documentReferenceId } from './ids';
import type { FhirMeasurementInput, FhirPatientInput } from './measurement-input';
import { deviceReference, isoOf, observationsOf, patientReference, withoutUndefined } from './observation';
import type { CodeableConcept, FhirDevice, FhirDocumentReference, FhirPatient } from './types';

export const VIATOM_MANUFACTURER = 'Viatom (Lepu Medical)';

export function patientOf(p: FhirPatientInput): FhirPatient {
  return withoutUndefined<FhirPatient>({
    resourceType: 'Patient',
    id: p.id,
    meta: { lastUpdated: p.lastUpdated.toISOString() },
    identifier: [{ system: HEALTH_BRIDGE_PATIENT_ID, value: p.id }],
    active: p.active,
    // An empty phone would be an empty string, which FHIR does not allow: shown like no phone.
    telecom: p.phone ? [{ system: 'phone', value: p.phone, use: 'mobile' }] : undefined,
  });
}

/** The Device of a serial; null when the serial gives no id (empty, longer than 32 bytes). */
export function deviceOf(sn: string): FhirDevice | null {
  const id = deviceIdOf(sn);
  return id === null ? null : { resourceType: 'Device', id, manufacturer: VIATOM_MANUFACTURER, serialNumber: sn };
}

interface FileKind {
  type: CodeableConcept;
  titles: Record<'recording' | 'report', string>;
}

const FILES: Partial<Record<MeasurementKind, FileKind>> = {
  [MeasurementKind.Ecg]: {
    type: { coding: [{ system: LOINC, code: '11524-6', display: 'EKG study' }], text: 'ECG' },
    titles: { recording: 'ECG waveform', report: 'ECG report (PDF)' },
  },
  // LOINC has no document term this server could be sure of for a home oximetry recording: text only.
  [MeasurementKind.Spo2]: {
    type: { text: 'Pulse oximetry recording' },
    titles: { recording: 'Oximetry recording', report: 'Oximetry report (PDF)' },
  },
};

const OTHER_FILES: FileKind = { type: { text: 'Measurement files' }, titles: { recording: 'Recording', report: 'Report (PDF)' } };

/**
 * The files Viatom points at for a measurement (an ECG's waveform and PDF report, an oximetry
 * recording) as one DocumentReference, id `${m.id}-files`; null when it has none. The waveform's
 * format is Viatom's own, so its content type is not claimed.
 */
export function documentReferenceOf(m: FhirMeasurementInput, patientId: string | null): FhirDocumentReference | null {
  const facts = readMeasurement(m);
  if (facts.attachments.length === 0) return null;
  const files = (facts.kind && FILES[facts.kind]) || OTHER_FILES;
  const device = deviceReference(m.deviceSn);
  const start = isoOf(m.measuredAt);
  const observations = observationsOf(m, patientId).map((o) => ({ reference: `Observation/${o.id}` }));
  const related = observations.length > 0 ? observations : undefined;
  return withoutUndefined<FhirDocumentReference>({
    resourceType: 'DocumentReference',
    id: documentReferenceId(m.id),
    status: 'current',
    type: files.type,
    subject: patientReference(patientId),
    date: m.receivedAt.toISOString(),
    author: device && [device],
    description: facts.finding ?? undefined,
    content: facts.attachments.map(({ role, url }) => ({
      attachment: role === 'report' ? { url, contentType: 'application/pdf', title: files.titles.report } : { url, title: files.titles.recording },
    })),
    context: start || related ? withoutUndefined({ period: start ? { start } : undefined, related }) : undefined,
  });
}
