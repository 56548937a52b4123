/**
 * The Viatom client's behaviour on Viatom's bad days (deadline, retries, circuit breaker,
 * keep-alive, logs) and what it reports of each call (the `onCall` observer, which the API's
 * metrics count), against the sandbox over real HTTP. Attempts are counted by the
 * sandbox (`sandbox.calls`), never inferred from durations.
 */
import { closedPort, failure, until, type Sandbox } from '@health-bridge/viatom-sandbox';
import {
  ViatomApiError,
  ViatomBusyError,
  ViatomCircuitOpenError,
  ViatomTransportError,
  type ViatomCallReport,
} from '../src';
import { useClientHarness } from './client-harness';

const SECRET = 'resilience-spec-secret-4e1d';
const ACCESS_TOKEN = 'resilience-spec-access-token-88c0';
const PHONE = '15312345678';

const harness = useClientHarness({ secret: SECRET, accessToken: ACCESS_TOKEN, neverLogged: [PHONE] });
const { logger } = harness;
const clientWith = harness.client;
let sandbox: Sandbox;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(() => {
  sandbox = harness.sandbox;
});

describe('retries', () => {
  it('retries "system busy" (109999): busy twice, then success, is 3 calls', async () => {
    const client = await clientWith();
    sandbox.setFault({ errorCode: 109999, count: 2 });
    await expect(client.getAuthorizationUrl()).resolves.toContain('sign=');
    expect(sandbox.calls.map((call) => call.answer)).toEqual([
      { httpStatus: 200, code: 109999 },
      { httpStatus: 200, code: 109999 },
      { httpStatus: 200, code: 0 },
    ]);
    expect(logger.lines.filter((line) => line.startsWith('log ') && line.includes('jump_path'))).toEqual([
      expect.stringMatching(/: ok; 3 attempts in \d+ ms ViatomClient$/),
    ]);
  });

  it('busy on every attempt: ViatomBusyError (a ViatomApiError 109999) after maxAttempts calls, with a retry-after', async () => {
    const client = await clientWith({ retry: { maxAttempts: 4 } });
    sandbox.setFault({ errorCode: 109999, errorMessage: '系统繁忙' });
    const error = await failure(client.getAuthorizationUrl());
    expect(error).toBeInstanceOf(ViatomBusyError);
    expect(error).toBeInstanceOf(ViatomApiError);
    expect(error).toMatchObject({ code: 109999, viatomMessage: '系统繁忙', attempts: 4, name: 'ViatomBusyError' });
    expect(error.retryAfterMs).toBeGreaterThan(0);
    expect(sandbox.calls).toHaveLength(4);
  });

  it.each([
    ['a credential code (109997)', { errorCode: 109997 }],
    ['a credential code (109993)', { errorCode: 109993 }],
    ['a parameter code (20015)', { errorCode: 20015 }],
    ['another code (100005)', { errorCode: 100005 }],
    ['HTTP 400', { httpStatus: 400 }],
    ['HTTP 404', { httpStatus: 404 }],
    ['HTTP 429 without the envelope', { httpStatus: 429 }],
    ['HTTP 500', { httpStatus: 500 }],
    ['an answer that is not JSON', { nonJson: true }],
    ['JSON without the envelope', { noEnvelope: true }],
  ])('does not retry %s: 1 call', async (_name, fault) => {
    const client = await clientWith();
    sandbox.setFault(fault);
    const error = await failure(client.getAuthorizationUrl());
    expect(error.attempts).toBe(1);
    expect(sandbox.calls).toHaveLength(1);
  });

  it('does not retry a cancel for a phone that never authorized (101009 on the first attempt)', async () => {
    const client = await clientWith();
    const error = await failure(client.cancelAuthorization(PHONE));
    expect(error).toMatchObject({ code: 101009, attempts: 1 });
    expect(sandbox.calls).toHaveLength(1);
  });

  it.each([
    ['a dropped connection', { dropConnection: true, count: 2 }],
    ['HTTP 502', { httpStatus: 502, count: 2 }],
    ['HTTP 503', { httpStatus: 503, nonJson: true, count: 2 }],
    ['HTTP 504', { httpStatus: 504, count: 2 }],
  ])('retries %s: twice, then success, is 3 calls', async (_name, fault) => {
    const client = await clientWith();
    sandbox.setFault(fault);
    await expect(client.getAuthorizationUrl()).resolves.toContain('sign=');
    expect(sandbox.calls).toHaveLength(3);
  });

  it('retries a refused connection up to maxAttempts', async () => {
    const client = await clientWith({ baseUrl: `http://127.0.0.1:${await closedPort()}`, retry: { maxAttempts: 4 } });
    const error = await failure(client.getAuthorizationUrl());
    expect(error).toBeInstanceOf(ViatomTransportError);
    expect(error).toMatchObject({ kind: 'connection-refused', attempts: 4 });
  });

  it('maxAttempts 1 means no retry', async () => {
    const client = await clientWith({ retry: { maxAttempts: 1 } });
    sandbox.setFault({ errorCode: 109999, count: 1 });
    await expect(client.getAuthorizationUrl()).rejects.toBeInstanceOf(ViatomBusyError);
    expect(sandbox.calls).toHaveLength(1);
  });

  it('a cancel retried after a dropped connection is sent again, and succeeds', async () => {
    const client = await clientWith();
    sandbox.authorizedPhones.add(PHONE);
    sandbox.setFault({ dropConnection: true, count: 1, endpoints: ['cancel'] });
    await expect(client.cancelAuthorization(PHONE)).resolves.toBeUndefined();
    expect(sandbox.calls.map((call) => call.body)).toEqual([{ phone: PHONE }, { phone: PHONE }]);
    expect(sandbox.authorizedPhones.has(PHONE)).toBe(false);
  });

  it('a cancel whose first attempt went through unanswered: the retry\'s 101009 is taken as success', async () => {
    // The first attempt reaches Viatom but answers after its own timeout: Viatom cancels, nobody hears it.
    const client = await clientWith({ retry: { attemptTimeoutMs: 250, baseDelayMs: 5, maxDelayMs: 10 } });
    sandbox.authorizedPhones.add(PHONE);
    sandbox.setFault({ latencyMs: 400, count: 1, endpoints: ['cancel'] });
    const cancelled = client.cancelAuthorization(PHONE);
    await until(() => sandbox.calls.length === 1, 'the first attempt reached the sandbox');
    // The retry is held back until the first attempt has done the cancel.
    sandbox.setFault({ latencyMs: 200, count: 1, endpoints: ['cancel'] });
    await expect(cancelled).resolves.toBeUndefined();
    expect(sandbox.calls).toHaveLength(2);
    expect(sandbox.calls.map((call) => call.answer)).toEqual([
      { httpStatus: 200, code: 0 },
      { httpStatus: 200, code: 101009 },
    ]);
    expect(sandbox.authorizedPhones.has(PHONE)).toBe(false);
    expect(logger.lines.join('\n')).toContain('taken as cancelled');
  });
});

describe('deadline', () => {
  it('covers every attempt: hung attempts are retried until the deadline, then a timeout, and the calls stop', async () => {
    const client = await clientWith({ timeoutMs: 400, retry: { maxAttempts: 20, attemptTimeoutMs: 100, baseDelayMs: 5, maxDelayMs: 10 } });
    sandbox.setFault({ latencyMs: 5_000 });
    const error = await failure(client.getAuthorizationUrl());
    expect(error).toBeInstanceOf(ViatomTransportError);
    expect(error.kind).toBe('timeout');
    expect(error.message).toContain('400 ms');
    await sleep(50); // an attempt aborted at the deadline may still be on its way over loopback
    const calls = sandbox.calls.length;
    expect(calls).toBeGreaterThan(1);
    expect(calls).toBeLessThan(20);
    // The last attempt may have been aborted before its request reached the sandbox.
    expect([calls, calls + 1]).toContain(error.attempts);
    await sleep(300);
    expect(sandbox.calls).toHaveLength(calls);
  });

  it('without an attempt timeout, one hung attempt uses the whole deadline and is not repeated', async () => {
    const client = await clientWith({ timeoutMs: 300 });
    sandbox.setFault({ latencyMs: 2_000 });
    const error = await failure(client.getAuthorizationUrl());
    expect(error).toMatchObject({ kind: 'timeout', attempts: 1 });
    await sleep(100);
    expect(sandbox.calls).toHaveLength(1);
  });

  it('a deadline passing during a backoff reports the last failure (busy), and no further call is made', async () => {
    // Backoff delays of 500 ms or more, a 200 ms deadline: it passes while waiting to retry.
    const client = await clientWith({ timeoutMs: 200, retry: { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 1_000 } });
    sandbox.setFault({ errorCode: 109999 });
    const error = await failure(client.getAuthorizationUrl());
    expect(error).toBeInstanceOf(ViatomBusyError);
    expect(error.attempts).toBe(1);
    await sleep(1_100); // the retry loop wakes up after its backoff, and must not call
    expect(sandbox.calls).toHaveLength(1);
  });
});

describe('circuit breaker', () => {
  it('opens after failureThreshold failed calls, fails fast without calling, and closes after the cool-down', async () => {
    const client = await clientWith({ retry: { maxAttempts: 1 }, circuitBreaker: { failureThreshold: 3, cooldownMs: 1_000 } });
    expect(client.circuitState).toBe('closed');
    sandbox.setFault({ dropConnection: true });
    for (let i = 0; i < 3; i++) await expect(client.getAuthorizationUrl()).rejects.toMatchObject({ kind: 'connection-reset' });
    expect(sandbox.calls).toHaveLength(3);
    expect(client.circuitState).toBe('open');
    expect(client.circuit.retryAfterMs).toBeGreaterThan(0);

    const fast = await failure(client.getAuthorizationUrl());
    expect(fast).toBeInstanceOf(ViatomCircuitOpenError);
    expect(fast).toMatchObject({ attempts: 0, name: 'ViatomCircuitOpenError' });
    expect(fast.retryAfterMs).toBeGreaterThan(0);
    await expect(client.cancelAuthorization(PHONE)).rejects.toBeInstanceOf(ViatomCircuitOpenError);
    expect(sandbox.calls).toHaveLength(3);
    expect(logger.lines.some((line) => line.startsWith('warn ') && line.includes('circuit open'))).toBe(true);

    sandbox.resetFaults();
    await until(() => client.circuitState !== 'open', 'the cool-down is over');
    expect(client.circuitState).toBe('half-open');
    await expect(client.getAuthorizationUrl()).resolves.toContain('sign=');
    expect(sandbox.calls).toHaveLength(4);
    expect(client.circuitState).toBe('closed');
    expect(logger.lines.some((line) => line.includes('circuit closed'))).toBe(true);
  });

  it('a failed trial call opens the circuit again', async () => {
    const client = await clientWith({ retry: { maxAttempts: 1 }, circuitBreaker: { failureThreshold: 1, cooldownMs: 500 } });
    sandbox.setFault({ errorCode: 109999 });
    await expect(client.getAuthorizationUrl()).rejects.toBeInstanceOf(ViatomBusyError);
    expect(client.circuitState).toBe('open');
    await until(() => client.circuitState !== 'open', 'the cool-down is over');
    await expect(client.getAuthorizationUrl()).rejects.toBeInstanceOf(ViatomBusyError);
    expect(sandbox.calls).toHaveLength(2);
    expect(client.circuitState).toBe('open');
    await expect(client.getAuthorizationUrl()).rejects.toBeInstanceOf(ViatomCircuitOpenError);
    expect(sandbox.calls).toHaveLength(2);
  });

  it('counts whole calls: retries inside one call are one failure', async () => {
    const client = await clientWith({ retry: { maxAttempts: 3 }, circuitBreaker: { failureThreshold: 2 } });
    sandbox.setFault({ httpStatus: 503 });
    await expect(client.getAuthorizationUrl()).rejects.toMatchObject({ kind: 'http-status', status: 503, attempts: 3 });
    expect(client.circuitState).toBe('closed');
    await expect(client.getAuthorizationUrl()).rejects.toMatchObject({ attempts: 3 });
    expect(client.circuitState).toBe('open');
    expect(sandbox.calls).toHaveLength(6);
  });

  it('is not opened by refusals (credentials, parameters, 4xx): Viatom answered', async () => {
    const client = await clientWith({ retry: { maxAttempts: 1 }, circuitBreaker: { failureThreshold: 2 } });
    for (const fault of [{ errorCode: 109997 }, { errorCode: 20015 }, { errorCode: 100005 }, { httpStatus: 404 }]) {
      sandbox.setFault(fault);
      await expect(client.getAuthorizationUrl()).rejects.toBeDefined();
    }
    expect(sandbox.calls).toHaveLength(4);
    expect(client.circuitState).toBe('closed');
  });

  it('a success resets the run of failures', async () => {
    const client = await clientWith({ retry: { maxAttempts: 1 }, circuitBreaker: { failureThreshold: 2 } });
    sandbox.setFault({ dropConnection: true, count: 1 });
    await expect(client.getAuthorizationUrl()).rejects.toBeInstanceOf(ViatomTransportError);
    await client.getAuthorizationUrl();
    sandbox.setFault({ dropConnection: true, count: 1 });
    await expect(client.getAuthorizationUrl()).rejects.toBeInstanceOf(ViatomTransportError);
    expect(client.circuitState).toBe('closed');
  });
});

describe('connections and logs', () => {
  it('keeps connections alive', async () => {
    const client = await clientWith();
    await client.getAuthorizationUrl();
    await client.getAuthorizationUrl();
    expect(sandbox.calls.map((call) => call.headers['connection'])).toEqual(['keep-alive', 'keep-alive']);
  });

  it('logs each call once with endpoint, outcome, attempts and duration; the phone masked', async () => {
    const client = await clientWith();
    sandbox.authorizedPhones.add(PHONE);
    sandbox.setFault({ errorCode: 109999, count: 1 });
    await client.cancelAuthorization(PHONE);
    const lines = logger.lines.filter((line) => line.endsWith(' ViatomClient') && !line.startsWith('debug '));
    expect(lines).toEqual([expect.stringMatching(/^log Viatom \/api\/v1\/open\/auth\/cancel for 153\*\*\*\*5678: ok; 2 attempts in \d+ ms ViatomClient$/)]);
  });

  it('logs wrong credentials at error level once per burst', async () => {
    const client = await clientWith({ secret: 'not-the-secret' });
    for (let i = 0; i < 3; i++) await expect(client.getAuthorizationUrl()).rejects.toMatchObject({ code: 109997 });
    const errors = logger.lines.filter((line) => line.startsWith('error '));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('credentials');
    expect(logger.lines.filter((line) => line.startsWith('warn ') && line.includes('109997'))).toHaveLength(2);
  });

  it('refuses nonsense options', async () => {
    await expect(clientWith({ retry: { maxAttempts: 0 } })).rejects.toThrow(/maxAttempts/);
    await expect(clientWith({ circuitBreaker: { failureThreshold: -1 } })).rejects.toThrow(/failureThreshold/);
  });
});

describe('the onCall observer', () => {
  it('is told of each call once, after its retries, with endpoint, outcome, attempts and duration', async () => {
    const reports: ViatomCallReport[] = [];
    const client = await clientWith({ onCall: (call) => reports.push(call) });

    await client.getAuthorizationUrl();
    sandbox.setFault({ errorCode: 109999, count: 2 });
    await client.getAuthorizationUrl();
    sandbox.setFault({ errorCode: 100005, endpoints: ['cancel'] });
    await failure(client.cancelAuthorization(PHONE));
    sandbox.setFault({ dropConnection: true });
    await failure(client.getAuthorizationUrl());

    sandbox.setFault({ httpStatus: 500, nonJson: true, count: 1 });
    await failure(client.getAuthorizationUrl());

    expect(reports.map(({ endpoint, outcome, attempts, httpStatus }) => ({ endpoint, outcome, attempts, httpStatus }))).toEqual([
      { endpoint: 'jump_path', outcome: 'ok', attempts: 1, httpStatus: 200 },
      { endpoint: 'jump_path', outcome: 'ok', attempts: 3, httpStatus: 200 },
      { endpoint: 'cancel', outcome: 'refused', attempts: 1, httpStatus: 200 },
      { endpoint: 'jump_path', outcome: 'connection-reset', attempts: 3, httpStatus: null },
      { endpoint: 'jump_path', outcome: 'http-status', attempts: 1, httpStatus: 500 },
    ]);
    expect(sandbox.calls).toHaveLength(9);
    for (const report of reports) expect(report.durationMs).toBeGreaterThan(0);
  });

  it('reports busy, credentials-rejected and circuit-open (no attempt) apart', async () => {
    const reports: ViatomCallReport[] = [];
    const client = await clientWith({ onCall: (call) => reports.push(call), circuitBreaker: { failureThreshold: 1, cooldownMs: 60_000 } });
    sandbox.setFault({ errorCode: 109996 });
    await failure(client.getAuthorizationUrl());
    sandbox.setFault({ errorCode: 109999 });
    await failure(client.getAuthorizationUrl()); // busy after its 3 attempts: opens the circuit
    await failure(client.getAuthorizationUrl());
    expect(reports.map(({ outcome, attempts, httpStatus }) => [outcome, attempts, httpStatus])).toEqual([
      ['credentials-rejected', 1, 200],
      ['busy', 3, 200],
      ['circuit-open', 0, null],
    ]);
    expect(sandbox.calls).toHaveLength(4);
  });

  it('that throws changes nothing: the call succeeds, a failure is the call’s own, and it is logged once', async () => {
    let told = 0;
    const client = await clientWith({
      onCall: () => {
        told += 1;
        throw new Error('observer broke');
      },
    });
    expect(await client.getAuthorizationUrl()).toContain('sign=');
    sandbox.setFault({ errorCode: 100005 });
    const error = await failure(client.getAuthorizationUrl());
    expect(error).toBeInstanceOf(ViatomApiError);
    expect((error as ViatomApiError).code).toBe(100005);
    expect(told).toBe(2);
    expect(logger.lines.filter((line) => line.includes('observer broke'))).toHaveLength(1);
    expect(logger.lines.find((line) => line.includes('observer broke'))).toMatch(/^warn /);
  });

  it('that rejects (an async function) leaves no unhandled rejection and changes nothing', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const client = await clientWith({
        onCall: async () => {
          throw new Error('async observer broke');
        },
      });
      expect(await client.getAuthorizationUrl()).toContain('sign=');
      await new Promise((resolve) => setTimeout(resolve, 20)); // a rejection unhandled would be reported by now
      expect(unhandled).toEqual([]);
      expect(logger.lines.filter((line) => line.includes('async observer broke'))).toHaveLength(1);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
