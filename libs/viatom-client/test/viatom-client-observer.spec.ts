/**
 * The Viatom client's `onCall` observer (what the API's metrics count): one report per call
 * with its endpoint, outcome and attempts, and nothing an observer does, throwing or
 * rejecting, ever changes a call's result. Against the sandbox over real HTTP.
 */
import { Test } from '@nestjs/testing';
import { createSandbox, failure, type Sandbox } from '@health-bridge/viatom-sandbox';
import { ViatomApiError, ViatomClient, ViatomClientModule, type ViatomCallReport, type ViatomClientOptions } from '../src';
import { CapturingLogger } from './capturing-logger';

const SECRET = 'observer-spec-secret-7c2a';
const ACCESS_TOKEN = 'observer-spec-access-token-19d4';
const PHONE = '15312345678';

let sandbox: Sandbox;
let baseUrl: string;
let logger: CapturingLogger;
const modules: { close(): Promise<void> }[] = [];

async function clientWith(onCall: ViatomClientOptions['onCall'], circuitBreaker: ViatomClientOptions['circuitBreaker'] = { failureThreshold: 1_000 }): Promise<ViatomClient> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      ViatomClientModule.forRoot({
        baseUrl,
        secret: SECRET,
        accessToken: ACCESS_TOKEN,
        timeoutMs: 3_000,
        retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
        circuitBreaker,
        onCall,
      }),
    ],
  })
    .setLogger(logger)
    .compile();
  modules.push(moduleRef);
  return moduleRef.get(ViatomClient);
}

beforeAll(async () => {
  sandbox = createSandbox({ secret: SECRET, accessToken: ACCESS_TOKEN });
  baseUrl = await sandbox.listen();
});

beforeEach(async () => {
  await sandbox.settled();
  sandbox.reset();
  logger = new CapturingLogger();
});

afterAll(async () => {
  for (const moduleRef of modules) await moduleRef.close();
  await sandbox?.close();
});

describe('the onCall observer', () => {
  it('is told of each call once, after its retries, with endpoint, outcome, attempts and duration', async () => {
    const reports: ViatomCallReport[] = [];
    const client = await clientWith((call) => reports.push(call));

    await client.getAuthorizationUrl();
    sandbox.setFault({ errorCode: 109999, count: 2 });
    await client.getAuthorizationUrl();
    sandbox.setFault({ errorCode: 100005, endpoints: ['cancel'] });
    await failure(client.cancelAuthorization(PHONE));
    sandbox.setFault({ dropConnection: true });
    await failure(client.getAuthorizationUrl());

    expect(reports.map(({ endpoint, outcome, attempts }) => ({ endpoint, outcome, attempts }))).toEqual([
      { endpoint: 'jump_path', outcome: 'ok', attempts: 1 },
      { endpoint: 'jump_path', outcome: 'ok', attempts: 3 },
      { endpoint: 'cancel', outcome: 'refused', attempts: 1 },
      { endpoint: 'jump_path', outcome: 'connection-reset', attempts: 3 },
    ]);
    expect(sandbox.calls).toHaveLength(8);
    for (const report of reports) expect(report.durationMs).toBeGreaterThan(0);
  });

  it('reports busy, credentials-rejected and circuit-open (no attempt) apart', async () => {
    const reports: ViatomCallReport[] = [];
    const client = await clientWith((call) => reports.push(call), { failureThreshold: 1, cooldownMs: 60_000 });
    sandbox.setFault({ errorCode: 109996 });
    await failure(client.getAuthorizationUrl());
    sandbox.setFault({ errorCode: 109999 });
    await failure(client.getAuthorizationUrl()); // busy after its 3 attempts: opens the circuit
    await failure(client.getAuthorizationUrl());
    expect(reports.map(({ outcome, attempts }) => [outcome, attempts])).toEqual([
      ['credentials-rejected', 1],
      ['busy', 3],
      ['circuit-open', 0],
    ]);
    expect(sandbox.calls).toHaveLength(4);
  });

  it('that throws changes nothing: the call succeeds, a failure is the call’s own, and it is logged once', async () => {
    let told = 0;
    const client = await clientWith(() => {
      told += 1;
      throw new Error('observer broke');
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
      const client = await clientWith(async () => {
        throw new Error('async observer broke');
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
