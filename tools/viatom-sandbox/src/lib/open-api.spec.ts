import { createSandbox } from '../index';
import {
  ACCESS_TOKEN,
  base,
  CANCEL,
  consent,
  expectValidPush,
  GOOD_HEADERS,
  JUMP_PATH,
  openApi,
  receiver,
  request,
  SECRET,
  sandbox,
  useSandbox,
} from '../testing/sandbox-spec-setup';

// Viatom's open API as the sandbox answers it: jump_path, cancel, and the headers every call is checked for.
useSandbox();

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
