import { Inject, Injectable } from '@nestjs/common';
import { AuthorizationService, AuthorizationStatus, MeasurementService, type Authorization, type Measurement } from '@health-bridge/health-archive';
import {
  dataTypesFor,
  deviceOf,
  deviceSnOf,
  documentReferenceOf,
  observationsOf,
  parseDocumentReferenceId,
  parseObservationId,
  patientOf,
  type CodeFilter,
  type DateRange,
  type FhirResource,
  type SearchEntry,
} from '@health-bridge/fhir';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/** Where a page of a search ends: the measurement to go on from (inclusive) and how many of its resources were already answered. */
export interface FhirPosition {
  measurementId: number;
  skip: number;
}

export interface FhirPage {
  entries: SearchEntry[];
  /** Null on the last page. */
  next: FhirPosition | null;
}

export interface ObservationSearch {
  /** The person (`Patient/<id>`); absent: everyone's. */
  patientId?: string;
  codes?: CodeFilter;
  dates: DateRange;
  count: number;
  after: FhirPosition | null;
}

/** The most measurements read per query while a page is filled (a measurement gives one to a few Observations). */
const SCAN_BATCH = 100;

/**
 * The archive read as FHIR resources: the people by their pseudonymous ids, the Observations
 * of their measurements (newest first, a page at a time), their files and devices. A search is
 * paged over the measurements' ids: a position is "from this measurement on, after its first
 * `skip` resources", so a page may end inside a measurement and the next starts where it ended.
 */
@Injectable()
export class FhirReader {
  constructor(
    private readonly authorizations: AuthorizationService,
    private readonly measurements: MeasurementService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async patient(id: string): Promise<FhirResource | null> {
    const person = await this.authorizations.findByFhirPatientId(id);
    return person ? this.patientResource(person) : null;
  }

  async observation(id: string): Promise<FhirResource | null> {
    const ref = parseObservationId(id);
    const m = ref && (await this.measurements.find(ref.measurementId));
    if (!m) return null;
    return observationsOf(m, await this.ownerIdOf(m)).find((o) => o.id === id) ?? null;
  }

  async documentReference(id: string): Promise<FhirResource | null> {
    const measurementId = parseDocumentReferenceId(id);
    const m = measurementId === null ? null : await this.measurements.find(measurementId);
    return m ? documentReferenceOf(m, await this.ownerIdOf(m)) : null;
  }

  async device(id: string): Promise<FhirResource | null> {
    const sn = deviceSnOf(id);
    return sn !== null && (await this.measurements.hasDevice(sn)) ? deviceOf(sn) : null;
  }

  /** `GET /fhir/Observation?…`: null when the patient named is not known (an empty result). */
  async searchObservations(search: ObservationSearch): Promise<FhirPage> {
    const owner = search.patientId === undefined ? undefined : await this.authorizations.findByFhirPatientId(search.patientId);
    if (owner === null || (owner && !owner.accountId)) return { entries: [], next: null };
    const dataTypes = search.codes ? dataTypesFor(search.codes) : undefined;
    return this.page(search, { accountId: owner?.accountId, dataTypes }, (m, patientId) =>
      observationsOf(m, patientId, { codes: search.codes }).map((resource) => ({ resource, mode: 'match' as const })),
    );
  }

  /**
   * `Patient/{id}/$everything`: the person first, then each measurement's Observations and its
   * files (DocumentReference), and each device the first time it appears on a page.
   */
  async everything(patientId: string, count: number, after: FhirPosition | null): Promise<FhirPage | null> {
    const person = await this.authorizations.findByFhirPatientId(patientId);
    if (!person) return null;
    const first: SearchEntry[] = after === null ? [{ resource: this.patientResource(person), mode: 'match' }] : [];
    if (!person.accountId) return { entries: first, next: null };
    const devices = new Map<string, SearchEntry>();
    const page = await this.page({ dates: {}, count: count - first.length, after }, { accountId: person.accountId }, (m, id) => {
      const device = deviceOf(m.deviceSn);
      if (device?.id && !devices.has(device.id)) devices.set(device.id, { resource: device, mode: 'include' });
      const files = documentReferenceOf(m, id);
      return [...observationsOf(m, id), ...(files ? [files] : [])].map((resource) => ({ resource, mode: 'include' as const }));
    });
    // The devices of the measurements read for this page (a page may name one again that an earlier page named).
    return { entries: [...first, ...page.entries, ...devices.values()], next: page.next };
  }

  /** Fills a page of `count` resources from the measurements, newest first, from the position given. */
  private async page(
    search: Pick<ObservationSearch, 'dates' | 'count' | 'after'>,
    filter: { accountId?: string; dataTypes?: number[] },
    resourcesOf: (m: Measurement, patientId: string | null) => SearchEntry[],
  ): Promise<FhirPage> {
    const entries: SearchEntry[] = [];
    let beforeId = search.after ? search.after.measurementId + 1 : null;
    let skip = search.after?.skip ?? 0;
    const owners = new Map<string, string | null>();
    for (;;) {
      // A measurement gives at least one resource (a code filter narrows the query to those that can): one more row
      // than resources still wanted is enough to fill the page and know whether there is more.
      const take = Math.min(SCAN_BATCH, search.count - entries.length + 1);
      const rows = await this.measurements.scan({ ...filter, from: search.dates.from, to: search.dates.to, beforeId, take });
      for (const m of rows) {
        if (!owners.has(m.accountId)) owners.set(m.accountId, await this.ownerIdOf(m));
        const resources = resourcesOf(m, owners.get(m.accountId) ?? null);
        for (let i = skip; i < resources.length; i++) {
          if (entries.length === search.count) return { entries, next: { measurementId: m.id, skip: i } };
          entries.push(resources[i]);
        }
        skip = 0;
      }
      if (rows.length < take) return { entries, next: null };
      beforeId = rows[rows.length - 1].id;
    }
  }

  /** The pseudonymous id of whoever the measurement's account belongs to (an authorized owner first); null when unknown. */
  private async ownerIdOf(m: Pick<Measurement, 'accountId'>): Promise<string | null> {
    const [owner] = await this.authorizations.ownersOfAccount(m.accountId);
    return owner?.fhirPatientId ?? null;
  }

  private patientResource(person: Authorization): FhirResource {
    return patientOf({
      id: person.fhirPatientId,
      active: person.status === AuthorizationStatus.Authorized,
      phone: this.config.fhir.patientTelecom ? person.phone : null,
      lastUpdated: person.updatedAt,
    });
  }
}
