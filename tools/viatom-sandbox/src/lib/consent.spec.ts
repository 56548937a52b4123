import { parseViatomTime } from '@health-bridge/viatom-protocol';
import { consent, expectValidPush, JUMP_PATH, openApi, receiver, request, sandbox, useSandbox, VIATOM_TIME } from '../testing/sandbox-spec-setup';

// The consent page (HTML and JSON) and the type-2 push that follows a consent.
useSandbox();

describe('consent page', () => {
  it.each(['/auth/', '/auth'])('GET %s serves a self-contained HTML form', async (path) => {
    const answer = await request('GET', path);
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^text\/html/);
    expect(answer.text).toContain('<form method="post" action="/auth/consent">');
    expect(answer.text).toContain('name="phone"');
    expect(answer.text).toContain('name="sign"');
    expect(answer.text).toMatch(/sandbox/i);
    // No external assets: no stylesheet links, no src attributes, no CSS url().
    expect(answer.text).not.toMatch(/<link|src=|url\(/);
  });

  it("answers a browser's /favicon.ico with 204 (no 404 in the console of a page opened in a browser)", async () => {
    const answer = await request('GET', '/favicon.ico');
    expect(answer.status).toBe(204);
    expect(answer.text).toBe('');
  });

  it('consent (JSON) marks the phone authorized and awaits the type-2 push', async () => {
    const answer = await consent(' 15312341234 ');
    expect(answer.json).toMatchObject({
      authorized: true,
      phone: '15312341234',
      sign: null,
      push: { status: 200, ok: true, error: null, message: { type: 2 } },
    });
    expect(sandbox.authorizedPhones.has('15312341234')).toBe(true);
    expect(receiver.received).toHaveLength(1);
    const push = receiver.received[0];
    expect(push.method).toBe('POST');
    expect(push.url).toBe('/webhooks/viatom?token=receiver-token');
    expect(push.headers['content-type']).toMatch(/^application\/json/);
    expect(push.headers['secret']).toBeUndefined();
    expect(push.headers['access-token']).toBeUndefined();
    const message = expectValidPush(push, 2);
    expect(Object.keys(message)).toEqual([
      'type',
      'data_tag',
      'account_id',
      'member_id',
      'device_sn',
      'data',
      'user_info',
      'create_time',
      'update_time',
    ]);
    expect(message).toMatchObject({ type: 2, member_id: 'OA==|LTE=', device_sn: '', data: { phone: '15312341234' }, user_info: {} });
    expect(message['data_tag']).toMatch(/^[0-9a-f]{32}$/);
    expect(message['account_id']).toMatch(/^OA==\|[A-Za-z0-9+/]+=*$/);
    const [left, right] = (message['account_id'] as string).split('|').map((p) => Buffer.from(p, 'base64').toString());
    expect(left).toBe('8');
    expect(right).toMatch(/^\d+$/);
    expect(message['create_time']).toMatch(VIATOM_TIME);
    expect(message['update_time']).toBe(message['create_time']);
    // Written in +08:00: read back in +08:00 it is "now".
    const written = parseViatomTime(message['create_time'], '+08:00')!.getTime();
    expect(Math.abs(written - Date.now())).toBeLessThan(5_000);
    expect(sandbox.pushesSent).toHaveLength(1);
    expect(sandbox.pushesSent[0]).toMatchObject({ trigger: 'consent', status: 200, ok: true, url: receiver.url });
  });

  it('gives the same phone the same account_id', async () => {
    await consent('15312341234');
    await consent('15312341234');
    await consent('13800001111');
    const ids = receiver.received.map((p) => (p.json as { account_id: string }).account_id);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[0]);
  });

  it('consent (form) with an issued sign answers an HTML page with the receiver status', async () => {
    const jumpPath: string = (await openApi(JUMP_PATH)).json.data.jump_path;
    const sign = jumpPath.split('sign=')[1];
    const form = new URLSearchParams({ phone: '15312341234', sign }).toString();
    const answer = await request('POST', '/auth/consent', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^text\/html/);
    expect(answer.text).toContain('Authorized');
    expect(answer.text).toContain('HTTP 200');
    expect(answer.text).not.toContain('receiver-token');
    expect(receiver.received).toHaveLength(1);
  });

  it('tolerates a sign whose "+" became a space (unencoded curl -d)', async () => {
    const sign = ((await openApi(JUMP_PATH)).json.data.jump_path as string).split('sign=')[1];
    const answer = await request('POST', '/auth/consent', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `phone=15312341234&sign=${sign}`,
    });
    expect(answer.status).toBe(200);
  });

  it('refuses a sign it did not issue, and a bad phone', async () => {
    const badSign = await request('POST', '/auth/consent', { json: { phone: '15312341234', sign: 'AAAA+/==' } });
    expect(badSign.status).toBe(400);
    expect(badSign.json).toMatchObject({ authorized: false, error: expect.stringMatching(/sign/) });
    const badPhone = await request('POST', '/auth/consent', { json: { phone: '12-34' } });
    expect(badPhone.status).toBe(400);
    const badForm = await request('POST', '/auth/consent', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'phone=abc',
    });
    expect(badForm.status).toBe(400);
    expect(badForm.contentType).toMatch(/^text\/html/);
    expect(sandbox.authorizedPhones.size).toBe(0);
    expect(receiver.received).toHaveLength(0);
  });

  it('reports the receiver refusing the push', async () => {
    receiver.answer = { status: 500, body: '{"error":"boom"}' };
    const answer = await consent('15312341234');
    expect(answer.json.push).toMatchObject({ status: 500, ok: false, body: '{"error":"boom"}' });
  });

  it('reports a push that could not be sent', async () => {
    sandbox.setPushUrl(null);
    const answer = await consent('15312341234');
    expect(answer.json.push).toMatchObject({ status: null, ok: false, error: 'no push URL configured' });
    expect(sandbox.authorizedPhones.has('15312341234')).toBe(true);
  });
});
