import { createHash } from 'node:crypto';
import { testDatabaseTargets } from '@health-bridge/health-archive/testing';
import { api, delivered, expectProblem, postPush, pushMessage, resetState, startApi, TEST_API_KEY, type ApiHarness } from './api-harness';

const OTHER_KEY = 'an-unnamed-integrator-key-0123456789';
const fingerprint = `key-${createHash('sha256').update(OTHER_KEY).digest('hex').slice(0, 8)}`;

/** The access audit through the whole service: every answer that reveals a person's data is recorded, by key name, route and person. */
describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('access audit on $name', (target) => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi(target, { API_KEYS: `crm:${TEST_API_KEY},${OTHER_KEY}` });
  });
  afterAll(() => h?.close());
  beforeEach(async () => {
    await resetState(h);
    for (const phone of [PHONE, OTHER]) {
      delivered(await h.sandbox.send.authorized({ phone, time: '2022-12-29 09:00:00' }));
      delivered(await h.sandbox.send.samples({ phone }));
    }
  });

  const PHONE = '15312341234';
  const OTHER = '13900001111';
  const audit = async (query = '') => {
    const res = await api(h, 'GET', `/api/v1/audit${query}`);
    expect(res.status).toBe(200);
    return res.body.items as Array<{ apiKey: string; method: string; route: string; personHash: string; requestId: string | null; status: number; at: string }>;
  };
  const hash = (phone: string) => h.protection.phoneHash(phone);

  it('records each reading route with the key\'s name, the route pattern, the person\'s hash and the request id', async () => {
    const { fhirPatientId } = (await api(h, 'GET', `/api/v1/authorizations/${PHONE}`, undefined, { 'x-request-id': 'read-1' })).body;
    const observations = (await api(h, 'GET', `/fhir/Observation?patient=${fhirPatientId}&_count=3`)).body;
    const reads: Array<[string, string]> = [
      ['GET', `/api/v1/pushes?phone=153-1234-1234`],
      ['GET', `/api/v1/measurements?phone=${PHONE}`],
      ['GET', `/api/v1/people/${PHONE}/consents`],
      ['GET', `/api/v1/people/${PHONE}/export`],
      ['GET', `/api/v1/people/${PHONE}/export?format=fhir`],
      ['GET', `/fhir/Patient/${fhirPatientId}`],
      ['GET', `/fhir/Patient/${fhirPatientId}/$everything`],
      ['GET', `/fhir/Observation/${observations.entry[0].resource.id}`],
    ];
    for (const [method, path] of reads) expect({ path, status: (await api(h, method, path)).status }).toEqual({ path, status: 200 });

    const mine = await audit(`?phone=${PHONE}`);
    expect(mine.every((r) => r.personHash === hash(PHONE) && r.apiKey === 'crm' && r.status === 200)).toBe(true);
    expect(mine.map((r) => r.route).reverse()).toEqual([
      '/api/v1/authorizations/:phone',
      '/fhir/Observation',
      '/api/v1/pushes',
      '/api/v1/measurements',
      '/api/v1/people/:phone/consents',
      '/api/v1/people/:phone/export',
      '/api/v1/people/:phone/export',
      '/fhir/Patient/:id',
      '/fhir/Patient/:id/$everything',
      '/fhir/Observation/:id',
    ]);
    expect(mine[mine.length - 1].requestId).toBe('read-1');
    expect(mine.every((r) => r.requestId)).toBe(true);
    // Nothing about the other person was read: nothing recorded about them.
    expect(await audit(`?phone=${OTHER}`)).toEqual([]);
    // Neither a key nor a phone in what the audit answers.
    const text = JSON.stringify(await audit());
    for (const secret of [TEST_API_KEY, PHONE, OTHER]) expect(text).not.toContain(secret);
  });

  it('records every person a list shows, and the cancel and the erasure, by the unnamed key\'s fingerprint', async () => {
    const as = { 'x-api-key': OTHER_KEY };
    expect((await api(h, 'GET', '/api/v1/authorizations', undefined, as)).status).toBe(200);
    expect((await api(h, 'GET', '/api/v1/measurements?limit=200', undefined, as)).status).toBe(200);
    expect((await api(h, 'GET', '/api/v1/events?limit=200', undefined, as)).status).toBe(200);
    expect((await api(h, 'POST', '/api/v1/authorizations/cancel', { phone: OTHER }, as)).status).toBe(200);
    expect((await api(h, 'DELETE', `/api/v1/people/${PHONE}`, undefined, as)).status).toBe(200);
    const rows = await audit();
    expect(rows.every((r) => r.apiKey === fingerprint)).toBe(true);
    const byRoute = (route: string) => rows.filter((r) => r.route === route).map((r) => r.personHash).sort();
    const both = [hash(PHONE), hash(OTHER)].sort();
    expect(byRoute('/api/v1/authorizations')).toEqual(both);
    expect(byRoute('/api/v1/measurements')).toEqual(both);
    expect(byRoute('/api/v1/events')).toEqual(both);
    expect(byRoute('/api/v1/authorizations/cancel')).toEqual([hash(OTHER)]);
    expect(rows.find((r) => r.route === '/api/v1/people/:phone')).toMatchObject({ method: 'DELETE', personHash: hash(PHONE) });
  });

  it('records the person a measurement names in its data, when its account has no authorization here', async () => {
    const STRANGER = '13912345679';
    const push = pushMessage({
      type: 1,
      data_tag: 'unknown-account-1',
      account_id: 'ACC-UNKNOWN-3',
      data: { data_type: 3, phone: `+86 ${STRANGER}`, measure_result: { systolic: { value: 150, unit: 'mmHg' } } },
    });
    expect((await postPush(h, push)).status).toBe(200);
    const page = await api(h, 'GET', '/api/v1/measurements?observation=systolic&min=145');
    expect(page.body.items.map((m: { accountId: string }) => m.accountId)).toEqual(['ACC-UNKNOWN-3']);
    expect((await audit(`?phone=${STRANGER}`)).map((r) => r.route)).toEqual(['/api/v1/measurements']);
  });

  it('records nothing for an answer that revealed nothing: refused, unknown, or empty', async () => {
    await api(h, 'GET', `/api/v1/authorizations/${PHONE}`, undefined, { 'x-api-key': 'a-wrong-key-0123456789' });
    await api(h, 'GET', '/api/v1/authorizations/15300000000');
    await api(h, 'GET', '/api/v1/people/12ab/export');
    await api(h, 'GET', '/api/v1/measurements?kind=weight&observation=weight&min=1000');
    expect(await audit()).toEqual([]);
  });

  it('filters by time, pages newest first, and refuses junk with a 400', async () => {
    await api(h, 'GET', `/api/v1/authorizations/${PHONE}`);
    const between = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await api(h, 'GET', `/api/v1/authorizations/${PHONE}`);
    await api(h, 'GET', `/api/v1/authorizations/${PHONE}`);
    expect(await audit(`?to=${between}`)).toHaveLength(1);
    expect(await audit(`?from=${between}`)).toHaveLength(2);
    const first = await api(h, 'GET', '/api/v1/audit?limit=2');
    const next = await api(h, 'GET', `/api/v1/audit?cursor=${first.body.nextCursor}`);
    expect([...first.body.items, ...next.body.items].map((r: { at: string }) => r.at)).toEqual((await audit()).map((r) => r.at));
    for (const junk of ['?phone=12ab', '?from=yesterday', '?limit=0', '?cursor=nope', '?who=me']) expectProblem(await api(h, 'GET', `/api/v1/audit${junk}`), 400);
  });
});
