import { startPushReceiver } from '../testing/push-receiver';
import { ACCESS_TOKEN, admin, base, CANCEL, consent, JUMP_PATH, openApi, receiver, request, SECRET, sandbox, useSandbox } from '../testing/sandbox-spec-setup';

// The admin API's own routes: its index, the state, the push URL, input checking and reset.
useSandbox();

describe('admin API', () => {
  it('GET /admin lists the routes', async () => {
    const answer = await request('GET', '/admin');
    const routes = (answer.json.routes as { method: string; path: string }[]).map((r) => `${r.method} ${r.path}`);
    expect(routes).toEqual(
      expect.arrayContaining([
        'POST /admin/push-url',
        'GET /admin/state',
        'POST /admin/pushes/authorized',
        'POST /admin/pushes/cancelled',
        'POST /admin/pushes/measurement',
        'POST /admin/pushes/samples',
        'POST /admin/pushes/duplicate',
        'POST /admin/pushes/empty-data-tag',
        'POST /admin/pushes/out-of-order',
        'POST /admin/pushes/raw',
        'POST /admin/faults',
        'DELETE /admin/faults',
      ]),
    );
  });

  it('GET /admin/state counts, never showing credentials or the push URL token', async () => {
    await openApi(JUMP_PATH);
    await openApi(JUMP_PATH);
    await consent('15312341234');
    await openApi(CANCEL, { json: { phone: '13800001111' } });
    const state = (await request('GET', '/admin/state')).json;
    expect(state).toMatchObject({
      url: base,
      publicUrl: base,
      timeZone: '+08:00',
      calls: { total: 3, byEndpoint: { jump_path: 2, cancel: 1 } },
      authorizedPhones: ['15312341234'],
      pushesSent: 1,
      signsIssued: 2,
      fault: null,
    });
    expect(state.pushUrl).toContain('token=***');
    const text = JSON.stringify(state);
    for (const hidden of [SECRET, ACCESS_TOKEN, 'receiver-token']) expect(text).not.toContain(hidden);
  });

  it('POST /admin/push-url redirects pushes', async () => {
    const other = await startPushReceiver();
    try {
      const answer = await admin('/push-url', { url: other.url });
      expect(answer.json.pushUrl).toContain('token=***');
      await admin('/pushes/authorized', { phone: '15312341234' });
      expect(other.received).toHaveLength(1);
      expect(receiver.received).toHaveLength(0);
      expect((await admin('/push-url', { url: 'not a url' })).status).toBe(400);
      expect((await admin('/push-url', {})).status).toBe(400);
    } finally {
      await other.close();
    }
  });

  it('refuses bad push input with every problem listed', async () => {
    const answer = await admin('/pushes/authorized', { phone: 'x', time: 'yesterday', dataTag: 5 });
    expect(answer.status).toBe(400);
    expect(answer.json.errors).toHaveLength(3);
    expect((await admin('/pushes/samples', {})).status).toBe(400);
    expect((await admin('/pushes/measurement', { phone: '15312341234', dataType: 8 })).status).toBe(400);
    expect((await admin('/pushes/measurement', {})).status).toBe(400);
    expect((await request('POST', '/admin/pushes/raw', { headers: { 'content-type': 'application/json' }, body: '{' })).status).toBe(400);
    expect(receiver.received).toHaveLength(0);
  });

  it('POST /admin/reset forgets everything but the push URL', async () => {
    await consent('15312341234');
    await openApi(JUMP_PATH);
    sandbox.setFault({ latencyMs: 1 });
    await admin('/reset');
    expect(sandbox.calls).toHaveLength(0);
    expect(sandbox.pushesSent).toHaveLength(0);
    expect(sandbox.authorizedPhones.size).toBe(0);
    expect(sandbox.issuedSigns.size).toBe(0);
    expect(sandbox.fault).toBeNull();
    expect(sandbox.pushUrl).toBe(receiver.url);
  });
});
