// health-bridge's archive records as HL7 FHIR R4 resources: pure functions, no I/O.

/** The records the resources are made from. */
export type { FhirMeasurementInput, FhirPatientInput } from './lib/measurement-input';

/** The FHIR shapes the functions return. */
export type {
  Annotation,
  Attachment,
  BundleEntry,
  CodeableConcept,
  Coding,
  FhirBundle,
  FhirDevice,
  FhirDocumentReference,
  FhirObservation,
  FhirOperationOutcome,
  FhirPatient,
  FhirResource,
  IssueSeverity,
  IssueType,
  ObservationComponent,
  Quantity,
  Reference,
  SearchEntryMode,
} from './lib/types';

/** The code systems, and the catalogue of how each measurement's quantities are coded. */
export {
  CATALOG,
  HEALTH_BRIDGE_MEASUREMENT_CONTEXT,
  HEALTH_BRIDGE_OBSERVATION,
  HEALTH_BRIDGE_PATIENT_ID,
  LOINC,
  OBSERVATION_CATEGORY,
  UCUM,
  type ObservationCategory,
  type QuantityCode,
} from './lib/codes';

/** Resource ids, built from the archive's keys and read back. */
export { deviceIdOf, deviceSnOf, documentReferenceId, FHIR_ID, observationId, parseDocumentReferenceId, parseObservationId } from './lib/ids';

/** The resources. */
export { observationsOf } from './lib/observation';
export { deviceOf, documentReferenceOf, patientOf, VIATOM_MANUFACTURER } from './lib/resources';
export {
  capabilityStatement,
  collectionBundle,
  operationOutcome,
  searchsetBundle,
  type FhirCapabilityStatement,
  type SearchEntry,
  type SearchsetOptions,
} from './lib/server';

/** Search parameters: `code` and `date`, and the errors their junk gives. */
export { FhirSearchError } from './lib/errors';
export { dataTypesFor, matchesCodeFilter, observationCodesOf, parseCodeFilter, type CodeFilter, type CodeToken } from './lib/search';
export { parseDateParams, type DateRange } from './lib/dates';
