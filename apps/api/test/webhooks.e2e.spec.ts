import { testDatabaseTargets } from '@health-bridge/health-archive/testing';
import { api, postPush, pushMessage, resetState, startApi, TEST_WEBHOOK_TOKEN, type ApiHarness, type PushOptions } from './api-harness';

const ACK = { code: 0, message: 'success', reason: '', data: {} };

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('push receiver on $name', (target) => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi(target);
  });
  afterAll(() => h?.close());
  beforeEach(() => resetState(h));

  const pushCount = async () => Number((await h.dataSource.query('SELECT COUNT(*) AS n FROM push_log'))[0].n);
  /** Status and envelope only, to compare whole. */
  const push = (body: unknown, options?: PushOptions) => postPush(h, body, options).then((answer) => ({ status: answer.status, body: answer.body }));
  const message = (overrides: Record<string, unknown> = {}) => pushMessage(overrides);

  it("stores a push and answers in Viatom's envelope", async () => {
    const res = await push(message());
    expect(res).toEqual({ status: 200, body: ACK });
    expect(await pushCount()).toBe(1);
    expect((await api(h, 'GET', '/api/v1/authorizations/15312341234')).body.status).toBe('authorized');
  });

  it('answers a duplicate 200 and stores it once', async () => {
    const m = message();
    expect((await push(m)).status).toBe(200);
    expect(await push(m)).toEqual({ status: 200, body: ACK });
    expect(await pushCount()).toBe(1);
  });

  it('keeps fields Viatom may add, and acknowledges unknown types', async () => {
    expect((await push(message({ type: 9, new_field: { x: 1 } }))).status).toBe(200);
    const log = await api(h, 'GET', '/api/v1/pushes');
    expect(log.body.items[0]).toMatchObject({ type: 9, outcome: 'ignored', message: expect.objectContaining({ new_field: { x: 1 } }) });
  });

  it.each([
    ['a missing type', { type: undefined }, 'type'],
    ['a type that is no integer', { type: 'two' }, 'type'],
    ['no phone on type 2', { data: {} }, 'data.phone'],
    ['a bad phone', { data: { phone: 'abc' } }, 'data.phone'],
    ['data that is not an object', { data: [1, 2] }, 'data'],
    ['an account_id that is an object', { account_id: { id: 8 } }, 'account_id'],
    ['an id longer than 1,024 characters', { member_id: 'm'.repeat(1025) }, 'member_id'],
    ['a lone surrogate in a measurement (PostgreSQL cannot store it)', { type: 1, data: { data_type: 2, remark: 'a\udc00' } }, 'body.data.remark: must be well-formed Unicode'],
  ])('answers 400 with code ≠ 0 for %s, and stores nothing', async (_, overrides, field) => {
    const res = await push(message(overrides));
    expect(res.status).toBe(400);
    expect(res.body.code).not.toBe(0);
    expect(res.body.message).toContain(field);
    expect(await pushCount()).toBe(0);
  });

  it('answers 400 for a body that is not a JSON object, malformed JSON, or prototype-pollution keys', async () => {
    for (const body of ['[1,2]', '"text"', '{"type": 2,', '{"type":2,"__proto__":{"polluted":true}}', '{"type":2,"constructor":{"prototype":{"x":1}}}', '']) {
      const res = await push(body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: expect.any(Number), reason: '', data: null });
      expect(res.body.code).not.toBe(0);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await pushCount()).toBe(0);
  });

  it("stores a JSON push labelled text/plain, and answers 400 in Viatom's envelope to a body that is not JSON", async () => {
    const res = await postPush(h, message(), { headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(200);
    expect(await pushCount()).toBe(1);
    const notJson = await postPush(h, 'type=2&phone=15312341234', { headers: { 'content-type': 'text/plain' } });
    expect(notJson).toMatchObject({ status: 400, body: { code: 20015, reason: '', data: null } });
    expect(await pushCount()).toBe(1);
  });

  it('requires the webhook token, in the query or the header', async () => {
    expect((await push(message(), { token: '' })).status).toBe(401);
    const wrong = await push(message(), { token: 'not-the-token-at-all' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).not.toBe(0);
    expect(await pushCount()).toBe(0);
    expect((await push(message(), { token: '', headers: { 'x-webhook-token': TEST_WEBHOOK_TOKEN } })).status).toBe(200);
    expect(await pushCount()).toBe(1);
  });

  it('does not take the API key instead of the webhook token', async () => {
    const res = await push(message(), { token: '', headers: { 'x-api-key': 'test-api-key-0123456789' } });
    expect(res.status).toBe(401);
  });
});

describe('push receiver with a body limit', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi({ name: 'sqlite' }, { BODY_LIMIT_BYTES: '2048' });
  });
  afterAll(() => h?.close());

  it('answers 413 above the limit and stores nothing', async () => {
    const res = await postPush(h, { type: 1, data: { blob: 'x'.repeat(4096) } });
    expect(res.status).toBe(413);
    const problem = await api(h, 'POST', '/api/v1/authorizations/cancel', { phone: '1'.repeat(3000) });
    expect(problem.status).toBe(413);
    expect(problem.headers.get('content-type')).toContain('application/problem+json');
    expect(Number((await h.dataSource.query('SELECT COUNT(*) AS n FROM push_log'))[0].n)).toBe(0);
  });
});

describe('push receiver with a webhook token that looks like a digest', () => {
  const token = 'sha256:this-is-the-token-itself-not-a-digest';
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi({ name: 'sqlite' }, { WEBHOOK_TOKEN: token });
  });
  afterAll(() => h?.close());

  it('takes the token as given (API_KEYS alone read sha256: digests)', async () => {
    const send = (given: string) => postPush(h, pushMessage(), { token: given });
    expect((await send(token)).status).toBe(200);
    expect((await send('sha256:other-token-of-the-same-shape')).status).toBe(401);
  });
});
