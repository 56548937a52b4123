/// <reference types="jest" />
/**
 * What the sandbox's own specs share: one sandbox per spec file, pushing to a test receiver,
 * reset before each test, and the calls its clients make. Not exported by the package: the
 * tests of other projects reach the sandbox through `createSandbox`.
 *
 * `useSandbox()` registers the hooks; `sandbox`, `receiver` and `base` are set once it has
 * started (jest gives each spec file its own copy of this module, hence its own sandbox).
 */
import { validatePush } from '@health-bridge/viatom-protocol';
import { createSandbox, type Sandbox } from '../index';
import { startPushReceiver, type PushReceiver, type ReceivedPush } from './push-receiver';

export const SECRET = 'test-secret-s3cr3t';
export const ACCESS_TOKEN = 'test-access-token-t0k3n';
export const JUMP_PATH = '/api/v1/open/auth/jump_path';
export const CANCEL = '/api/v1/open/auth/cancel';
export const GOOD_HEADERS = { secret: SECRET, 'access-token': ACCESS_TOKEN, language: 'zh-CN' };
export const VIATOM_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

export interface Answer {
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

export let sandbox: Sandbox;
export let receiver: PushReceiver;
export let base: string;

/** Starts the sandbox and its receiver before the spec file's tests, resets both before each test, closes them after. */
export function useSandbox(): void {
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
}

export async function request(
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
export function openApi(path: string, options: { headers?: Record<string, string>; json?: unknown; body?: string } = {}) {
  return request('POST', path, {
    headers: { 'content-type': 'application/json', ...(options.headers ?? GOOD_HEADERS) },
    body: options.json !== undefined ? JSON.stringify(options.json) : options.body,
  });
}

export const admin = (path: string, json?: unknown) => request('POST', `/admin${path}`, { json: json ?? {} });

/** Consent through the sandbox's page (JSON flavour): authorizes the phone and sends the type-2 push. */
export async function consent(phone: string) {
  const answer = await request('POST', '/auth/consent', { json: { phone } });
  expect(answer.status).toBe(200);
  return answer;
}

export function expectValidPush(push: ReceivedPush, type: number) {
  const result = validatePush(push.json);
  if (!result.ok) throw new Error(`invalid push: ${result.errors.join('; ')}`);
  expect(result.push.type).toBe(type);
  return push.json as Record<string, any>;
}
