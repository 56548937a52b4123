import { decodeMeasurement, measurementKindOf, type DecodedMeasurement, type MeasurementKind, type Observation } from '@health-bridge/viatom-protocol';

/** What a measurement means, beside what Viatom sent: the same in the REST API, the events and every other reader. */
export interface MeasurementReading {
  /** What was measured (`blood-pressure`, `spo2`…), from `data_type`; null for a type this project does not know. */
  kind: MeasurementKind | null;
  /** `measure_result.type` in words (`fasting`, `ear`, `spot-check`…), when known. */
  context: string | null;
  /** The stored typed observations, in UCUM units. */
  observations: Observation[];
  /** The recording (`file_url`) and the report (`ai_diagnose.report_file_url`), when Viatom points at them. */
  attachments: DecodedMeasurement['attachments'];
  /** The ECG's AI finding (`ai_diagnose.diagnose_info`). */
  finding: string | null;
}

/**
 * A stored measurement read: its observations are the ones kept with it (decoded when it was
 * written, or by the migration); context, attachments and finding are read from `data` again
 * (they are not quantities, and nothing filters on them).
 */
export function measurementReading(m: { dataType: number | null; data: unknown; observations: Observation[] }): MeasurementReading {
  const decoded = decodeMeasurement(m.data);
  return {
    kind: measurementKindOf(m.dataType),
    context: decoded?.context ?? null,
    observations: m.observations,
    attachments: decoded?.attachments ?? [],
    finding: decoded?.finding ?? null,
  };
}
