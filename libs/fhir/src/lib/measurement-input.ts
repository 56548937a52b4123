import type { Observation } from '@health-bridge/viatom-protocol';

/** An archived measurement, as the caller reads it from the archive. */
export interface FhirMeasurementInput {
  /** The archive's measurement id. */
  id: number;
  /** Viatom's `data_type`. */
  dataType: number | null;
  measuredAt: Date | null;
  receivedAt: Date;
  /** The device's serial; `''` when unknown. */
  deviceSn: string;
  /** Viatom's raw `data`: read for the context, the attachments and the ECG finding. */
  data: unknown;
  /** The typed observations the archive stored: the values of the Observations. */
  observations: Observation[];
}

/** A patient (an authorised Viatom account), as the caller reads it from the archive. */
export interface FhirPatientInput {
  id: string;
  active: boolean;
  /** Null: the telecom is not shown. */
  phone: string | null;
  lastUpdated: Date;
}
