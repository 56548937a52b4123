import { testDatabaseTargets } from '@health-bridge/health-archive/testing';
import { api, startApi, type ApiHarness } from './api-harness';

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('authorizations API on $name', (target) => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi(target);
  });
  afterAll(() => h?.close());
  beforeEach(async () => {
    h.sandbox.resetFaults();
    await h.dataSource.query('DELETE FROM measurement');
    await h.dataSource.query('DELETE FROM push_log');
    await h.dataSource.query('DELETE FROM user_authorization');
  });

  const expectProblem = (res: { status: number; headers: Headers; body: any }, status: number) => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
    expect(JSON.stringify(res.body)).not.toMatch(/stack|at Object\.|\.ts:\d+/);
  };
  const authorize = async (phone: string, time?: string) => {
    const [record] = await h.sandbox.send.authorized({ phone, time });
    expect(record.status).toBe(200);
  };

  describe('POST /api/v1/authorizations/auth-url', () => {
    it("returns Viatom's URL byte for byte", async () => {
      const res = await api(h, 'POST', '/api/v1/authorizations/auth-url');
      expect(res.status).toBe(200);
      const issued = [...h.sandbox.issuedSigns];
      expect(issued).toHaveLength(1);
      expect(res.body.jumpPath).toBe(`${h.sandbox.publicUrl}/auth/#/?sign=${issued[0]}`);
      expect(res.body.jumpPath).toMatch(/\+/);
      expect(res.body.jumpPath).toMatch(/sign=.*\//);
      expect(res.body.jumpPath).toMatch(/=/);
      const call = h.sandbox.calls[h.sandbox.calls.length - 1];
      expect(call).toMatchObject({ endpoint: 'jump_path', secret: 'valid', accessToken: 'valid', language: 'zh-CN' });
    });

    it('passes the language asked for, also with an empty JSON body', async () => {
      await api(h, 'POST', '/api/v1/authorizations/auth-url', { language: 'en-US' });
      expect(h.sandbox.calls[h.sandbox.calls.length - 1].language).toBe('en-US');
      const empty = await api(h, 'POST', '/api/v1/authorizations/auth-url', '');
      expect(empty.status).toBe(200);
    });

    it('rejects a bad language and unknown fields with 400, without calling Viatom', async () => {
      const before = h.sandbox.calls.length;
      const bad = await api(h, 'POST', '/api/v1/authorizations/auth-url', { language: 'fr-FR' });
      expectProblem(bad, 400);
      expect(bad.body.errors).toEqual([{ field: 'language', message: expect.stringContaining('zh-CN, en-US') }]);
      const unknown = await api(h, 'POST', '/api/v1/authorizations/auth-url', { language: 'zh-CN', extra: 1 });
      expectProblem(unknown, 400);
      expect(unknown.body.errors[0]).toMatchObject({ field: 'extra' });
      expect(h.sandbox.calls.length).toBe(before);
    });

    it('needs a valid API key', async () => {
      expectProblem(await api(h, 'POST', '/api/v1/authorizations/auth-url', undefined, { 'x-api-key': '' }), 401);
      expectProblem(await api(h, 'POST', '/api/v1/authorizations/auth-url', undefined, { 'x-api-key': 'wrong-key-wrong-key' }), 401);
    });

    it("maps Viatom's refusal to 502 with its code and message, never its reason", async () => {
      h.sandbox.setFault({ errorCode: 100005, errorMessage: 'service disabled' });
      const res = await api(h, 'POST', '/api/v1/authorizations/auth-url');
      expectProblem(res, 502);
      expect(res.body).toMatchObject({ viatomCode: 100005, viatomMessage: 'service disabled', type: '/problems/viatom-refused' });
      expect(res.body).not.toHaveProperty('reason');
    });

    it('says when the service credentials are wrong', async () => {
      h.sandbox.setFault({ errorCode: 109997 });
      const res = await api(h, 'POST', '/api/v1/authorizations/auth-url');
      expectProblem(res, 502);
      expect(res.body.type).toBe('/problems/viatom-credentials-rejected');
      expect(res.body.detail).toContain('VIATOM_SECRET');
    });

    it('answers 504 when Viatom is too slow, 502 for a dropped connection or a non-JSON answer', async () => {
      h.sandbox.setFault({ latencyMs: 3000, count: 1 });
      expectProblem(await api(h, 'POST', '/api/v1/authorizations/auth-url'), 504);
      // A dropped connection is retried: dropped on every attempt. (More in viatom-resilience.e2e.spec.ts.)
      h.sandbox.setFault({ dropConnection: true });
      expectProblem(await api(h, 'POST', '/api/v1/authorizations/auth-url'), 502);
      h.sandbox.setFault({ nonJson: true, count: 1 });
      const nonJson = await api(h, 'POST', '/api/v1/authorizations/auth-url');
      expectProblem(nonJson, 502);
      expect(nonJson.body.detail).toContain('not JSON');
      h.sandbox.setFault({ httpStatus: 500, count: 1 });
      expectProblem(await api(h, 'POST', '/api/v1/authorizations/auth-url'), 502);
    });
  });

  describe('POST /api/v1/authorizations/cancel', () => {
    it('revokes the authorization by the integrator once Viatom said yes', async () => {
      await authorize('15312341234', '2022-12-29 16:33:40');
      const res = await api(h, 'POST', '/api/v1/authorizations/cancel', { phone: ' 15312341234 ' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ phone: '15312341234', status: 'revoked', revokedBy: 'integrator', authorizedAt: '2022-12-29T08:33:40.000Z' });
      expect(new Date(res.body.revokedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
      expect(h.sandbox.calls[h.sandbox.calls.length - 1]).toMatchObject({ endpoint: 'cancel', body: { phone: '15312341234' } });

      // Viatom then pushes the type-3 echo: stored, and the integrator stays the one who revoked.
      await h.sandbox.settled();
      const after = await api(h, 'GET', '/api/v1/authorizations/15312341234');
      expect(after.body).toMatchObject({ status: 'revoked', revokedBy: 'integrator' });
      const pushes = await api(h, 'GET', '/api/v1/pushes?phone=15312341234&type=3');
      expect(pushes.body.items).toHaveLength(1);
    });

    it("leaves the state unchanged when Viatom refuses (502 with Viatom's code)", async () => {
      await authorize('15312341234');
      h.sandbox.setFault({ errorCode: 101009 });
      const res = await api(h, 'POST', '/api/v1/authorizations/cancel', { phone: '15312341234' });
      expectProblem(res, 502);
      expect(res.body.viatomCode).toBe(101009);
      expect((await api(h, 'GET', '/api/v1/authorizations/15312341234')).body.status).toBe('authorized');
    });

    it('leaves the state unchanged when Viatom is slow (504)', async () => {
      await authorize('15312341234');
      h.sandbox.setFault({ latencyMs: 3000, count: 1 });
      expectProblem(await api(h, 'POST', '/api/v1/authorizations/cancel', { phone: '15312341234' }), 504);
      expect((await api(h, 'GET', '/api/v1/authorizations/15312341234')).body.status).toBe('authorized');
    });

    it('rejects a bad phone with 400 and calls nobody', async () => {
      const before = h.sandbox.calls.length;
      for (const phone of ['12ab', '12345', '+', '1'.repeat(21), 12345678, null]) {
        const res = await api(h, 'POST', '/api/v1/authorizations/cancel', { phone });
        expectProblem(res, 400);
        expect(res.body.errors.some((e: { field: string }) => e.field === 'phone')).toBe(true);
      }
      expectProblem(await api(h, 'POST', '/api/v1/authorizations/cancel', {}), 400);
      expectProblem(await api(h, 'POST', '/api/v1/authorizations/cancel', { phone: '15312341234', admin: true }), 400);
      expect(h.sandbox.calls.length).toBe(before);
    });
  });

  describe('GET /api/v1/authorizations', () => {
    it('returns an authorization by phone in any written form, 404 if never seen, 400 for a non-phone', async () => {
      await authorize('+8615312341234', '2022-12-29 16:33:40');
      for (const form of ['15312341234', '+86 153-1234-1234', '(0086) 153.1234.1234', '１５３１２３４１２３４']) {
        const same = await api(h, 'GET', `/api/v1/authorizations/${encodeURIComponent(form)}`);
        expect(same.status).toBe(200);
        expect(same.body.phone).toBe('15312341234');
      }
      const res = await api(h, 'GET', `/api/v1/authorizations/${encodeURIComponent('+8615312341234')}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        phone: '15312341234',
        status: 'authorized',
        accountId: expect.any(String),
        memberId: expect.any(String),
        authorizedAt: '2022-12-29T08:33:40.000Z',
        revokedAt: null,
        revokedBy: null,
        updatedAt: expect.stringMatching(/Z$/),
        fhirPatientId: expect.stringMatching(/^[0-9a-f]{32}$/),
      });
      expectProblem(await api(h, 'GET', '/api/v1/authorizations/15300000000'), 404);
      expectProblem(await api(h, 'GET', '/api/v1/authorizations/not-a-phone'), 400);
    });

    it('lists newest first by cursor, filtered by status', async () => {
      for (let i = 0; i < 5; i++) await authorize(`1530000000${i}`);
      await h.sandbox.send.cancelled({ phone: '15300000001' });

      const first = await api(h, 'GET', '/api/v1/authorizations?limit=2');
      expect(first.status).toBe(200);
      expect(first.body.items.map((a: { phone: string }) => a.phone)).toEqual(['15300000004', '15300000003']);
      const second = await api(h, 'GET', `/api/v1/authorizations?limit=2&cursor=${first.body.nextCursor}`);
      expect(second.body.items.map((a: { phone: string }) => a.phone)).toEqual(['15300000002', '15300000001']);
      const third = await api(h, 'GET', `/api/v1/authorizations?limit=2&cursor=${second.body.nextCursor}`);
      expect(third.body).toEqual({ items: [expect.objectContaining({ phone: '15300000000' })], nextCursor: null });

      const revoked = await api(h, 'GET', '/api/v1/authorizations?status=revoked');
      expect(revoked.body.items.map((a: { phone: string }) => a.phone)).toEqual(['15300000001']);
    });

    it('rejects bad query parameters with 400', async () => {
      for (const query of ['limit=0', 'limit=201', 'limit=abc', 'status=maybe', 'cursor=garbage!', `cursor=${Buffer.from('id:x').toString('base64url')}`, 'unknown=1', "status=' OR 1=1 --"]) {
        expectProblem(await api(h, 'GET', `/api/v1/authorizations?${query}`), 400);
      }
    });
  });
});

describe('authorizations API with Viatom unreachable', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    // Port 9 (discard) on loopback: nothing listens there, the connection is refused.
    h = await startApi({ name: 'sqlite' }, { VIATOM_BASE_URL: 'http://127.0.0.1:9' });
  });
  afterAll(() => h?.close());

  it('answers 503 problem+json and changes nothing', async () => {
    await h.sandbox.send.authorized({ phone: '15312341234' });
    const urlRes = await api(h, 'POST', '/api/v1/authorizations/auth-url');
    expect(urlRes.status).toBe(503);
    expect(urlRes.body.type).toBe('/problems/viatom-unavailable');
    const cancel = await api(h, 'POST', '/api/v1/authorizations/cancel', { phone: '15312341234' });
    expect(cancel.status).toBe(503);
    expect(cancel.headers.get('retry-after')).toBeTruthy();
    expect((await api(h, 'GET', '/api/v1/authorizations/15312341234')).body.status).toBe('authorized');
  });
});
