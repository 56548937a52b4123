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

/** Resources per page while a person's whole record is read for an export. */
const EXPORT_PAGE = 1000;
/** The most measurements read per query while a page is filled (a measurement gives one to a few Observations). */
const SCAN_BATCH = 100;
/**
 * The most measurements one page reads: a filter that few of them match (a code they rarely carry)
 * ends the page early, with fewer entries and a next link, rather than scanning the whole archive.
 */
const MAX_SCANNED_PER_PAGE = 2000;
const LAST_INSTANT = new Date('9999-12-31T23:59:59.999Z');

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
    // Nothing is measured after the year 9999: a bound beyond it selects all or nothing (and SQLite's text instants stop there).
    if (search.dates.from && search.dates.from > LAST_INSTANT) return { entries: [], next: null };
    if (search.dates.to && search.dates.to > LAST_INSTANT) search = { ...search, dates: { ...search.dates, to: undefined } };
    const owner = search.patientId === undefined ? undefined : await this.authorizations.findByFhirPatientId(search.patientId);
    if (owner === null || (owner && !owner.accountId)) return { entries: [], next: null };
    const dataTypes = search.codes ? dataTypesFor(search.codes) : undefined;
    // Asked for a person: their Observations name them, whoever else shares the Viatom account.
    const subject = owner ? owner.fhirPatientId : undefined;
    const page = await this.page(search, { accountId: owner?.accountId, dataTypes }, subject, (m, patientId) =>
      observationsOf(m, patientId, { codes: search.codes }).map((resource) => ({ resource, mode: 'match' as const })),
    );
    return { entries: page.entries, next: page.next };
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
    const page = await this.page({ dates: {}, count: count - first.length, after }, { accountId: person.accountId }, person.fhirPatientId, (m, id) => {
      const files = documentReferenceOf(m, id);
      return [...observationsOf(m, id), ...(files ? [files] : [])].map((resource) => ({ resource, mode: 'include' as const }));
    });
    // The devices of the measurements on this page, each once (a later page may name one again).
    const devices = new Map<string, SearchEntry>();
    for (const m of page.measurements) {
      const device = deviceOf(m.deviceSn);
      if (device?.id && !devices.has(device.id)) devices.set(device.id, { resource: device, mode: 'include' });
    }
    return { entries: [...first, ...page.entries, ...devices.values()], next: page.next };
  }

  /** Every resource of the person's record (`$everything` read to its end), for their export; null for an unknown id. */
  async everyResource(patientId: string): Promise<FhirResource[] | null> {
    const resources: FhirResource[] = [];
    let after: FhirPosition | null = null;
    do {
      const page = await this.everything(patientId, EXPORT_PAGE, after);
      if (!page) return null;
      resources.push(...page.entries.map((entry) => entry.resource));
      after = page.next;
    } while (after !== null);
    return resources;
  }

  /**
   * Fills a page of `count` resources from the measurements, newest first, from the position given;
   * `subject` names the person they are about (absent: each measurement's owner). Reads at most
   * MAX_SCANNED_PER_PAGE measurements: a page may then hold fewer entries, and goes on from there.
   */
  private async page(
    search: Pick<ObservationSearch, 'dates' | 'count' | 'after'>,
    filter: { accountId?: string; dataTypes?: number[] },
    subject: string | undefined,
    resourcesOf: (m: Measurement, patientId: string | null) => SearchEntry[],
  ): Promise<FhirPage & { measurements: Measurement[] }> {
    const entries: SearchEntry[] = [];
    const measurements: Measurement[] = [];
    let beforeId = search.after ? search.after.measurementId + 1 : null;
    let skip = search.after?.skip ?? 0;
    let scanned = 0;
    const owners = new Map<string, string | null>();
    for (;;) {
      // A measurement gives at least one resource as a rule: one more row than resources still wanted fills the page and
      // tells whether there is more; a batch that gives fewer makes the next one larger.
      const wanted = search.count - entries.length + 1;
      const take = Math.min(SCAN_BATCH, Math.max(wanted, scanned), MAX_SCANNED_PER_PAGE - scanned);
      const rows = await this.measurements.scan({ ...filter, from: search.dates.from, to: search.dates.to, beforeId, take });
      scanned += rows.length;
      for (const m of rows) {
        if (subject === undefined && !owners.has(m.accountId)) owners.set(m.accountId, await this.ownerIdOf(m));
        const resources = resourcesOf(m, subject ?? owners.get(m.accountId) ?? null);
        for (let i = skip; i < resources.length; i++) {
          if (entries.length === search.count) return { entries, measurements, next: { measurementId: m.id, skip: i } };
          entries.push(resources[i]);
          if (i === skip) measurements.push(m);
        }
        skip = 0;
      }
      if (rows.length < take) return { entries, measurements, next: null };
      beforeId = rows[rows.length - 1].id;
      // Read enough for one page: go on from the next measurement on the next page.
      if (scanned >= MAX_SCANNED_PER_PAGE) return { entries, measurements, next: beforeId > 1 ? { measurementId: beforeId - 1, skip: 0 } : null };
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
