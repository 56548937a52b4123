import { fhirProblems } from '../testing/fhir-validation';
import { testMeasurement } from '../testing/measurements';
import { OBSERVATION_CATEGORY } from './codes';
import { observationsOf } from './observation';
import { patientOf } from './resources';
import { capabilityStatement, operationOutcome, collectionBundle, searchsetBundle } from './server';

describe('the validation the other tests rely on', () => {
  const good = observationsOf(testMeasurement(6), 'p-7')[0];
  const { code: _code, ...withoutCode } = good;

  it('passes a good resource', () => {
    expect(fhirProblems(good)).toEqual([]);
  });

  it.each([
    ['a status outside its value set', { ...good, status: 'done' }, /status: Code "done" not found/],
    ['a missing code', withoutCode, /code: Missing property/],
    ['a property R4 does not have', { ...good, context: { reference: 'Encounter/1' } }, /context: Unexpected property/],
    ['a value given as text', { ...good, valueQuantity: { ...good.valueQuantity, value: '68' } }, /Number type expected/],
    ['an id FHIR does not allow', { ...good, id: '42_heart rate' }, /is not a FHIR id/],
    ['a dateTime without its zone', { ...good, effectiveDateTime: '2023-09-14T07:25:39' }, /is not a dateTime/],
    ['a category typo', { ...good, category: [{ coding: [{ system: OBSERVATION_CATEGORY, code: 'vital-sign' }] }] }, /vital-sign.*not found/],
    ['an empty array', { ...good, derivedFrom: [] }, /empty array/],
    ['no resource type', { ...good, resourceType: 'Observaton' }, /not a valid resource type/],
    [
      'a broken resource inside a Bundle',
      searchsetBundle([{ ...good, status: 'done' } as unknown as typeof good], {
        selfUrl: 'https://x.example/fhir/Observation',
        baseUrl: 'https://x.example/fhir',
      }),
      /status: Code "done" not found/,
    ],
  ])('catches %s', (_, broken, problem) => {
    expect(fhirProblems(broken)).toEqual(expect.arrayContaining([expect.stringMatching(problem)]));
  });
});

describe('capabilityStatement', () => {
  const statement = capabilityStatement('https://bridge.example/fhir', new Date('2024-05-01T12:00:00.000Z'));

  it('is a valid R4 CapabilityStatement of this server', () => {
    expect(fhirProblems(statement)).toEqual([]);
    expect(statement).toMatchObject({
      status: 'active',
      date: '2024-05-01T12:00:00.000Z',
      kind: 'instance',
      fhirVersion: '4.0.1',
      format: ['application/fhir+json'],
      software: { name: 'health-bridge' },
      implementation: { url: 'https://bridge.example/fhir' },
    });
  });

  it('offers read of each resource, Observation search by patient, code, date and _count, and Patient $everything', () => {
    const resources = statement.rest[0].resource;
    expect(statement.rest[0].mode).toBe('server');
    expect(resources.map((r) => [r.type, r.interaction.map((i) => i.code)])).toEqual([
      ['Patient', ['read']],
      ['Observation', ['read', 'search-type']],
      ['Device', ['read']],
      ['DocumentReference', ['read']],
    ]);
    expect(resources[0].operation).toEqual([{ name: 'everything', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything' }]);
    expect(resources[1].searchParam?.map((p) => [p.name, p.type])).toEqual([
      ['patient', 'reference'],
      ['code', 'token'],
      ['date', 'date'],
      ['_count', 'number'],
    ]);
  });
});

describe('searchsetBundle', () => {
  const observations = observationsOf(testMeasurement(3), 'p-7');

  it('is a valid searchset with self and next links, the total and a fullUrl per match', () => {
    const bundle = searchsetBundle(observations, {
      selfUrl: 'https://bridge.example/fhir/Observation?patient=p-7&_count=3',
      nextUrl: 'https://bridge.example/fhir/Observation?patient=p-7&_count=3&_cursor=abc',
      baseUrl: 'https://bridge.example/fhir/',
      total: 7,
    });
    expect(fhirProblems(bundle)).toEqual([]);
    expect(bundle).toMatchObject({
      resourceType: 'Bundle',
      type: 'searchset',
      total: 7,
      link: [
        { relation: 'self', url: 'https://bridge.example/fhir/Observation?patient=p-7&_count=3' },
        { relation: 'next', url: 'https://bridge.example/fhir/Observation?patient=p-7&_count=3&_cursor=abc' },
      ],
    });
    expect(bundle.entry?.map((e) => [e.fullUrl, e.search?.mode])).toEqual([
      ['https://bridge.example/fhir/Observation/42-blood-pressure', 'match'],
      ['https://bridge.example/fhir/Observation/42-pulse-pressure', 'match'],
      ['https://bridge.example/fhir/Observation/42-pulse-rate', 'match'],
    ]);
    expect(bundle.entry?.[0].resource).toBe(observations[0]);
  });

  it("marks what $everything includes beside the patient, and leaves out next and total when there are none", () => {
    const patient = patientOf({ id: 'p-7', active: true, phone: null, lastUpdated: new Date('2024-03-01T10:00:00Z') });
    const included = observations.map((resource) => ({ resource, mode: 'include' as const }));
    const bundle = searchsetBundle([{ resource: patient, mode: 'match' }, ...included], {
      selfUrl: 'https://bridge.example/fhir/Patient/p-7/$everything',
      baseUrl: 'https://bridge.example/fhir',
    });
    expect(fhirProblems(bundle)).toEqual([]);
    expect(bundle.entry?.map((e) => [e.fullUrl, e.search?.mode])).toEqual([
      ['https://bridge.example/fhir/Patient/p-7', 'match'],
      ['https://bridge.example/fhir/Observation/42-blood-pressure', 'include'],
      ['https://bridge.example/fhir/Observation/42-pulse-pressure', 'include'],
      ['https://bridge.example/fhir/Observation/42-pulse-rate', 'include'],
    ]);
    expect(bundle.link?.map((l) => l.relation)).toEqual(['self']);
    expect(bundle).not.toHaveProperty('total');
  });

  it('collects a person\'s export as a valid collection Bundle, each resource once, without search modes or links', () => {
    const patient = patientOf({ id: 'p-7', active: false, phone: null, lastUpdated: new Date('2024-03-01T10:00:00Z') });
    const bundle = collectionBundle([patient, ...observations, observations[0]], { baseUrl: 'https://bridge.example/fhir/', timestamp: new Date('2024-03-02T00:00:00Z') });
    expect(fhirProblems(bundle)).toEqual([]);
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'collection', timestamp: '2024-03-02T00:00:00.000Z' });
    expect(bundle).not.toHaveProperty('link');
    expect(bundle.entry?.map((e) => e.fullUrl)).toEqual([
      'https://bridge.example/fhir/Patient/p-7',
      'https://bridge.example/fhir/Observation/42-blood-pressure',
      'https://bridge.example/fhir/Observation/42-pulse-pressure',
      'https://bridge.example/fhir/Observation/42-pulse-rate',
    ]);
    expect(bundle.entry?.every((e) => e.search === undefined)).toBe(true);
    expect(fhirProblems(collectionBundle([], { baseUrl: 'https://bridge.example/fhir', timestamp: new Date() }))).toEqual([]);
  });

  it('has no entry array when nothing matched', () => {
    const bundle = searchsetBundle([], {
      selfUrl: 'https://bridge.example/fhir/Observation?code=nothing',
      baseUrl: 'https://bridge.example/fhir',
      total: 0,
    });
    expect(fhirProblems(bundle)).toEqual([]);
    expect(bundle).not.toHaveProperty('entry');
    expect(bundle.total).toBe(0);
  });
});

describe('operationOutcome', () => {
  it.each(['invalid', 'not-found', 'security', 'exception', 'too-costly', 'not-supported'] as const)('is a valid OperationOutcome for %s', (code) => {
    const outcome = operationOutcome(code, 'The date parameter "2024-13" is not a calendar date');
    expect(fhirProblems(outcome)).toEqual([]);
    expect(outcome).toEqual({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code, diagnostics: 'The date parameter "2024-13" is not a calendar date' }],
    });
  });

  it('takes another severity', () => {
    expect(operationOutcome('informational', 'ok', 'information').issue[0].severity).toBe('information');
  });
});
