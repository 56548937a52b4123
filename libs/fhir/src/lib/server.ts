/** What the server says about itself and around the resources: its CapabilityStatement, search Bundles, OperationOutcomes. */
import type { BundleEntry, FhirBundle, FhirOperationOutcome, FhirResource, IssueSeverity, IssueType, SearchEntryMode } from './types';

interface ResourceCapability {
  type: string;
  documentation?: string;
  interaction: Array<{ code: 'read' | 'search-type' }>;
  searchParam?: Array<{ name: string; definition?: string; type: 'reference' | 'token' | 'date' | 'number'; documentation: string }>;
  operation?: Array<{ name: string; definition: string; documentation?: string }>;
}

export interface FhirCapabilityStatement extends FhirResource {
  resourceType: 'CapabilityStatement';
  status: 'active';
  date: string;
  kind: 'instance';
  software: { name: string };
  implementation: { description: string; url: string };
  fhirVersion: '4.0.1';
  format: string[];
  rest: Array<{ mode: 'server'; resource: ResourceCapability[] }>;
}

const read = { code: 'read' as const };

/** The server's CapabilityStatement (`GET /fhir/metadata`): read of each resource, Observation search, Patient $everything. */
export function capabilityStatement(baseUrl: string, now: Date): FhirCapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: now.toISOString(),
    kind: 'instance',
    software: { name: 'health-bridge' },
    implementation: { description: 'health-bridge: Viatom health-archive measurements as FHIR R4, read-only', url: baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json'],
    rest: [
      {
        mode: 'server',
        resource: [
          {
            type: 'Patient',
            documentation: 'An authorised Viatom account',
            interaction: [read],
            operation: [{ name: 'everything', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything' }],
          },
          {
            type: 'Observation',
            documentation: 'One quantity of a measurement (blood pressure: one panel); ids are <measurement id>-<name>',
            interaction: [read, { code: 'search-type' }],
            searchParam: [
              {
                name: 'patient',
                definition: 'http://hl7.org/fhir/SearchParameter/clinical-patient',
                type: 'reference',
                documentation: 'The patient the observations are about',
              },
              {
                name: 'code',
                definition: 'http://hl7.org/fhir/SearchParameter/clinical-code',
                type: 'token',
                documentation: 'LOINC or https://health-bridge.dev/fhir/CodeSystem/observation codes: code, system|code, system|',
              },
              {
                name: 'date',
                definition: 'http://hl7.org/fhir/SearchParameter/clinical-date',
                type: 'date',
                documentation: 'When measured; prefixes eq, ge, gt, le, lt; a time needs a zone',
              },
              { name: '_count', type: 'number', documentation: 'Page size' },
            ],
          },
          { type: 'Device', documentation: 'A Viatom device, by serial number', interaction: [read] },
          { type: 'DocumentReference', documentation: "A measurement's files (ECG waveform and report, oximetry recording)", interaction: [read] },
        ],
      },
    ],
  };
}

/** A resource in a search Bundle with its search mode: `include` for what `$everything` adds beside the matches. */
export interface SearchEntry {
  resource: FhirResource;
  mode: SearchEntryMode;
}

export interface SearchsetOptions {
  selfUrl: string;
  nextUrl?: string;
  /** The server's FHIR base (`https://host/fhir`): each entry's fullUrl is `${baseUrl}/${type}/${id}`. */
  baseUrl: string;
  total?: number;
}

const isSearchEntry = (item: FhirResource | SearchEntry): item is SearchEntry => 'resource' in item && !('resourceType' in item);

/** A `searchset` Bundle of resources (mode `match`) or of `{ resource, mode }` entries, with self and next links. */
export function searchsetBundle(items: ReadonlyArray<FhirResource | SearchEntry>, options: SearchsetOptions): FhirBundle {
  const base = options.baseUrl.replace(/\/+$/, '');
  const entry = items.map((item): BundleEntry => {
    const { resource, mode } = isSearchEntry(item) ? item : { resource: item, mode: 'match' as const };
    const fullUrl = resource.id === undefined ? undefined : `${base}/${resource.resourceType}/${resource.id}`;
    return fullUrl === undefined ? { resource, search: { mode } } : { fullUrl, resource, search: { mode } };
  });
  const link: FhirBundle['link'] = [{ relation: 'self', url: options.selfUrl }];
  if (options.nextUrl !== undefined) link.push({ relation: 'next', url: options.nextUrl });
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(options.total !== undefined && { total: options.total }),
    link,
    ...(entry.length > 0 && { entry }),
  };
}

/**
 * A `collection` Bundle: a set of resources kept together, not the answer of a search (a person's
 * export). Each resource once (by type and id), in the order given.
 */
export function collectionBundle(resources: readonly FhirResource[], options: { baseUrl: string; timestamp: Date }): FhirBundle {
  const base = options.baseUrl.replace(/\/+$/, '');
  const seen = new Set<string>();
  const entry: BundleEntry[] = [];
  for (const resource of resources) {
    const key = resource.id === undefined ? undefined : `${resource.resourceType}/${resource.id}`;
    if (key !== undefined && seen.has(key)) continue;
    if (key !== undefined) seen.add(key);
    entry.push(key === undefined ? { resource } : { fullUrl: `${base}/${key}`, resource });
  }
  return { resourceType: 'Bundle', type: 'collection', timestamp: options.timestamp.toISOString(), ...(entry.length > 0 && { entry }) };
}

/** An OperationOutcome of one issue: the body of every error answer under `/fhir`. */
export function operationOutcome(code: IssueType, diagnostics: string, severity: IssueSeverity = 'error'): FhirOperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code, diagnostics }] };
}
