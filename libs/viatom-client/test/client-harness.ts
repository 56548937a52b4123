/**
 * What every spec of the client needs: the sandbox standing in for Viatom over real HTTP, a
 * logger that keeps every line, and clients built the way a host app builds them
 * (`ViatomClientModule.forRoot` in a Nest module). The sandbox shares only the protocol lib
 * with the client, so the client's tests may stand Viatom in with it.
 */
import { inspect } from 'node:util';
import type { ModuleMetadata } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { createSandbox, type Sandbox } from '@health-bridge/viatom-sandbox';
import { ViatomClient, ViatomClientModule, type ViatomClientOptions } from '../src';
import { CapturingLogger } from './capturing-logger';

export interface ClientHarnessOptions {
  secret: string;
  accessToken: string;
  /** Further text no log line may hold (a phone, a proxy's password…), besides the secret and the access token. */
  neverLogged?: string[];
}

export interface ClientHarness {
  readonly sandbox: Sandbox;
  /** The sandbox's URL, e.g. `http://127.0.0.1:41234`. */
  readonly baseUrl: string;
  readonly logger: CapturingLogger;
  /**
   * A client of the sandbox (or of `overrides.baseUrl`) with a 3 s deadline, short backoffs and
   * a breaker that stays closed, unless the test says otherwise (`retry` and `circuitBreaker`
   * are merged with those). Its module is closed after the file.
   */
  client(overrides?: Partial<ViatomClientOptions>): Promise<ViatomClient>;
  /** A testing module of these imports, logging to the harness's logger; closed after the file. */
  compile(imports: NonNullable<ModuleMetadata['imports']>): Promise<TestingModule>;
  /** The error, in every way it can be printed or serialised, holds neither the secret nor the access token. */
  expectNoCredentials(error: unknown): void;
}

/**
 * Registers the file's hooks: the sandbox starts before its tests and stops after them; before
 * each test it is reset (once what it still sends has arrived). Between tests, every line logged
 * is checked for the secret, the access token and `neverLogged`, then forgotten.
 */
export function useClientHarness(options: ClientHarnessOptions): ClientHarness {
  const logger = new CapturingLogger();
  const modules: TestingModule[] = [];
  const secrets = [options.secret, options.accessToken, ...(options.neverLogged ?? [])];
  let sandbox: Sandbox | undefined;
  let baseUrl: string | undefined;

  const checkAndForgetLog = () => {
    const lines = logger.lines.splice(0);
    for (const line of lines) for (const secret of secrets) expect(line).not.toContain(secret);
  };

  const compile = async (imports: NonNullable<ModuleMetadata['imports']>) => {
    const moduleRef = await Test.createTestingModule({ imports }).setLogger(logger).compile();
    modules.push(moduleRef);
    return moduleRef;
  };

  beforeAll(async () => {
    sandbox = createSandbox({ secret: options.secret, accessToken: options.accessToken });
    baseUrl = await sandbox.listen();
  });
  afterAll(async () => {
    checkAndForgetLog();
    for (const moduleRef of modules.splice(0)) await moduleRef.close();
    await sandbox?.close();
  });
  beforeEach(async () => {
    await sandbox?.settled();
    sandbox?.reset();
    checkAndForgetLog();
  });
  afterEach(checkAndForgetLog);

  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the client harness is used before its beforeAll ran');
    return value;
  };

  return {
    get sandbox() {
      return started(sandbox);
    },
    get baseUrl() {
      return started(baseUrl);
    },
    logger,
    compile,
    async client(overrides = {}) {
      const moduleRef = await compile([
        ViatomClientModule.forRoot({
          baseUrl: started(baseUrl),
          secret: options.secret,
          accessToken: options.accessToken,
          timeoutMs: 3_000,
          ...overrides,
          retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, ...overrides.retry },
          circuitBreaker: { failureThreshold: 1_000, cooldownMs: 200, ...overrides.circuitBreaker },
        }),
      ]);
      return moduleRef.get(ViatomClient);
    },
    expectNoCredentials(error) {
      const views = [
        (error as Error).message,
        (error as Error).stack ?? '',
        JSON.stringify(error),
        String(error),
        inspect(error, { depth: 10, showHidden: true }),
      ];
      for (const view of views) {
        expect(view).not.toContain(options.secret);
        expect(view).not.toContain(options.accessToken);
      }
    },
  };
}
