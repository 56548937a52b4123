import { createSandbox } from '../index';
import { ACCESS_TOKEN, admin, CANCEL, consent, GOOD_HEADERS, JUMP_PATH, openApi, request, SECRET, sandbox, useSandbox } from '../testing/sandbox-spec-setup';

// The faults an open-API call can be given (admin API and in-process), and what each does to the answer.
useSandbox();

describe('faults', () => {
  it('errorCode: the envelope with that code, then normal once the count is used', async () => {
    const setAnswer = await admin('/faults', { errorCode: 109999, errorMessage: 'busy!', count: 1 });
    expect(setAnswer.json).toEqual({ fault: { errorCode: 109999, errorMessage: 'busy!', count: 1 } });
    const faulted = await openApi(JUMP_PATH);
    expect(faulted.status).toBe(200);
    expect(faulted.json).toEqual({ code: 109999, message: 'busy!', reason: expect.any(String), data: null });
    expect(sandbox.calls[0].fault).toEqual({ errorCode: 109999, errorMessage: 'busy!', count: 1 });
    const normal = await openApi(JUMP_PATH);
    expect(normal.json.code).toBe(0);
    expect(sandbox.fault).toBeNull();
  });

  it('errorCode without a message: Viatom\'s text for the code', async () => {
    sandbox.setFault({ errorCode: 109999 });
    const answer = await openApi(JUMP_PATH, { headers: { ...GOOD_HEADERS, language: 'en-US' } });
    expect(answer.json.message).toBe('system busy, try again later');
  });

  it('httpStatus: a non-envelope error body with that status', async () => {
    sandbox.setFault({ httpStatus: 502 });
    const answer = await openApi(CANCEL, { json: { phone: '15312341234' } });
    expect(answer.status).toBe(502);
    expect(answer.json).toMatchObject({ status: 502, error: 'Bad Gateway', path: CANCEL });
    expect(answer.json.code).toBeUndefined();
  });

  it('httpStatus with errorCode: the envelope with that status', async () => {
    sandbox.setFault({ httpStatus: 503, errorCode: 109999 });
    const answer = await openApi(JUMP_PATH);
    expect(answer.status).toBe(503);
    expect(answer.json.code).toBe(109999);
  });

  it('nonJson: 200 text/html "not json"', async () => {
    sandbox.setFault({ nonJson: true });
    const answer = await openApi(JUMP_PATH);
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^text\/html/);
    expect(answer.text).toBe('not json');
  });

  it('noEnvelope: 200 JSON without code', async () => {
    sandbox.setFault({ noEnvelope: true });
    const answer = await openApi(JUMP_PATH);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual(expect.any(Object));
    expect(answer.json.code).toBeUndefined();
  });

  it('oversized: 200, an envelope padded past 2 MiB', async () => {
    sandbox.setFault({ oversized: true, count: 1 });
    const answer = await openApi(JUMP_PATH);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ code: 0, data: { jump_path: '' } });
    expect(answer.text.length).toBeGreaterThan(2 * 1024 * 1024);
  });

  it('dropConnection: the socket is destroyed without an answer', async () => {
    await admin('/faults', { dropConnection: true });
    await expect(openApi(JUMP_PATH)).rejects.toThrow();
    expect(sandbox.calls[0].answer).toEqual({ dropped: true });
  });

  it('latencyMs: a slow, otherwise normal answer', async () => {
    sandbox.setFault({ latencyMs: 300 });
    const started = performance.now();
    const answer = await openApi(JUMP_PATH);
    expect(performance.now() - started).toBeGreaterThanOrEqual(280);
    expect(answer.json.code).toBe(0);
  });

  it('latencyMs combines with an answer fault', async () => {
    sandbox.setFault({ latencyMs: 150, errorCode: 100005 });
    const started = performance.now();
    const answer = await openApi(JUMP_PATH);
    expect(performance.now() - started).toBeGreaterThanOrEqual(130);
    expect(answer.json.code).toBe(100005);
  });

  it('count: only the next N calls, counted down in the state', async () => {
    sandbox.setFault({ errorCode: 109999, count: 2 });
    expect((await openApi(JUMP_PATH)).json.code).toBe(109999);
    expect((await request('GET', '/admin/state')).json.fault).toEqual({ errorCode: 109999, count: 1 });
    expect((await openApi(JUMP_PATH)).json.code).toBe(109999);
    expect((await request('GET', '/admin/state')).json.fault).toBeNull();
    expect((await openApi(JUMP_PATH)).json.code).toBe(0);
  });

  it('endpoints: only the listed endpoint is faulted and counted', async () => {
    sandbox.setFault({ errorCode: 109999, count: 1, endpoints: ['cancel'] });
    expect((await openApi(JUMP_PATH)).json.code).toBe(0);
    expect((await openApi(CANCEL, { json: { phone: '15312341234' } })).json.code).toBe(109999);
    expect((await openApi(CANCEL, { json: { phone: '15312341234' } })).json.code).toBe(101009);
  });

  it('never applies to admin or consent routes', async () => {
    sandbox.setFault({ dropConnection: true });
    expect((await request('GET', '/admin/state')).status).toBe(200);
    expect((await request('GET', '/auth/')).status).toBe(200);
    expect((await consent('15312341234')).json.authorized).toBe(true);
    expect(sandbox.fault).toEqual({ dropConnection: true });
  });

  it('DELETE /admin/faults resets', async () => {
    sandbox.setFault({ errorCode: 109999 });
    const answer = await request('DELETE', '/admin/faults');
    expect(answer.json).toEqual({ fault: null });
    expect((await openApi(JUMP_PATH)).json.code).toBe(0);
  });

  it('refuses a fault that makes no sense, listing every problem', async () => {
    const answer = await admin('/faults', { nonJson: true, dropConnection: true, count: 0, endpoints: ['other'], colour: 'red' });
    expect(answer.status).toBe(400);
    expect(answer.json.errors).toHaveLength(4);
    expect((await admin('/faults', {})).status).toBe(400);
    expect(() => sandbox.setFault({ errorCode: 0 })).toThrow(TypeError);
    expect(sandbox.fault).toBeNull();
  });

  it('close() does not wait for a pending latency', async () => {
    const other = createSandbox({ secret: SECRET, accessToken: ACCESS_TOKEN });
    const url = await other.listen();
    other.setFault({ latencyMs: 60_000 });
    const pending = fetch(`${url}${JUMP_PATH}`, { method: 'POST', headers: GOOD_HEADERS }).then(
      (r) => r.status,
      () => 'failed',
    );
    while (other.calls.length === 0) await new Promise((r) => setTimeout(r, 10));
    const started = performance.now();
    await other.close();
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(await pending).toBe('failed');
  });
});
