import { testDatabaseTargets } from '@health-bridge/health-archive/testing';
import { fhirProblems } from '@health-bridge/fhir/testing';
import { testMeasurementPush } from '@health-bridge/viatom-protocol/testing';
import { accountIdForPhone, MEASUREMENT_DATA_TYPES } from '@health-bridge/viatom-sandbox';
import { api, type ApiHarness, delivered, resetState, startApi } from './api-harness';

const FHIR_JSON = /^application\/fhir\+json/;

/** Every resource of a Bundle (or the resource itself) is valid FHIR R4, by the `fhir` package's R4 definitions and the lib's stricter checks. */
function expectValid(resource: any): void {
  expect(fhirProblems(resource)).toEqual([]);
  for (const entry of resource.entry ?? []) expect({ id: entry.resource.id, problems: fhirProblems(entry.resource) }).toEqual({ id: entry.resource.id, problems: [] });
}

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('FHIR R4 under /fhir on $name', (target) => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi(target);
  });
  afterAll(() => h?.close());
  beforeEach(() => resetState(h));

  const phone = '15312341234';
  const other = '15398769876';
  const fhir = async (path: string, headers: Record<string, string> = {}) => {
    const res = await api(h, 'GET', `/fhir/${path}`, undefined, headers);
    expect(res.headers.get('content-type')).toMatch(FHIR_JSON);
    return res;
  };
  const ok = async (path: string) => {
    const res = await fhir(path);
    expect({ path, status: res.status }).toEqual({ path, status: 200 });
    expectValid(res.body);
    return res.body;
  };
  const outcome = async (path: string, status: number, code: string, headers: Record<string, string> = {}) => {
    const res = await fhir(path, headers);
    expect(res.status).toBe(status);
    expectValid(res.body);
    expect(res.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics: expect.any(String) }] });
    return res.body.issue[0].diagnostics as string;
  };
  /** Authorizes the phone, sends one sample of every data type; the person's pseudonymous id. */
  const personWithSamples = async (p: string) => {
    delivered(await h.sandbox.send.authorized({ phone: p, time: '2022-12-29 09:00:00' }));
    delivered(await h.sandbox.send.samples({ phone: p }));
    const res = await api(h, 'GET', `/api/v1/authorizations/${p}`);
    expect(res.body.fhirPatientId).toMatch(/^[0-9a-f]{32}$/);
    return res.body.fhirPatientId as string;
  };
  /** Every entry of a search, following `next` links from the first page. */
  const allEntries = async (path: string) => {
    const entries: any[] = [];
    let url: string | undefined = `${h.url}/fhir/${path}`;
    for (let pages = 0; url; pages++) {
      expect(pages).toBeLessThan(100);
      const body: any = await ok(url.slice(`${h.url}/fhir/`.length));
      entries.push(...(body.entry ?? []));
      url = body.link.find((l: any) => l.relation === 'next')?.url;
      if (url) expect(url.startsWith(`${h.url}/fhir/`)).toBe(true);
    }
    return entries;
  };

  it('serves a CapabilityStatement naming what it supports, with the API key only', async () => {
    const statement = await ok('metadata');
    expect(statement).toMatchObject({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1', format: ['application/fhir+json'] });
    const resources = statement.rest[0].resource.map((r: any) => r.type);
    expect(resources).toEqual(expect.arrayContaining(['Patient', 'Observation', 'Device', 'DocumentReference']));
    await outcome('metadata', 401, 'security', { 'x-api-key': '' });
    await outcome('Observation', 401, 'security', { 'x-api-key': 'wrong-key-wrong-key' });
  });

  it('gives every data type of the protocol document as valid Observations with LOINC codes, UCUM quantities, subject and device', async () => {
    const patientId = await personWithSamples(phone);
    const entries = await allEntries(`Observation?patient=${patientId}`);
    const observations = entries.map((e) => e.resource);
    expect(observations.length).toBeGreaterThan(MEASUREMENT_DATA_TYPES.length);
    for (const o of observations) {
      expect(o).toMatchObject({ resourceType: 'Observation', status: 'final', subject: { reference: `Patient/${patientId}` }, device: { reference: expect.stringMatching(/^Device\//) } });
      expect(o.effectiveDateTime).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      for (const q of [o.valueQuantity, ...(o.component ?? []).map((c: any) => c.valueQuantity)].filter(Boolean)) expect(q.system).toBe('http://unitsofmeasure.org');
    }
    const byLoinc = (code: string) => observations.filter((o) => o.code.coding.some((c: any) => c.system === 'http://loinc.org' && c.code === code));
    const [panel] = byLoinc('85354-9');
    expect(panel.category[0].coding[0]).toMatchObject({ code: 'vital-signs' });
    expect(panel.component.map((c: any) => [c.code.coding[0].code, c.valueQuantity.value, c.valueQuantity.code])).toEqual(
      expect.arrayContaining([
        ['8480-6', 122, 'mm[Hg]'],
        ['8462-4', 80, 'mm[Hg]'],
      ]),
    );
    const [spo2] = byLoinc('2708-6');
    expect(spo2.code.coding.map((c: any) => c.code)).toEqual(expect.arrayContaining(['2708-6', '59408-5']));
    expect(spo2.valueQuantity).toMatchObject({ value: 98, code: '%' });
    expect(byLoinc('8310-5')[0].valueQuantity).toMatchObject({ value: 36.6, code: 'Cel' });
    expect(byLoinc('29463-7')[0].valueQuantity).toMatchObject({ code: 'kg' });
    expect(byLoinc('39156-5')[0].valueQuantity).toMatchObject({ code: 'kg/m2' });
    expect(byLoinc('14743-9')[0].valueQuantity).toMatchObject({ value: 5.4, code: 'mmol/L' });
    // The ECG: its heart rate carries the AI finding and points at its files.
    const ecgMeasurement = (await api(h, 'GET', `/api/v1/measurements?phone=${phone}&kind=ecg`)).body.items[0];
    const ecgRate = observations.find((o) => o.id === `${ecgMeasurement.id}-heart-rate`);
    expect(ecgRate).toMatchObject({ valueQuantity: { value: 75, code: '/min' }, interpretation: [{ text: '窦性心律' }], derivedFrom: [{ reference: `DocumentReference/${ecgMeasurement.id}-files` }] });
    const files = await ok(`DocumentReference/${ecgMeasurement.id}-files`);
    expect(files.content.map((c: any) => c.attachment.url)).toEqual(ecgMeasurement.attachments.map((a: any) => a.url));
    // The same resource read alone.
    expect(await ok(`Observation/${ecgRate.id}`)).toEqual(ecgRate);
    // Every kind of measurement gave at least one Observation.
    const measurementIds = new Set(observations.map((o) => Number(o.id.split('-')[0])));
    expect(measurementIds.size).toBe(MEASUREMENT_DATA_TYPES.length);
  });

  it('pages a search with next links that give every Observation once, and filters by code and date', async () => {
    const patientId = await personWithSamples(phone);
    await personWithSamples(other);
    const all = (await allEntries(`Observation?patient=${patientId}&_count=200`)).map((e) => e.resource.id);
    const paged = (await allEntries(`Observation?patient=Patient/${patientId}&_count=3`)).map((e) => e.resource.id);
    expect(paged).toEqual(all);
    expect(new Set(paged).size).toBe(paged.length);
    const first = await ok(`Observation?patient=${patientId}&_count=3`);
    expect(first.entry).toHaveLength(3);
    expect(first.entry[0].fullUrl).toBe(`${h.url}/fhir/Observation/${first.entry[0].resource.id}`);
    expect(first.link[0]).toEqual({ relation: 'self', url: `${h.url}/fhir/Observation?patient=${patientId}&_count=3` });
    // Everyone's, without patient: both people.
    expect((await allEntries('Observation?_count=200')).length).toBe(all.length * 2);

    const panels = await allEntries(`Observation?patient=${patientId}&code=http://loinc.org|85354-9`);
    expect(panels.map((e) => e.resource.code.coding[0].code)).toEqual(['85354-9']);
    const rates = await allEntries(`Observation?patient=${patientId}&code=8867-4`);
    expect(rates.length).toBeGreaterThanOrEqual(3); // heart rate, the ECG's, the pulse rates
    expect(rates.every((e) => e.resource.code.coding.some((c: any) => c.code === '8867-4'))).toBe(true);
    expect(await allEntries(`Observation?patient=${patientId}&code=http://loinc.org|0000-0`)).toEqual([]);

    const times = (await allEntries(`Observation?patient=${patientId}`)).map((e) => e.resource.effectiveDateTime as string);
    const day = times[0].slice(0, 10);
    expect((await allEntries(`Observation?patient=${patientId}&date=${day}`)).length).toBe(times.filter((t) => t.startsWith(day)).length);
    expect(await allEntries(`Observation?patient=${patientId}&date=lt2000-01-01`)).toEqual([]);
    expect((await allEntries(`Observation?patient=${patientId}&date=ge2000&date=lt2100`)).length).toBe(times.length);
    // Bounds past the year 9999 select all or nothing, on both engines.
    expect((await allEntries(`Observation?patient=${patientId}&date=le9999`)).length).toBe(times.length);
    expect(await allEntries(`Observation?patient=${patientId}&date=gt9999`)).toEqual([]);
  });

  it('names people by a pseudonymous id, never the phone; telecom is off by default', async () => {
    const patientId = await personWithSamples(phone);
    const patient = await ok(`Patient/${patientId}`);
    expect(patient).toMatchObject({ resourceType: 'Patient', id: patientId, active: true });
    expect(JSON.stringify(patient)).not.toContain(phone);
    const observations = await allEntries(`Observation?patient=${patientId}`);
    expect(JSON.stringify(observations)).not.toContain(phone);
    await h.sandbox.send.cancelled({ phone, time: '2022-12-29 12:00:00' });
    expect((await ok(`Patient/${patientId}`)).active).toBe(false);
    // An unknown person: the search is empty, the read is 404.
    expect((await ok('Observation?patient=0123456789abcdef0123456789abcdef')).entry).toBeUndefined();
    await outcome('Patient/0123456789abcdef0123456789abcdef', 404, 'not-found');
  });

  it("names the person asked for as the subject, when two people share one Viatom account", async () => {
    const first = await personWithSamples(phone);
    // A second phone authorized for the same account (a family's one Viatom account).
    delivered(await h.sandbox.send.raw({ message: { type: 2, data_tag: 'shared', account_id: accountIdForPhone(phone), member_id: 'm', device_sn: '', data: { phone: other }, user_info: {}, create_time: '2022-12-29 09:30:00', update_time: '2022-12-29 09:30:00' } }));
    const second = (await api(h, 'GET', `/api/v1/authorizations/${other}`)).body.fhirPatientId;
    expect(second).not.toBe(first);
    for (const id of [first, second]) {
      const entries = await allEntries(`Observation?patient=${id}`);
      expect(entries.length).toBeGreaterThan(0);
      expect(new Set(entries.map((e) => e.resource.subject.reference))).toEqual(new Set([`Patient/${id}`]));
      const everything = await allEntries(`Patient/${id}/$everything`);
      expect(everything.filter((e) => e.resource.subject).every((e) => e.resource.subject.reference === `Patient/${id}`)).toBe(true);
    }
  });

  it('returns a person and all their data as one Bundle ($everything), devices included', async () => {
    const patientId = await personWithSamples(phone);
    await personWithSamples(other);
    const entries = await allEntries(`Patient/${patientId}/$everything`);
    expect(entries[0]).toMatchObject({ resource: { resourceType: 'Patient', id: patientId }, search: { mode: 'match' } });
    const types = new Set(entries.map((e) => e.resource.resourceType));
    expect([...types].sort()).toEqual(['Device', 'DocumentReference', 'Observation', 'Patient']);
    const observations = entries.filter((e) => e.resource.resourceType === 'Observation');
    expect(observations.every((e) => e.resource.subject.reference === `Patient/${patientId}`)).toBe(true);
    expect(observations.length).toBe((await allEntries(`Observation?patient=${patientId}`)).length);
    // Paged, the same resources (devices may repeat on a later page); a page's devices are those of its own measurements.
    const paged = await allEntries(`Patient/${patientId}/$everything?_count=4`);
    const ids = (list: any[]) => [...new Set(list.map((e) => `${e.resource.resourceType}/${e.resource.id}`))].sort();
    expect(ids(paged)).toEqual(ids(entries));
    let url: string | undefined = `Patient/${patientId}/$everything?_count=4`;
    while (url) {
      const page: any = await ok(url);
      const devices = (page.entry ?? []).filter((e: any) => e.resource.resourceType === 'Device').map((e: any) => `Device/${e.resource.id}`);
      // An Observation names its device; a DocumentReference, its author.
      const named = new Set((page.entry ?? []).flatMap((e: any) => [e.resource.device?.reference, ...(e.resource.author ?? []).map((a: any) => a.reference)]).filter(Boolean));
      expect(devices.every((d: string) => named.has(d))).toBe(true);
      url = page.link.find((l: any) => l.relation === 'next')?.url.slice(`${h.url}/fhir/`.length);
    }
    const device = entries.find((e) => e.resource.resourceType === 'Device').resource;
    expect(await ok(`Device/${device.id}`)).toMatchObject({ serialNumber: expect.stringMatching(/^SBX/), manufacturer: 'Viatom (Lepu Medical)' });
    await outcome(`Patient/0123456789abcdef0123456789abcdef/$everything`, 404, 'not-found');
  });

  it('keeps a measurement that does not decode out of FHIR, and answers an OperationOutcome for every bad request', async () => {
    delivered(await h.sandbox.send.authorized({ phone, time: '2022-12-29 09:00:00' }));
    const odd = { data_type: 3, measure_time: '2022-12-29 10:00:00', measure_result: 'sbp=120' };
    delivered(await h.sandbox.send.raw({ message: testMeasurementPush({ data_tag: 'odd', account_id: accountIdForPhone(phone), data: odd, time: '2022-12-29 10:01:00' }) }));
    const { fhirPatientId } = (await api(h, 'GET', `/api/v1/authorizations/${phone}`)).body;
    expect((await ok(`Observation?patient=${fhirPatientId}`)).entry).toBeUndefined();

    expect(await outcome('Observation?_count=0', 400, 'invalid')).toMatch(/_count/);
    expect(await outcome('Observation?_count=201', 400, 'invalid')).toMatch(/_count/);
    expect(await outcome('Observation?date=2024-13-01', 400, 'invalid')).toMatch(/2024-13-01/);
    expect(await outcome('Observation?date=ne2024-01-01', 400, 'invalid')).toMatch(/ne2024-01-01/);
    expect(await outcome('Observation?date=ge2024-01-01T10:00:00', 400, 'invalid')).toMatch(/zone/i);
    expect(await outcome('Observation?code=', 400, 'invalid')).toMatch(/code/);
    expect(await outcome('Observation?patient=a&patient=b', 400, 'invalid')).toMatch(/once/);
    expect(await outcome('Observation?patient=Patient/a%20b', 400, 'invalid')).toMatch(/patient/);
    expect(await outcome('Observation?_cursor=xyz', 400, 'invalid')).toMatch(/next link/);
    await outcome('Observation/1-systolic', 404, 'not-found');
    await outcome('Observation/not-an-id', 404, 'not-found');
    await outcome('Device/zz', 404, 'not-found');
    await outcome(`Device/${Buffer.from('NEVER-SEEN').toString('hex')}`, 404, 'not-found');
    await outcome('DocumentReference/1-files', 404, 'not-found');
    // Unknown search parameters are ignored (FHIR's lenient handling); a modifier is refused, never ignored.
    expect((await ok('Observation?_format=json&foo=bar')).resourceType).toBe('Bundle');
    expect(await outcome('Observation?code:not=85354-9', 400, 'invalid')).toMatch(/modifier/);
    expect(await outcome('Observation?patient:missing=true', 400, 'invalid')).toMatch(/modifier/);
    expect(await outcome(`Patient/${fhirPatientId}/$everything?_count:x=1`, 400, 'invalid')).toMatch(/modifier/);
  });
});

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL).slice(0, 1))('FHIR settings on $name', (target) => {
  it('rate-limits FHIR like the rest of the API, wrong keys included, and says so in an OperationOutcome', async () => {
    const h = await startApi(target, { RATE_LIMIT_API_MAX: '2', RATE_LIMIT_WINDOW_SECONDS: '60' });
    try {
      const statuses: number[] = [];
      let last: any;
      for (let i = 0; i < 4; i++) {
        last = await api(h, 'GET', '/fhir/metadata', undefined, { 'x-api-key': 'wrong-key-wrong-key' });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([401, 401, 429, 429]);
      expect(last.headers.get('content-type')).toMatch(FHIR_JSON);
      expect(last.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'throttled' }] });
      expect(last.headers.get('retry-after')).toMatch(/^\d+$/);
    } finally {
      await h.close();
    }
  });

  it('shows the phone in telecom when FHIR_PATIENT_TELECOM is on, and links under FHIR_BASE_URL', async () => {
    const h = await startApi(target, { FHIR_PATIENT_TELECOM: 'true', FHIR_BASE_URL: 'https://bridge.example.com/fhir/' });
    try {
      await h.sandbox.send.authorized({ phone: '15312341234', time: '2022-12-29 09:00:00' });
      await h.sandbox.send.samples({ phone: '15312341234' });
      const { fhirPatientId } = (await api(h, 'GET', '/api/v1/authorizations/15312341234')).body;
      const patient = (await api(h, 'GET', `/fhir/Patient/${fhirPatientId}`)).body;
      expect(fhirProblems(patient)).toEqual([]);
      expect(patient.telecom).toEqual([{ system: 'phone', value: '15312341234', use: 'mobile' }]);
      const bundle = (await api(h, 'GET', `/fhir/Observation?patient=${fhirPatientId}&_count=1`)).body;
      expect(bundle.link.find((l: any) => l.relation === 'next').url).toMatch(/^https:\/\/bridge\.example\.com\/fhir\/Observation\?patient=.+&_count=1&_cursor=\d+\.\d+$/);
      expect(bundle.entry[0].fullUrl).toMatch(/^https:\/\/bridge\.example\.com\/fhir\/Observation\//);
    } finally {
      await h.close();
    }
  });
});
