import { testDatabaseTargets } from '@health-bridge/health-archive/testing';
import { fhirProblems } from '@health-bridge/fhir/testing';
import { api, delivered, expectProblem, resetState, startApi, type ApiHarness } from './api-harness';

/** A person's rights through the whole service: the consent ledger, their export, erasure on request. */
describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('people on $name', (target) => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi(target);
  });
  afterAll(() => h?.close());
  beforeEach(() => resetState(h));

  const phone = '15312341234';
  const other = '15398769876';
  const measurements = async (p: string) => (await api(h, 'GET', `/api/v1/measurements?phone=${p}&limit=200`)).body.items as any[];
  const pushes = async (p: string) => (await api(h, 'GET', `/api/v1/pushes?phone=${p}&limit=200`)).body.items as any[];

  describe('GET /api/v1/people/{phone}/consents', () => {
    it('lists every grant and withdrawal, applied or stale, by whom and what carried it, newest first', async () => {
      const [grant] = delivered(await h.sandbox.send.authorized({ phone, time: '2022-12-29 09:00:00' }));
      const [stale] = delivered(await h.sandbox.send.authorized({ phone, time: '2022-12-29 08:00:00' }));
      const cancel = await api(h, 'POST', '/api/v1/authorizations/cancel', { phone }, { 'x-request-id': 'cancel-call-1' });
      expect(cancel.status).toBe(200);
      await h.sandbox.settled();

      const res = await api(h, 'GET', '/api/v1/people/153-1234-1234/consents');
      expect(res.status).toBe(200);
      const byId = new Map((await pushes(phone)).map((p) => [p.dataTag, p.id]));
      const [echo, integrator, ...older] = res.body.items;
      expect(older).toEqual([
        { action: 'granted', by: 'user', sourceTime: '2022-12-29T00:00:00.000Z', receivedAt: expect.any(String), outcome: 'stale', pushId: byId.get((stale.message as any).data_tag), requestId: null },
        { action: 'granted', by: 'user', sourceTime: '2022-12-29T01:00:00.000Z', receivedAt: expect.any(String), outcome: 'applied', pushId: byId.get((grant.message as any).data_tag), requestId: null },
      ]);
      expect(integrator).toMatchObject({ action: 'withdrawn', by: 'integrator', outcome: 'applied', pushId: null, requestId: 'cancel-call-1' });
      // Viatom's type-3 echo of the cancel, from the user's side: dated in whole seconds by Viatom's clock, so older than the
      // cancel itself (stale), unless the cancel fell on a whole second.
      expect(echo).toMatchObject({ action: 'withdrawn', by: 'user', requestId: null, pushId: expect.any(Number) });
      expect(['stale', 'applied']).toContain(echo.outcome);
      expect(res.body.nextCursor).toBeNull();

      const first = await api(h, 'GET', `/api/v1/people/${phone}/consents?limit=3`);
      const next = await api(h, 'GET', `/api/v1/people/${phone}/consents?cursor=${first.body.nextCursor}`);
      expect([...first.body.items, ...next.body.items]).toEqual(res.body.items);
    });

    it('answers 404 for a phone never seen, 400 for junk, 401 without the key', async () => {
      expectProblem(await api(h, 'GET', `/api/v1/people/${other}/consents`), 404);
      expectProblem(await api(h, 'GET', '/api/v1/people/12ab/consents'), 400);
      expectProblem(await api(h, 'GET', `/api/v1/people/${phone}/consents?limit=0`), 400);
      expectProblem(await api(h, 'GET', `/api/v1/people/${phone}/consents`, undefined, { 'x-api-key': 'wrong-key-0123456789' }), 401);
    });
  });

  describe('GET /api/v1/people/{phone}/export', () => {
    it('returns everything held about the person, and nothing about anyone else', async () => {
      for (const p of [phone, other]) {
        delivered(await h.sandbox.send.authorized({ phone: p, time: '2022-12-29 09:00:00' }));
        delivered(await h.sandbox.send.samples({ phone: p }));
      }
      const res = await api(h, 'GET', `/api/v1/people/${phone}/export`);
      expect(res.status).toBe(200);
      const doc = res.body;
      expect(doc).toMatchObject({ phone, authorization: { phone, status: 'authorized' }, exportedAt: expect.any(String) });
      expect(doc.consents).toEqual([expect.objectContaining({ action: 'granted', outcome: 'applied' })]);
      // Every measurement, oldest first, with its observations; every push, with what it said.
      const listed = await measurements(phone);
      expect(doc.measurements).toHaveLength(10);
      expect(doc.measurements).toEqual([...listed].reverse());
      expect(doc.measurements.some((m: any) => m.observations.length > 0)).toBe(true);
      expect(doc.pushes.map((p: any) => p.id)).toEqual((await pushes(phone)).map((p) => p.id).reverse());
      expect(doc.pushes).toHaveLength(11);
      expect(doc.pushes.every((p: any) => p.rawMessage.includes(phone))).toBe(true);
      expect(res.text).not.toContain(other);
      const otherAccount = (await api(h, 'GET', `/api/v1/authorizations/${other}`)).body.accountId;
      expect(res.text).not.toContain(otherAccount);
    });

    it('answers the readings as a valid FHIR R4 collection Bundle with format=fhir', async () => {
      delivered(await h.sandbox.send.authorized({ phone, time: '2022-12-29 09:00:00' }));
      delivered(await h.sandbox.send.samples({ phone }));
      const res = await api(h, 'GET', `/api/v1/people/${phone}/export?format=fhir`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
      expect(fhirProblems(res.body)).toEqual([]);
      expect(res.body).toMatchObject({ resourceType: 'Bundle', type: 'collection' });
      const types = (res.body.entry as any[]).map((e) => e.resource.resourceType);
      const { fhirPatientId } = (await api(h, 'GET', `/api/v1/authorizations/${phone}`)).body;
      expect(res.body.entry[0].resource).toMatchObject({ resourceType: 'Patient', id: fhirPatientId });
      expect(types.filter((t) => t === 'Patient')).toHaveLength(1);
      expect(types.filter((t) => t === 'Observation').length).toBeGreaterThanOrEqual(10);
      expect(types).toContain('Device');
      expect(new Set((res.body.entry as any[]).map((e) => e.fullUrl)).size).toBe(types.length);
    });

    it('answers 404 for a phone never seen, and 400 for an unknown format', async () => {
      expectProblem(await api(h, 'GET', `/api/v1/people/${phone}/export`), 404);
      expectProblem(await api(h, 'GET', `/api/v1/people/${phone}/export?format=fhir`), 404);
      delivered(await h.sandbox.send.authorized({ phone }));
      expectProblem(await api(h, 'GET', `/api/v1/people/${phone}/export?format=xml`), 400);
    });
  });

  describe('DELETE /api/v1/people/{phone}', () => {
    it('cancels at Viatom, deletes at once (no grace period), keeps the ledger and the facts, and says what went', async () => {
      for (const p of [phone, other]) {
        delivered(await h.sandbox.send.authorized({ phone: p, time: '2022-12-29 09:00:00' }));
        delivered(await h.sandbox.send.samples({ phone: p }));
      }
      const res = await api(h, 'DELETE', `/api/v1/people/${phone}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ phone, cancelledAtViatom: true, deleted: true, measurementsDeleted: 10, payloadsDeleted: expect.any(Number), measurementsKeptForSharedAccount: false });
      expect(res.body.payloadsDeleted).toBeGreaterThanOrEqual(11);
      expect(h.sandbox.calls[h.sandbox.calls.length - 1]).toMatchObject({ endpoint: 'cancel', body: { phone } });
      expect(await measurements(phone)).toEqual([]);
      expect((await pushes(phone)).every((p) => p.rawMessage === '' || p.type === 3)).toBe(true);
      expect((await api(h, 'GET', `/api/v1/authorizations/${phone}`)).body).toMatchObject({ status: 'revoked', revokedBy: 'integrator' });
      const ledger = (await api(h, 'GET', `/api/v1/people/${phone}/consents`)).body.items;
      expect(ledger.map((c: any) => [c.action, c.by])).toEqual(expect.arrayContaining([['granted', 'user'], ['withdrawn', 'integrator']]));
      const events = (await api(h, 'GET', '/api/v1/events?types=person.data-deleted')).body.items;
      expect(events).toEqual([expect.objectContaining({ phone, data: expect.objectContaining({ measurementsDeleted: 10 }) })]);
      // Nobody else's data is touched.
      expect(await measurements(other)).toHaveLength(10);

      // Asked again: nothing left, Viatom not called again.
      const calls = h.sandbox.calls.length;
      const again = await api(h, 'DELETE', `/api/v1/people/${phone}`);
      expect(again.body).toEqual({ phone, cancelledAtViatom: false, deleted: false, measurementsDeleted: 0, payloadsDeleted: 0, measurementsKeptForSharedAccount: false });
      expect(h.sandbox.calls.length).toBe(calls);
    });

    it('deletes without calling Viatom when the person had already withdrawn', async () => {
      delivered(await h.sandbox.send.authorized({ phone, time: '2022-12-29 09:00:00' }));
      delivered(await h.sandbox.send.samples({ phone }));
      delivered(await h.sandbox.send.cancelled({ phone, time: '2022-12-29 10:00:00' }));
      const calls = h.sandbox.calls.length;
      const res = await api(h, 'DELETE', `/api/v1/people/${phone}`);
      expect(res.body).toMatchObject({ cancelledAtViatom: false, deleted: true, measurementsDeleted: 10 });
      expect(h.sandbox.calls.length).toBe(calls);
    });

    it.each([
      ['refuses', { errorCode: 101009 }, 502],
      ['is unreachable', { dropConnection: true }, 502],
      ['is slow', { latencyMs: 3000, count: 1 }, 504],
    ])('leaves everything as it was when Viatom %s, and says so', async (_, fault, status) => {
      delivered(await h.sandbox.send.authorized({ phone, time: '2022-12-29 09:00:00' }));
      delivered(await h.sandbox.send.samples({ phone }));
      const before = await api(h, 'GET', `/api/v1/people/${phone}/export`);
      h.sandbox.setFault(fault);
      const res = await api(h, 'DELETE', `/api/v1/people/${phone}`);
      expectProblem(res, status);
      h.sandbox.resetFaults();
      await h.sandbox.settled();
      const after = await api(h, 'GET', `/api/v1/people/${phone}/export`);
      expect({ ...after.body, exportedAt: null }).toEqual({ ...before.body, exportedAt: null });
      expect((await api(h, 'GET', '/api/v1/events?types=person.data-deleted')).body.items).toEqual([]);
    });

    it('answers 404 for a phone never seen, and 400 for junk, calling nobody', async () => {
      const calls = h.sandbox.calls.length;
      expectProblem(await api(h, 'DELETE', `/api/v1/people/${phone}`), 404);
      expectProblem(await api(h, 'DELETE', '/api/v1/people/not-a-phone'), 400);
      expect(h.sandbox.calls.length).toBe(calls);
    });
  });
});
