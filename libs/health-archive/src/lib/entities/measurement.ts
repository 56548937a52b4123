import type { Observation } from '@health-bridge/viatom-protocol';

/** A measurement pushed by Viatom (type 1), its `data` kept whole as received. */
export class Measurement {
  id!: number;
  pushId!: number;
  dataTag!: string;
  accountId!: string;
  memberId!: string;
  deviceSn!: string;
  /** `data.data_type` (1 temperature, 2 SpO2, 3 blood pressure, …), null when absent. */
  dataType!: number | null;
  /** `data.measure_time` as a UTC instant, when present. */
  measuredAt!: Date | null;
  data!: Record<string, unknown>;
  /** The quantities decoded from `data` (protocol lib's `decodeMeasurement`), in UCUM units; empty when nothing decodes. */
  observations!: Observation[];
  receivedAt!: Date;
}
