import { loadConfig } from './app-config';
import { formatDuration, parseIsoDuration } from './config-variables';
import { REQUIRED_ENV, PRODUCTION_DATA_KEYS } from './testing-env';

const testingEnv = (): Record<string, string> => ({ ...REQUIRED_ENV });

describe('ISO 8601 durations', () => {
  it.each([
    ['P30D', 30 * 86_400_000],
    ['PT24H', 86_400_000],
    ['PT0S', 0],
    ['PT0.5S', 500],
    ['pt5m', 300_000],
    ['P1W', 7 * 86_400_000],
    ['P1DT2H30M', 95_400_000],
  ])('reads %s', (text, ms) => {
    expect(parseIsoDuration(text)).toBe(ms);
  });

  it.each(['P', 'PT', 'P1Y', 'P1M', '30d', '15', 'PT-5S', 'P1DT', ' PT5S'])('refuses %s', (text) => {
    expect(parseIsoDuration(text)).toBeNull();
  });

  it.each([
    [0, 'PT0S'],
    [300_000, 'PT5M'],
    [5 * 86_400_000, 'P5D'],
    [95_400_000, 'P1DT2H30M'],
    [1_500, 'PT1.5S'],
  ])('writes %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('delivery configuration', () => {
  it("defaults to a 30-day outbox, 128 attempts at once per endpoint, Svix's retry schedule, a 24-hour secret overlap and private targets allowed outside production", () => {
    const { delivery } = loadConfig(testingEnv());
    expect(delivery).toEqual({
      eventRetentionMs: 30 * 86_400_000,
      enabled: true,
      timeoutMs: 15_000,
      maxInFlightPerEndpoint: 128,
      retryScheduleMs: [0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000],
      secretOverlapMs: 86_400_000,
      disableAfterMs: 5 * 86_400_000,
      allowPrivateTargets: true,
      requireHttps: false,
      rabbitmq: null,
    });
  });

  it('refuses private targets and plain http in production unless told otherwise', () => {
    const production = { ...testingEnv(), NODE_ENV: 'production', ...PRODUCTION_DATA_KEYS, API_KEYS: 'a-production-key-0123456789', WEBHOOK_TOKEN: 'a-production-token-0123456789' };
    expect(loadConfig(production).delivery).toMatchObject({ allowPrivateTargets: false, requireHttps: true });
    expect(loadConfig({ ...production, DELIVERY_ALLOW_PRIVATE_TARGETS: 'true' }).delivery.allowPrivateTargets).toBe(true);
  });

  it('reads a compressed schedule, a share of attempts and a broker', () => {
    const { delivery } = loadConfig({
      ...testingEnv(),
      DELIVERY_RETRY_SCHEDULE: 'PT0S, PT0.1S,PT0.2S',
      DELIVERY_MAX_IN_FLIGHT_PER_ENDPOINT: '8',
      RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:5672',
    });
    expect(delivery.retryScheduleMs).toEqual([0, 100, 200]);
    expect(delivery.maxInFlightPerEndpoint).toBe(8);
    expect(delivery.rabbitmq).toEqual({ url: 'amqp://guest:guest@127.0.0.1:5672', exchange: 'health-bridge.events' });
  });

  it('names every bad delivery variable at once, without the broker password', () => {
    const attempt = () =>
      loadConfig({
        ...testingEnv(),
        EVENT_RETENTION: '30 days',
        DELIVERY_TIMEOUT: 'PT10M',
        DELIVERY_MAX_IN_FLIGHT_PER_ENDPOINT: '0',
        DELIVERY_RETRY_SCHEDULE: 'PT0S,soon',
        RABBITMQ_URL: 'http://user:s3cret@host',
        RABBITMQ_EXCHANGE: 'has space',
      });
    expect(attempt).toThrow(/EVENT_RETENTION must be an ISO 8601 duration/);
    expect(attempt).toThrow(/DELIVERY_TIMEOUT must be from PT0.1S to PT5M/);
    expect(attempt).toThrow(/DELIVERY_MAX_IN_FLIGHT_PER_ENDPOINT must be/);
    expect(attempt).toThrow(/DELIVERY_RETRY_SCHEDULE must be an ISO 8601 duration .*"soon"/);
    expect(attempt).toThrow(/RABBITMQ_URL must be an amqp/);
    expect(attempt).toThrow(/RABBITMQ_EXCHANGE may hold only/);
    expect(attempt).not.toThrow(/s3cret/);
  });
});
