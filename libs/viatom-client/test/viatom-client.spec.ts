/**
 * The Viatom client against the sandbox, over real HTTP (see client-harness.ts).
 */
import { Injectable, Module } from '@nestjs/common';
import { ViatomEndpoint } from '@health-bridge/viatom-protocol';
import { closedPort, failure, type Sandbox } from '@health-bridge/viatom-sandbox';
import { ViatomApiError, ViatomClient, ViatomClientModule, ViatomTransportError, type ViatomTransportFailure } from '../src';
import { useClientHarness } from './client-harness';

const SECRET = 'client-spec-secret-9f2c';
const ACCESS_TOKEN = 'client-spec-access-token-71ab';

const harness = useClientHarness({ secret: SECRET, accessToken: ACCESS_TOKEN });
const clientWith = harness.client;
let sandbox: Sandbox;
let baseUrl: string;
let client: ViatomClient;

async function expectTransport(promise: Promise<unknown>, kind: ViatomTransportFailure, status?: number) {
  const error = await failure(promise);
  expect(error).toBeInstanceOf(ViatomTransportError);
  expect(error).toMatchObject({ kind, endpoint: expect.any(String), name: 'ViatomTransportError' });
  expect((error as ViatomTransportError).status).toBe(status);
  harness.expectNoCredentials(error);
  return error as ViatomTransportError;
}

async function expectApiError(promise: Promise<unknown>, code: number) {
  const error = await failure(promise);
  expect(error).toBeInstanceOf(ViatomApiError);
  const apiError = error as ViatomApiError;
  expect(apiError).toMatchObject({ code, name: 'ViatomApiError' });
  expect(apiError.viatomMessage).not.toBe('');
  expect(apiError.reason).not.toBe('');
  expect(apiError.message).toContain(String(code));
  harness.expectNoCredentials(error);
  return apiError;
}

beforeAll(async () => {
  ({ sandbox, baseUrl } = harness);
  client = await clientWith();
});

describe('ViatomClient against the sandbox', () => {
  describe('getAuthorizationUrl', () => {
    it('returns the consent URL byte for byte, "+", "/" and "=" included', async () => {
      const url = await client.getAuthorizationUrl();
      expect(sandbox.issuedSigns.size).toBe(1);
      const [sign] = [...sandbox.issuedSigns];
      expect(url).toBe(`${baseUrl}/auth/#/?sign=${sign}`);
      for (const char of ['+', '/', '=']) expect(url).toContain(char);
    });

    it('sends secret, access-token and language (zh-CN by default) as JSON POST', async () => {
      await client.getAuthorizationUrl();
      expect(sandbox.calls).toHaveLength(1);
      const call = sandbox.calls[0];
      expect(call).toMatchObject({ endpoint: 'jump_path', path: ViatomEndpoint.AuthJumpPath, secret: 'valid', accessToken: 'valid', language: 'zh-CN' });
      expect(call.headers['content-type']).toMatch(/^application\/json/);
      // jump_path's body is empty ("body empty or absent"), not the JSON string "".
      expect(call.body).toBeUndefined();
      expect(call.headers['content-length'] ?? '0').toBe('0');
    });

    it('uses the configured language, and a per-call override', async () => {
      const english = await clientWith({ language: 'en-US' });
      await english.getAuthorizationUrl();
      await english.getAuthorizationUrl({ language: 'zh-CN' });
      await client.getAuthorizationUrl({ language: 'en-US' });
      expect(sandbox.calls.map((call) => call.language)).toEqual(['en-US', 'zh-CN', 'en-US']);
    });

    it('accepts a base URL with a trailing slash', async () => {
      const slashed = await clientWith({ baseUrl: `${baseUrl}/` });
      await expect(slashed.getAuthorizationUrl()).resolves.toContain('sign=');
      expect(sandbox.calls[0].path).toBe(ViatomEndpoint.AuthJumpPath);
    });
  });

  describe('cancelAuthorization', () => {
    it('resolves when Viatom said yes, having sent {phone}', async () => {
      sandbox.authorizedPhones.add('15312341234');
      await expect(client.cancelAuthorization('15312341234')).resolves.toBeUndefined();
      expect(sandbox.calls[0]).toMatchObject({ endpoint: 'cancel', body: { phone: '15312341234' }, secret: 'valid', accessToken: 'valid' });
      expect(sandbox.authorizedPhones.has('15312341234')).toBe(false);
      await sandbox.settled();
    });

    it('sends the per-call language', async () => {
      sandbox.authorizedPhones.add('15312341234');
      await client.cancelAuthorization('15312341234', { language: 'en-US' });
      expect(sandbox.calls[0].language).toBe('en-US');
      await sandbox.settled();
    });

    it('masks the phone in its log', async () => {
      sandbox.authorizedPhones.add('15399998888');
      harness.logger.lines.length = 0;
      await client.cancelAuthorization('15399998888');
      await expectApiError(client.cancelAuthorization('15399998888'), 101009);
      expect(harness.logger.lines.join('\n')).not.toContain('15399998888');
      await sandbox.settled();
    });
  });

  describe('Viatom refusing: ViatomApiError', () => {
    it('wrong secret: 109997', async () => {
      const wrong = await clientWith({ secret: 'not-the-secret', language: 'en-US' });
      const error = await expectApiError(wrong.getAuthorizationUrl(), 109997);
      expect(error.viatomMessage).toBe('secret error');
      expect(error.endpoint).toBe(ViatomEndpoint.AuthJumpPath);
      expect(sandbox.calls[0].secret).toBe('invalid');
    });

    it('wrong access token: 109993', async () => {
      const wrong = await clientWith({ accessToken: 'not-the-token' });
      await expectApiError(wrong.cancelAuthorization('15312341234'), 109993);
      expect(sandbox.calls[0].accessToken).toBe('invalid');
    });

    it('a phone that never authorized: 101009', async () => {
      const error = await expectApiError(client.cancelAuthorization('13800001111', { language: 'en-US' }), 101009);
      expect(error.viatomMessage).toBe('no authorized user exists');
      expect(error.endpoint).toBe(ViatomEndpoint.AuthCancel);
    });

    it('an injected error code, with its message and reason', async () => {
      sandbox.setFault({ errorCode: 100005, errorMessage: '应用服务已禁用', count: 1 });
      const error = await expectApiError(client.getAuthorizationUrl(), 100005);
      expect(error.viatomMessage).toBe('应用服务已禁用');
      expect(error.reason).toBe('injected by the sandbox (fault)');
    });

    it('an error envelope under a non-2xx status is still Viatom refusing', async () => {
      sandbox.setFault({ errorCode: 100006, httpStatus: 503 });
      await expectApiError(client.getAuthorizationUrl(), 100006);
      expect(sandbox.calls).toHaveLength(1);
    });
  });

  describe('no usable answer: ViatomTransportError', () => {
    it('timeout', async () => {
      const impatient = await clientWith({ timeoutMs: 200 });
      sandbox.setFault({ latencyMs: 1_500, count: 1 });
      const started = performance.now();
      const error = await expectTransport(impatient.getAuthorizationUrl(), 'timeout');
      expect(performance.now() - started).toBeLessThan(1_200);
      expect(error.message).toContain('200 ms');
    });

    it('connection refused', async () => {
      const nowhere = await clientWith({ baseUrl: `http://127.0.0.1:${await closedPort()}` });
      await expectTransport(nowhere.getAuthorizationUrl(), 'connection-refused');
    });

    it('connection dropped without an answer', async () => {
      // A dropped connection is retried: a fault for every attempt.
      sandbox.setFault({ dropConnection: true });
      await expectTransport(client.getAuthorizationUrl(), 'connection-reset');
      expect(sandbox.calls[0].answer).toEqual({ dropped: true });
    });

    it('an answer longer than 1 MiB: refused unread, not retried', async () => {
      sandbox.setFault({ oversized: true });
      const error = await expectTransport(client.getAuthorizationUrl(), 'answer-too-large');
      expect(error.message).toContain('longer than 1048576 bytes');
      expect(sandbox.calls).toHaveLength(1);
    });

    it('an answer that is not JSON', async () => {
      sandbox.setFault({ nonJson: true, count: 1 });
      await expectTransport(client.getAuthorizationUrl(), 'invalid-json', 200);
    });

    it('HTTP 500 with a body that is not the envelope', async () => {
      sandbox.setFault({ httpStatus: 500, count: 1 });
      await expectTransport(client.cancelAuthorization('15312341234'), 'http-status', 500);
    });

    it('HTTP 502 with a body that is not JSON', async () => {
      sandbox.setFault({ httpStatus: 502, nonJson: true });
      await expectTransport(client.getAuthorizationUrl(), 'http-status', 502);
    });

    it('HTTP 200 JSON without the envelope', async () => {
      sandbox.setFault({ noEnvelope: true, count: 1 });
      await expectTransport(client.getAuthorizationUrl(), 'invalid-envelope', 200);
    });
  });
});

describe('ViatomClientModule', () => {
  @Injectable()
  class ViatomSettings {
    readonly secret = SECRET;
    readonly accessToken = ACCESS_TOKEN;
  }

  @Module({ providers: [ViatomSettings], exports: [ViatomSettings] })
  class SettingsModule {}

  it('forRootAsync builds the client from a factory with injected dependencies', async () => {
    const moduleRef = await harness.compile([
      ViatomClientModule.forRootAsync({
        imports: [SettingsModule],
        inject: [ViatomSettings],
        useFactory: async (settings: ViatomSettings) => ({
          baseUrl,
          secret: settings.secret,
          accessToken: settings.accessToken,
          language: 'en-US' as const,
        }),
      }),
    ]);
    const asyncClient = moduleRef.get(ViatomClient);
    await expect(asyncClient.getAuthorizationUrl()).resolves.toMatch(/sign=/);
    expect(sandbox.calls[0]).toMatchObject({ secret: 'valid', accessToken: 'valid', language: 'en-US' });
  });

  it('forRootAsync with useClass: the options are made once, for the client and its HttpModule alike', async () => {
    let made = 0;
    @Injectable()
    class ViatomOptionsFactory {
      create() {
        made += 1;
        return { baseUrl, secret: SECRET, accessToken: ACCESS_TOKEN };
      }
    }
    const moduleRef = await harness.compile([ViatomClientModule.forRootAsync({ useClass: ViatomOptionsFactory })]);
    await expect(moduleRef.get(ViatomClient).getAuthorizationUrl()).resolves.toMatch(/sign=/);
    expect(sandbox.calls[0]).toMatchObject({ secret: 'valid', accessToken: 'valid' });
    expect(made).toBe(1);
  });

  it('is global by default: a module that imports nothing can inject the client', async () => {
    @Injectable()
    class Consumer {
      constructor(readonly viatom: ViatomClient) {}
    }
    @Module({ providers: [Consumer] })
    class FeatureModule {}

    const moduleRef = await harness.compile([ViatomClientModule.forRoot({ baseUrl, secret: SECRET, accessToken: ACCESS_TOKEN }), FeatureModule]);
    expect(moduleRef.get(Consumer).viatom).toBeInstanceOf(ViatomClient);
  });
});
