/**
 * The FHIR R4 shapes this lib writes: only the elements it fills, typed so a caller sees what
 * it gets. Not a general FHIR model (the resources are plain JSON, ready to serialise).
 */

export interface Coding {
  system: string;
  code: string;
  display?: string;
}

export interface CodeableConcept {
  coding?: Coding[];
  text?: string;
}

export interface Reference {
  reference: string;
}

export interface Quantity {
  value: number;
  unit: string;
  system: string;
  code: string;
}

export interface Annotation {
  text: string;
}

/** What every resource has: its type and, for the ones this server serves, an id. */
export interface FhirResource {
  resourceType: string;
  id?: string;
  meta?: { lastUpdated?: string };
}

export interface ObservationComponent {
  code: CodeableConcept;
  valueQuantity?: Quantity;
  dataAbsentReason?: CodeableConcept;
}

export interface FhirObservation extends FhirResource {
  resourceType: 'Observation';
  id: string;
  status: 'final';
  category?: CodeableConcept[];
  code: CodeableConcept;
  subject?: Reference;
  effectiveDateTime?: string;
  issued: string;
  valueQuantity?: Quantity;
  interpretation?: CodeableConcept[];
  note?: Annotation[];
  bodySite?: CodeableConcept;
  method?: CodeableConcept;
  device?: Reference;
  derivedFrom?: Reference[];
  component?: ObservationComponent[];
}

export interface Attachment {
  url: string;
  contentType?: string;
  title: string;
}

export interface FhirDocumentReference extends FhirResource {
  resourceType: 'DocumentReference';
  id: string;
  status: 'current';
  type: CodeableConcept;
  subject?: Reference;
  date: string;
  author?: Reference[];
  description?: string;
  content: Array<{ attachment: Attachment }>;
  context?: { period?: { start: string }; related?: Reference[] };
}

export interface FhirPatient extends FhirResource {
  resourceType: 'Patient';
  id: string;
  meta: { lastUpdated: string };
  active: boolean;
  identifier: Array<{ system: string; value: string }>;
  telecom?: Array<{ system: 'phone'; value: string; use: 'mobile' }>;
}

export interface FhirDevice extends FhirResource {
  resourceType: 'Device';
  id: string;
  serialNumber: string;
  manufacturer: string;
}

export interface BundleEntry {
  /** Absent for a resource without an id (an OperationOutcome). */
  fullUrl?: string;
  resource: FhirResource;
  /** In a searchset only. */
  search?: { mode: SearchEntryMode };
}

export type SearchEntryMode = 'match' | 'include' | 'outcome';

export interface FhirBundle extends FhirResource {
  resourceType: 'Bundle';
  /** `searchset`: a search's answer (with links); `collection`: resources kept together (a person's export). */
  type: 'searchset' | 'collection';
  /** When a collection was assembled. */
  timestamp?: string;
  total?: number;
  link?: Array<{ relation: 'self' | 'next'; url: string }>;
  /** Absent when nothing matched: FHIR's JSON has no empty arrays. */
  entry?: BundleEntry[];
}

/** The R4 issue-type value set (http://hl7.org/fhir/ValueSet/issue-type), which `OperationOutcome.issue.code` is bound to. */
export type IssueType =
  | 'invalid'
  | 'structure'
  | 'required'
  | 'value'
  | 'invariant'
  | 'security'
  | 'login'
  | 'unknown'
  | 'expired'
  | 'forbidden'
  | 'suppressed'
  | 'processing'
  | 'not-supported'
  | 'duplicate'
  | 'multiple-matches'
  | 'not-found'
  | 'deleted'
  | 'too-long'
  | 'code-invalid'
  | 'extension'
  | 'too-costly'
  | 'business-rule'
  | 'conflict'
  | 'transient'
  | 'lock-error'
  | 'no-store'
  | 'exception'
  | 'timeout'
  | 'incomplete'
  | 'throttled'
  | 'informational';

export type IssueSeverity = 'fatal' | 'error' | 'warning' | 'information';

export interface FhirOperationOutcome extends FhirResource {
  resourceType: 'OperationOutcome';
  issue: Array<{ severity: IssueSeverity; code: IssueType; diagnostics: string }>;
}
