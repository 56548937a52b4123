/** A measurement's Observations: one per stored quantity, blood pressure as one panel. */
import { MeasurementKind, readMeasurement, type MeasurementReading, type Observation } from '@health-bridge/viatom-protocol';
import {
  BLOOD_PRESSURE_COMPONENTS,
  BLOOD_PRESSURE_PANEL,
  CATALOG,
  categoryOf,
  conceptOf,
  DATA_ABSENT_REASON,
  HEALTH_BRIDGE_MEASUREMENT_CONTEXT,
  REQUIRED_BLOOD_PRESSURE_COMPONENTS,
  UCUM,
  type ObservationCategory,
  type QuantityCode,
} from './codes';
import { deviceIdOf, documentReferenceId, observationId } from './ids';
import type { FhirMeasurementInput } from './measurement-input';
import { matchesCodeFilter, type CodeFilter } from './search';
import type { CodeableConcept, FhirObservation, ObservationComponent, Quantity, Reference } from './types';


export const isoOf = (date: Date | null): string | undefined => (date && !Number.isNaN(date.getTime()) ? date.toISOString() : undefined);

export const patientReference = (patientId: string | null): Reference | undefined =>
  patientId === null ? undefined : { reference: `Patient/${patientId}` };

export function deviceReference(sn: string): Reference | undefined {
  const id = deviceIdOf(sn);
  return id ? { reference: `Device/${id}` } : undefined;
}

/** Units as a person reads them; the UCUM code stays in `code`. */
const UNIT_DISPLAY: Record<string, string> = { Cel: '°C', 'mm[Hg]': 'mmHg' };

const quantityOf = (o: Observation): Quantity => ({ value: o.value, unit: UNIT_DISPLAY[o.unit] ?? o.unit, system: UCUM, code: o.unit });

const CONTEXT_TEXT: Record<string, string> = {
  adult: 'Adult mode',
  child: 'Child mode',
  ear: 'Ear mode',
  object: 'Object mode',
  'spot-check': 'Spot check',
  continuous: 'Continuous recording',
  fasting: 'Fasting',
  'before-meal': 'Before a meal',
  'after-meal': 'After a meal',
};

/**
 * Where the measurement context goes. A thermometer's mode and an oximeter's spot check or
 * continuous recording are how it was measured: `method` (coded in health-bridge's context
 * system), and an ear reading's `bodySite`. A glucose reading's relation to a meal is no method
 * and R4 Observation has no element for it: a `note`.
 */
function contextElements(kind: MeasurementKind | null, context: string | null): Pick<FhirObservation, 'note' | 'bodySite' | 'method'> {
  if (context === null) return {};
  const text = CONTEXT_TEXT[context];
  if (text === undefined) return { note: [{ text: `Measurement context: ${context}` }] };
  if (kind === MeasurementKind.BodyTemperature || kind === MeasurementKind.Spo2) {
    const method = { coding: [{ system: HEALTH_BRIDGE_MEASUREMENT_CONTEXT, code: context, display: text }], text };
    return context === 'ear' ? { bodySite: { text: 'Ear' }, method } : { method };
  }
  return { note: [{ text: `Measured: ${text.toLowerCase()}` }] };
}

/** A thermometer's object mode measures a thing, not the patient: not coded as a body temperature. */
const OBJECT_TEMPERATURE: Pick<QuantityCode, 'name' | 'text' | 'loinc'> = {
  name: 'body-temperature',
  text: 'Temperature of an object (thermometer object mode)',
  loinc: [],
};

interface Parts {
  name: string;
  code: CodeableConcept;
  category: ObservationCategory | null;
  valueQuantity?: Quantity;
  component?: ObservationComponent[];
  interpretation?: CodeableConcept[];
}

function bloodPressurePanel(byName: Map<string, Observation>): Parts | null {
  const present = BLOOD_PRESSURE_COMPONENTS.filter((c) => byName.has(c.name));
  if (present.length === 0) return null;
  const component = BLOOD_PRESSURE_COMPONENTS.flatMap((c): ObservationComponent[] => {
    const o = byName.get(c.name);
    if (o) return [{ code: conceptOf(c), valueQuantity: quantityOf(o) }];
    // The vital-signs profile wants both pressures: the one the device did not give is said to be unknown, not left out.
    const dataAbsentReason = { coding: [{ system: DATA_ABSENT_REASON, code: 'unknown', display: 'Unknown' }] };
    return REQUIRED_BLOOD_PRESSURE_COMPONENTS.includes(c.name) ? [{ code: conceptOf(c), dataAbsentReason }] : [];
  });
  return { name: BLOOD_PRESSURE_PANEL.name, code: conceptOf(BLOOD_PRESSURE_PANEL), category: BLOOD_PRESSURE_PANEL.category, component };
}

/** The parts of each Observation, in the catalogue's order, then quantities it does not know (coded by name only), as stored. */
function partsOf(m: FhirMeasurementInput, facts: MeasurementReading): Parts[] {
  const byName = new Map<string, Observation>();
  for (const o of m.observations) if (!byName.has(o.name) && Number.isFinite(o.value)) byName.set(o.name, o);
  const parts: Parts[] = [];
  const used = new Set<string>();
  for (const entry of facts.kind ? CATALOG[facts.kind] : []) {
    if (entry === BLOOD_PRESSURE_PANEL) {
      const panel = bloodPressurePanel(byName);
      if (panel) parts.push(panel);
      BLOOD_PRESSURE_COMPONENTS.forEach((c) => used.add(c.name));
      continue;
    }
    const o = byName.get(entry.name);
    if (!o) continue;
    used.add(entry.name);
    const objectMode = facts.kind === MeasurementKind.BodyTemperature && facts.context === 'object';
    const interpretation = facts.kind === MeasurementKind.Ecg && entry.name === 'heart-rate' && facts.finding ? [{ text: facts.finding }] : undefined;
    parts.push({
      name: entry.name,
      code: conceptOf(objectMode ? OBJECT_TEMPERATURE : entry),
      category: objectMode ? null : entry.category,
      valueQuantity: quantityOf(o),
      interpretation,
    });
  }
  for (const o of byName.values()) {
    if (used.has(o.name)) continue;
    parts.push({ name: o.name, code: conceptOf({ name: o.name, text: o.name, loinc: [] }), category: null, valueQuantity: quantityOf(o) });
  }
  return parts;
}

/**
 * The Observations of one measurement, in a stable order, ids `${m.id}-${name}` (blood pressure:
 * `${m.id}-blood-pressure`). With `codes`, only those whose `code` matches one of its tokens.
 */
export function observationsOf(m: FhirMeasurementInput, patientId: string | null, options: { codes?: CodeFilter } = {}): FhirObservation[] {
  // The protocol lib's reading, as the REST API shows it.
  const facts = readMeasurement(m);
  const context = contextElements(facts.kind, facts.context);
  const device = deviceReference(m.deviceSn);
  const derivedFrom = facts.attachments.length > 0 ? [{ reference: `DocumentReference/${documentReferenceId(m.id)}` }] : undefined;
  const observations: FhirObservation[] = [];
  for (const parts of partsOf(m, facts)) {
    const id = observationId(m.id, parts.name);
    if (id === null || (options.codes && !matchesCodeFilter(options.codes, parts.code))) continue;
    // Built in the order of R4's element list, so the JSON reads like the specification's examples.
    const observation: FhirObservation = {
      resourceType: 'Observation',
      id,
      status: 'final',
      category: parts.category ? [categoryOf(parts.category)] : undefined,
      code: parts.code,
      subject: patientReference(patientId),
      effectiveDateTime: isoOf(m.measuredAt),
      issued: m.receivedAt.toISOString(),
      valueQuantity: parts.valueQuantity,
      interpretation: parts.interpretation,
      ...context,
      device,
      derivedFrom,
      component: parts.component,
    };
    observations.push(withoutUndefined(observation));
  }
  return observations;
}

/** The resource without its undefined members: they would serialise away anyway, but a caller comparing objects should not see them. */
export function withoutUndefined<T extends object>(resource: T): T {
  return Object.fromEntries(Object.entries(resource).filter(([, value]) => value !== undefined)) as T;
}
