import { parseViatomTime, validatePush } from '@health-bridge/viatom-protocol';
import { createSandbox, MEASUREMENT_DATA_TYPES, type Sandbox } from '../index';
import { startPushReceiver, type PushReceiver, type ReceivedPush } from '../testing/push-receiver';

const SECRET = 'test-secret-s3cr3t';
const ACCESS_TOKEN = 'test-access-token-t0k3n';
const JUMP_PATH = '/api/v1/open/auth/jump_path';
const CANCEL = '/api/v1/open/auth/cancel';
const GOOD_HEADERS = { secret: SECRET, 'access-token': ACCESS_TOKEN, language: 'zh-CN' };
const VIATOM_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

interface Answer {
  status: number;
  contentType: string | null;
  text: string;
  json: any;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

let sandbox: Sandbox;
let receiver: PushReceiver;
let base: string;

async function request(
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string; json?: unknown } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  let body = options.body;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  const response = await fetch(`${base}${path}`, { method, headers, body });
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type'), text, json: parse(text) };
}

/** An open-API call as Viatom's clients make it. */
function openApi(path: string, options: { headers?: Record<string, string>; json?: unknown; body?: string } = {}) {
  return request('POST', path, {
    headers: { 'content-type': 'application/json', ...(options.headers ?? GOOD_HEADERS) },
    body: options.json !== undefined ? JSON.stringify(options.json) : options.body,
  });
}

const admin = (path: string, json?: unknown) => request('POST', `/admin${path}`, { json: json ?? {} });

/** Consent through the sandbox's page (JSON flavour): authorizes the phone and sends the type-2 push. */
async function consent(phone: string) {
  const answer = await request('POST', '/auth/consent', { json: { phone } });
  expect(answer.status).toBe(200);
  return answer;
}

function expectValidPush(push: ReceivedPush, type: number) {
  const result = validatePush(push.json);
  if (!result.ok) throw new Error(`invalid push: ${result.errors.join('; ')}`);
  expect(result.push.type).toBe(type);
  return push.json as Record<string, any>;
}

beforeAll(async () => {
  receiver = await startPushReceiver();
  sandbox = createSandbox({ secret: SECRET, accessToken: ACCESS_TOKEN, pushUrl: receiver.url });
  base = await sandbox.listen();
});

afterAll(async () => {
  await sandbox?.close();
  await receiver?.close();
});

beforeEach(async () => {
  await sandbox.settled();
  sandbox.reset();
  sandbox.setPushUrl(receiver.url);
  receiver.received.length = 0;
  receiver.answer = { status: 200, body: JSON.stringify({ code: 0, message: 'success', reason: '', data: {} }) };
});

describe('listening', () => {
  it('returns its base URL', () => {
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sandbox.url).toBe(base);
  });

  it('refuses bad options', () => {
    expect(() => createSandbox({ secret: '', accessToken: 'x' })).toThrow(/secret/);
    expect(() => createSandbox({ secret: 'x', accessToken: 'x', timeZone: 'Asia/Shanghai' })).toThrow(/timeZone/);
    expect(() => createSandbox({ secret: 'x', accessToken: 'x', pushUrl: 'ftp://example.com' })).toThrow(/http/);
  });
});

describe('the landing page', () => {
  /** The values of an attribute, unescaped as a browser reads them. */
  const attributes = (html: string, name: string) =>
    [...html.matchAll(new RegExp(` ${name}="([^"]*)"`, 'g'))].map((match) => match[1]!.replace(/&#39;/g, "'").replace(/&amp;/g, '&'));

  it('answers HTML linking the consent page, the admin API and the sample scenarios, each of which works', async () => {
    const page = await request('GET', '/');
    expect(page.status).toBe(200);
    expect(page.contentType).toBe('text/html; charset=utf-8');

    const links = attributes(page.text, 'href');
    expect(links).toEqual(['/auth/', '/admin', '/admin/state', '/admin/calls', '/admin/pushes', '/admin/faults']);
    const consentPage = await request('GET', links[0]!);
    expect(consentPage.status).toBe(200);
    expect(consentPage.text).toContain('Authorize health-archive access');
    for (const link of links.slice(1)) {
      const answer = await request('GET', link);
      expect([link, answer.status, answer.contentType]).toEqual([link, 200, expect.stringMatching(/^application\/json/)]);
    }

    // One phone field; a button per scenario posts the form to that scenario's route.
    expect([...page.text.matchAll(/<input [^>]*name="([^"]*)"/g)].map((match) => match[1])).toEqual(['phone']);
    expect(attributes(page.text, 'action')).toEqual(['/admin/pushes/authorized']);
    const scenarios = attributes(page.text, 'formaction');
    expect(scenarios).toEqual([
      '/admin/pushes/authorized',
      '/admin/pushes/cancelled',
      '/admin/pushes/measurement',
      '/admin/pushes/samples',
      '/admin/pushes/duplicate',
      '/admin/pushes/empty-data-tag',
      '/admin/pushes/out-of-order',
    ]);
    let sent = 0;
    for (const scenario of scenarios) {
      const answer = await request('POST', scenario, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'phone=15312341234' });
      expect([scenario, answer.status]).toEqual([scenario, 200]);
      expect(answer.json.sent.length).toBeGreaterThan(0);
      for (const push of answer.json.sent) expect([scenario, push.status]).toEqual([scenario, 200]);
      sent += answer.json.sent.length;
    }
    expect(receiver.received).toHaveLength(sent);
  });

  it('escapes what it shows, links under the public URL\'s path and hides the push URL\'s token', async () => {
    const other = createSandbox({
      secret: SECRET,
      accessToken: ACCESS_TOKEN,
      publicUrl: "https://sandbox.example.com/it's&viatom/",
      pushUrl: 'http://127.0.0.1:9/push?token=push-token-s3cret&x=<b>',
    });
    const url = await other.listen();
    try {
      const html = await (await fetch(`${url}/`)).text();
      expect(html).toContain('href="/it&#39;s&amp;viatom/auth/"');
      expect(html).toContain('formaction="/it&#39;s&amp;viatom/admin/pushes/samples"');
      expect(html).not.toContain("it's&viatom");
      expect(html).toContain('<code>http://127.0.0.1:9/push?token=***&amp;x=***</code>');
      expect(html).not.toContain('s3cret');
    } finally {
      await other.close();
    }
  });
});

describe('POST jump_path', () => {
  it('answers the consent-page URL with a sign holding "+", "/" and "="', async () => {
    const answer = await openApi(JUMP_PATH);
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^application\/json/);
    expect(answer.json).toEqual({ code: 0, message: '请求成功', reason: '', data: { jump_path: expect.any(String) } });
    const jumpPath: string = answer.json.data.jump_path;
    expect(jumpPath.startsWith(`${base}/auth/#/?sign=`)).toBe(true);
    const sign = jumpPath.slice(`${base}/auth/#/?sign=`.length);
    expect(sign).toContain('+');
    expect(sign).toContain('/');
    expect(sign).toContain('=');
    expect(sign).toMatch(/^[A-Za-z0-9+/]+={1,2}$/);
    expect(sandbox.issuedSigns.has(sign)).toBe(true);
  });

  it('hands out a new sign each time', async () => {
    const signs = new Set<string>();
    for (let i = 0; i < 5; i++) signs.add((await openApi(JUMP_PATH)).json.data.jump_path);
    expect(signs.size).toBe(5);
  });

  it('accepts an absent, an empty and a {} body', async () => {
    const absent = await request('POST', JUMP_PATH, { headers: GOOD_HEADERS });
    const empty = await openApi(JUMP_PATH, { body: '' });
    const object = await openApi(JUMP_PATH, { json: {} });
    for (const answer of [absent, empty, object]) expect(answer.json.code).toBe(0);
  });

  it('records each call with credential verdicts, never the credential values', async () => {
    await openApi(JUMP_PATH, { headers: { ...GOOD_HEADERS, language: 'en-US' } });
    expect(sandbox.calls).toHaveLength(1);
    const call = sandbox.calls[0];
    expect(call).toMatchObject({
      id: 1,
      endpoint: 'jump_path',
      path: JUMP_PATH,
      secret: 'valid',
      accessToken: 'valid',
      language: 'en-US',
      fault: null,
      answer: { httpStatus: 200, code: 0 },
    });
    expect(call.headers['secret']).toBe('[redacted]');
    expect(call.headers['access-token']).toBe('[redacted]');
    expect(JSON.stringify(sandbox.calls)).not.toContain(SECRET);
    expect(JSON.stringify(sandbox.calls)).not.toContain(ACCESS_TOKEN);
  });

  it('speaks the language asked for', async () => {
    const en = await openApi(JUMP_PATH, { headers: { ...GOOD_HEADERS, language: 'en-US' } });
    expect(en.json.message).toBe('success');
    const zh = await openApi(JUMP_PATH);
    expect(zh.json.message).toBe('请求成功');
  });

  it('uses publicUrl for the consent link when given', async () => {
    const other = createSandbox({ secret: SECRET, accessToken: ACCESS_TOKEN, publicUrl: 'https://sandbox.example.com/viatom/' });
    const url = await other.listen();
    try {
      const response = await fetch(`${url}${JUMP_PATH}`, { method: 'POST', headers: GOOD_HEADERS });
      const answer = (await response.json()) as { data: { jump_path: string } };
      expect(answer.data.jump_path).toMatch(/^https:\/\/sandbox\.example\.com\/viatom\/auth\/#\/\?sign=/);
    } finally {
      await other.close();
    }
  });
});

describe('headers checked on every call', () => {
  it.each([
    ['missing secret', { 'access-token': ACCESS_TOKEN, language: 'en-US' }, 109997, 'secret error'],
    ['wrong secret', { secret: 'nope', 'access-token': ACCESS_TOKEN, language: 'en-US' }, 109997, 'secret error'],
    ['missing access-token', { secret: SECRET, language: 'en-US' }, 109993, 'access token invalid'],
    ['wrong access-token', { secret: SECRET, 'access-token': 'nope', language: 'en-US' }, 109993, 'access token invalid'],
    ['unknown language', { secret: SECRET, 'access-token': ACCESS_TOKEN, language: 'fr-FR' }, 20015, expect.any(String)],
    ['missing language', { secret: SECRET, 'access-token': ACCESS_TOKEN }, 20015, expect.any(String)],
  ])('%s: HTTP 200 with code %d', async (_name, headers, code, message) => {
    for (const path of [JUMP_PATH, CANCEL]) {
      const answer = await openApi(path, { headers, json: path === CANCEL ? { phone: '15312341234' } : undefined });
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ code, message, reason: expect.any(String), data: null });
      expect(answer.json.reason).not.toBe('');
    }
  });

  it('records missing and invalid credentials', async () => {
    await openApi(JUMP_PATH, { headers: { secret: 'nope', language: 'zh-CN' } });
    expect(sandbox.calls[0]).toMatchObject({ secret: 'invalid', accessToken: 'missing' });
    expect(sandbox.calls[0].headers['secret']).toBe('[redacted]');
  });

  it('answers the secret error in Chinese by default', async () => {
    const answer = await openApi(JUMP_PATH, { headers: { language: 'zh-CN' } });
    expect(answer.json.code).toBe(109997);
    expect(answer.json.message).toMatch(/secret/);
  });
});

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

describe('POST cancel', () => {
  it('answers success, then pushes type 3 and forgets the phone', async () => {
    await consent('15312341234');
    const authorizedPush = receiver.received[0].json as Record<string, unknown>;
    const answer = await openApi(CANCEL, { json: { phone: '15312341234' } });
    expect(answer.json).toEqual({ code: 0, message: '请求成功', reason: '', data: {} });
    expect(sandbox.authorizedPhones.has('15312341234')).toBe(false);
    const [, cancelled] = await receiver.waitFor(2);
    const message = expectValidPush(cancelled, 3);
    expect(message['data']).toEqual({ phone: '15312341234' });
    expect(message['account_id']).toBe(authorizedPush['account_id']);
    expect(message['data_tag']).not.toBe(authorizedPush['data_tag']);
    await sandbox.settled();
    const push = sandbox.pushesSent.find((p) => p.trigger === 'cancel')!;
    expect(push.at.getTime()).toBeGreaterThanOrEqual(sandbox.calls[0].at.getTime());
    // Cancelled: a second cancel finds no authorized user.
    const again = await openApi(CANCEL, { json: { phone: '15312341234' } });
    expect(again.json.code).toBe(101009);
  });

  it('settled() waits for the push that follows the answer', async () => {
    sandbox.authorizedPhones.add('13800001111');
    const answer = await openApi(CANCEL, { json: { phone: '13800001111' } });
    expect(answer.json.code).toBe(0);
    await sandbox.settled();
    expect(sandbox.pushesSent.map((p) => p.trigger)).toEqual(['cancel']);
    expect(receiver.received).toHaveLength(1);
  });

  it('a phone that never authorized: 101009', async () => {
    const answer = await openApi(CANCEL, { json: { phone: '13800009999' }, headers: { ...GOOD_HEADERS, language: 'en-US' } });
    expect(answer.json).toEqual({ code: 101009, message: 'no authorized user exists', reason: expect.any(String), data: null });
    await sandbox.settled();
    expect(receiver.received).toHaveLength(0);
  });

  it.each([
    ['a bad phone', JSON.stringify({ phone: '12ab' })],
    ['no phone', JSON.stringify({})],
    ['a number phone', JSON.stringify({ phone: 15312341234 })],
    ['no body', ''],
    ['a body that is not JSON', '{phone:'],
    ['an array', '[]'],
  ])('%s: 20015', async (_name, body) => {
    const answer = await openApi(CANCEL, { body });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ code: 20015, data: null });
  });
});

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

  it('pushes/authorized and pushes/cancelled: given times and data tags, state kept', async () => {
    const authorized = await admin('/pushes/authorized', { phone: '15312341234', time: '2022-12-29 16:33:40', dataTag: 'tag-1' });
    expect(authorized.status).toBe(200);
    expect(authorized.json.sent).toHaveLength(1);
    expect(authorized.json.sent[0]).toMatchObject({ status: 200, ok: true, trigger: 'admin', message: { type: 2 } });
    expect(sandbox.authorizedPhones.has('15312341234')).toBe(true);
    const cancelled = await admin('/pushes/cancelled', { phone: '15312341234', time: '2022-12-29T09:00:00Z' });
    expect(sandbox.authorizedPhones.has('15312341234')).toBe(false);
    expect(cancelled.json.sent[0].message).toMatchObject({ type: 3 });
    const [first, second] = receiver.received.map((p) => p.json as Record<string, unknown>);
    expect(first).toMatchObject({ type: 2, data_tag: 'tag-1', create_time: '2022-12-29 16:33:40', update_time: '2022-12-29 16:33:40' });
    // An ISO instant is written in the sandbox's +08:00.
    expect(second).toMatchObject({ type: 3, create_time: '2022-12-29 17:00:00' });
    expect(second['data_tag']).toMatch(/^[0-9a-f]{32}$/);
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

  it('pushes/measurement: a ViHealth-shaped record, SpO2 by default', async () => {
    const answer = await admin('/pushes/measurement', { phone: '15312341234', measureTime: '2024-03-01 07:30:00' });
    expect(answer.status).toBe(200);
    const message = expectValidPush(receiver.received[0], 1);
    expect(message['data']).toEqual({
      data_type: 2,
      measure_time: '2024-03-01 07:30:00',
      measure_result: { spo2: 98, pr: 72, pi: 5.2 },
      remark: '',
      phone: '15312341234',
    });
    expect(message['device_sn']).not.toBe('');
    expect(validatePush(message)).toMatchObject({ ok: true, push: { dataType: 2, measuredAt: new Date('2024-02-29T23:30:00Z') } });
  });

  it('pushes/measurement: blood pressure for an account id without a phone', async () => {
    await admin('/pushes/measurement', { accountId: 'OA==|MTEx', dataType: 3 });
    const message = expectValidPush(receiver.received[0], 1);
    expect(message['account_id']).toBe('OA==|MTEx');
    expect(message['data']).toMatchObject({ data_type: 3, measure_result: { sys: expect.any(Number), dia: expect.any(Number), pr: expect.any(Number) } });
    expect(message['data'].phone).toBeUndefined();
  });

  it('pushes/samples: one measurement of each data type', async () => {
    const answer = await admin('/pushes/samples', { phone: '15312341234' });
    expect(answer.json.sent).toHaveLength(MEASUREMENT_DATA_TYPES.length);
    const messages = receiver.received.map((p) => expectValidPush(p, 1));
    expect(messages.map((m) => m['data'].data_type)).toEqual([...MEASUREMENT_DATA_TYPES]);
    for (const message of messages) expect(Object.keys(message['data'].measure_result).length).toBeGreaterThan(0);
    expect(new Set(messages.map((m) => m['data_tag'])).size).toBe(messages.length);
    expect(messages.find((m) => m['data'].data_type === 1)!['data'].measure_result).toMatchObject({ temp: 36.6 });
  });

  it('pushes/duplicate: the same message twice', async () => {
    const answer = await admin('/pushes/duplicate', { phone: '15312341234' });
    expect(answer.json.sent).toHaveLength(2);
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[0].raw).toBe(receiver.received[1].raw);
    expect((receiver.received[0].json as { data_tag: string }).data_tag).toMatch(/^[0-9a-f]{32}$/);
    expect(sandbox.authorizedPhones.has('15312341234')).toBe(true);
  });

  it('pushes/empty-data-tag: data_tag "" twice, same content', async () => {
    await admin('/pushes/empty-data-tag', { phone: '15312341234' });
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[0].raw).toBe(receiver.received[1].raw);
    const message = expectValidPush(receiver.received[0], 2);
    expect(message['data_tag']).toBe('');
  });

  it('pushes/out-of-order: the later cancel first, then the earlier authorize', async () => {
    await admin('/pushes/out-of-order', { phone: '15312341234' });
    const [first, second] = receiver.received.map((p) => p.json as Record<string, string>);
    expect(first['type']).toBe(3);
    expect(second['type']).toBe(2);
    expect(parseViatomTime(first['update_time'])!.getTime()).toBeGreaterThan(parseViatomTime(second['update_time'])!.getTime());
    expect(sandbox.authorizedPhones.has('15312341234')).toBe(false);
  });

  it('pushes/raw: any JSON as given, or a verbatim body', async () => {
    const weird = JSON.parse('{"type":2,"__proto__":{"polluted":true},"data":{"phone":"1"}}');
    const answer = await admin('/pushes/raw', { message: weird });
    expect(answer.json.sent[0]).toMatchObject({ status: 200, ok: true });
    expect(receiver.received[0].raw).toBe('{"type":2,"__proto__":{"polluted":true},"data":{"phone":"1"}}');
    await admin('/pushes/raw', { body: '{"type":', contentType: 'application/json' });
    expect(receiver.received[1].raw).toBe('{"type":');
    expect((await admin('/pushes/raw', {})).status).toBe(400);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('push answers carry the receiver\'s answer, and failures are reported', async () => {
    receiver.answer = { status: 409, body: 'duplicate' };
    const refused = await admin('/pushes/authorized', { phone: '15312341234' });
    expect(refused.json.sent[0]).toMatchObject({ status: 409, ok: false, body: 'duplicate', error: null });
    const closed = await startPushReceiver();
    await closed.close();
    await admin('/push-url', { url: closed.url });
    const failed = await admin('/pushes/authorized', { phone: '15312341234' });
    expect(failed.json.sent[0]).toMatchObject({ status: null, ok: false, error: expect.stringMatching(/ECONNREFUSED/) });
  });

  it('in-process send mirrors the admin routes', async () => {
    const records = await sandbox.send.samples({ phone: '15312341234' });
    expect(records).toHaveLength(MEASUREMENT_DATA_TYPES.length);
    expect(records.every((r) => r.trigger === 'api' && r.ok)).toBe(true);
    await expect(sandbox.send.authorized({ phone: 'nope' })).rejects.toThrow(/phone/);
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
