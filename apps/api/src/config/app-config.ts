import { isValidUtcOffset, VIATOM_LANGUAGES, type ViatomLanguage } from '@health-bridge/viatom-protocol';
import { parseDatabaseUrl } from '@health-bridge/health-archive';
import { loadSecurityConfig, type SecurityConfig } from './security-config';

/** The service's whole configuration, typed. Built once from the environment at start. */
export interface BaseAppConfig {
  nodeEnv: string;
  host: string;
  port: number;
  database: {
    url: string;
    /** PostgreSQL schema (default: the server's search_path, normally public). */
    schema?: string;
    migrationsRun: boolean;
    poolSize: number;
    /** How long start-up waits for an unreachable PostgreSQL server before it gives up. */
    connectTimeoutMs: number;
  };
  viatom: {
    baseUrl: string;
    secret: string;
    accessToken: string;
    language: ViatomLanguage;
    timeZone: string;
    /** How far ahead of this clock a push's own time is still believed when pushes are ordered. */
    maxClockSkewMs: number;
    /** Deadline of a whole call to Viatom, every attempt and backoff included. */
    timeoutMs: number;
    retry: {
      /** Attempts per call, the first included (1 = no retry). */
      maxAttempts: number;
      baseDelayMs: number;
      maxDelayMs: number;
      /** Deadline of one attempt; undefined: an attempt may use all the time left. */
      attemptTimeoutMs?: number;
    };
    circuitBreaker: {
      failureThreshold: number;
      cooldownMs: number;
    };
  };
  /** Integrator API keys: plain values, or `sha256:<hex>` of a key. */
  apiKeys: string[];
  /** When set, pushes must carry it (`?token=` or `X-Webhook-Token`). */
  webhookToken: string | null;
  bodyLimitBytes: number;
  /** Slow and stalled clients: the whole request (headers and body), then the headers alone, must arrive within these. */
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  /** How long an idle keep-alive connection is kept open; above the load balancer's own idle timeout. */
  keepAliveTimeoutMs: number;
  swaggerEnabled: boolean;
  /** `GET /metrics` (Prometheus): see the README's "Metrics". */
  metrics: {
    enabled: boolean;
    /** When set, a scrape must send `Authorization: Bearer <token>`. Never logged. */
    token: string | null;
    /** When set, metrics are served on this port (same HOST) and not on the API's. */
    port?: number;
  };
}

/** The whole configuration: the base above plus the security settings (security-config.ts). */
export type AppConfig = BaseAppConfig & SecurityConfig;

export const APP_CONFIG = Symbol('APP_CONFIG');

/** Thrown at start when the environment is wrong; lists every bad variable at once. */
export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigurationError';
  }
}

type Env = Record<string, string | undefined>;

/** Reads and validates the environment. Throws `ConfigurationError` naming every bad variable. */
export function loadConfig(env: Env): AppConfig {
  const problems: string[] = [];
  const value = (name: string): string | undefined => {
    const raw = env[name];
    return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
  };
  const required = (name: string, hint: string): string => {
    const v = value(name);
    if (v === undefined) problems.push(`${name} is required: ${hint}`);
    return v ?? '';
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const v = value(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${v}")`);
      return fallback;
    }
    return n;
  };
  const boolean = (name: string, fallback: boolean): boolean => {
    const v = value(name)?.toLowerCase();
    if (v === undefined) return fallback;
    if (['true', '1', 'yes'].includes(v)) return true;
    if (['false', '0', 'no'].includes(v)) return false;
    problems.push(`${name} must be true or false (got "${value(name)}")`);
    return fallback;
  };
  const url = (name: string, hint: string): string => {
    const v = required(name, hint);
    if (v && !/^https?:\/\/[^\s]+$/.test(v)) problems.push(`${name} must be an http(s) URL (got "${v}")`);
    else if (v) {
      try {
        new URL(v);
      } catch {
        problems.push(`${name} must be an http(s) URL (got "${v}")`);
      }
    }
    return v;
  };

  const databaseUrl = value('DATABASE_URL') ?? 'sqlite:./data/health-bridge.sqlite';
  try {
    parseDatabaseUrl(databaseUrl);
  } catch (error) {
    problems.push((error as Error).message);
  }

  const schema = value('DATABASE_SCHEMA');
  if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    problems.push(`DATABASE_SCHEMA must be a plain identifier (letters, digits, _) (got "${schema}")`);
  }

  const language = (value('VIATOM_LANGUAGE') ?? 'zh-CN') as ViatomLanguage;
  if (!VIATOM_LANGUAGES.includes(language)) problems.push(`VIATOM_LANGUAGE must be one of ${VIATOM_LANGUAGES.join(', ')} (got "${language}")`);
  const timeZone = value('VIATOM_TIMEZONE') ?? '+08:00';
  if (!isValidUtcOffset(timeZone)) problems.push(`VIATOM_TIMEZONE must be a UTC offset like +08:00 or Z (got "${timeZone}")`);

  const apiKeys = (value('API_KEYS') ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  if (apiKeys.length === 0) problems.push('API_KEYS is required: one or more integrator API keys, comma-separated (plain, or sha256:<hex>)');
  for (const key of apiKeys) {
    if (key.startsWith('sha256:') && !/^sha256:[0-9a-fA-F]{64}$/.test(key)) {
      problems.push('API_KEYS: an entry starting with "sha256:" must be followed by 64 hex digits');
    } else if (!key.startsWith('sha256:') && key.length < 16) {
      problems.push('API_KEYS: every plain key must be at least 16 characters long');
    }
  }
  const webhookToken = value('WEBHOOK_TOKEN') ?? null;
  if (webhookToken !== null && webhookToken.length < 16) problems.push('WEBHOOK_TOKEN must be at least 16 characters long');

  const security = loadSecurityConfig(env, problems, { nodeEnv: value('NODE_ENV') ?? 'development', apiKeys, webhookToken });

  const config: AppConfig = {
    ...security,
    nodeEnv: value('NODE_ENV') ?? 'development',
    host: value('HOST') ?? '127.0.0.1',
    port: integer('PORT', 3000, 0, 65535),
    database: {
      url: databaseUrl,
      schema,
      migrationsRun: boolean('DATABASE_MIGRATIONS_RUN', true),
      poolSize: integer('DATABASE_POOL_SIZE', 10, 1, 500),
      connectTimeoutMs: integer('DATABASE_CONNECT_TIMEOUT_MS', 60_000, 0, 3_600_000),
    },
    viatom: {
      baseUrl: url('VIATOM_BASE_URL', "Viatom's open-platform host, e.g. https://open.viatomtech.com.cn"),
      secret: required('VIATOM_SECRET', 'the secret issued by Lepu/Viatom'),
      accessToken: required('VIATOM_ACCESS_TOKEN', "the health-archive business line's access token"),
      language,
      timeZone,
      maxClockSkewMs: integer('VIATOM_MAX_CLOCK_SKEW_SECONDS', 600, 0, 31_536_000) * 1000,
      timeoutMs: integer('VIATOM_TIMEOUT_MS', 10_000, 100, 120_000),
      retry: {
        maxAttempts: integer('VIATOM_RETRY_MAX_ATTEMPTS', 3, 1, 10),
        baseDelayMs: integer('VIATOM_RETRY_BASE_DELAY_MS', 100, 1, 60_000),
        maxDelayMs: integer('VIATOM_RETRY_MAX_DELAY_MS', 2_000, 1, 60_000),
        attemptTimeoutMs: value('VIATOM_ATTEMPT_TIMEOUT_MS') === undefined ? undefined : integer('VIATOM_ATTEMPT_TIMEOUT_MS', 0, 100, 120_000),
      },
      circuitBreaker: {
        failureThreshold: integer('VIATOM_BREAKER_THRESHOLD', 5, 1, 1_000),
        cooldownMs: integer('VIATOM_BREAKER_COOLDOWN_MS', 30_000, 10, 3_600_000),
      },
    },
    apiKeys,
    webhookToken,
    bodyLimitBytes: integer('BODY_LIMIT_BYTES', 1_048_576, 1024, 104_857_600),
    requestTimeoutMs: integer('REQUEST_TIMEOUT_MS', 30_000, 1_000, 3_600_000),
    headersTimeoutMs: integer('HEADERS_TIMEOUT_MS', 10_000, 1_000, 3_600_000),
    keepAliveTimeoutMs: integer('KEEP_ALIVE_TIMEOUT_MS', 72_000, 1_000, 3_600_000),
    swaggerEnabled: boolean('SWAGGER_ENABLED', true),
    metrics: {
      enabled: boolean('METRICS_ENABLED', true),
      token: value('METRICS_TOKEN') ?? null,
      port: value('METRICS_PORT') === undefined ? undefined : integer('METRICS_PORT', 0, 0, 65535),
    },
  };
  const { retry } = config.viatom;
  if (retry.maxDelayMs < retry.baseDelayMs) {
    problems.push(`VIATOM_RETRY_MAX_DELAY_MS (${retry.maxDelayMs}) must not be less than VIATOM_RETRY_BASE_DELAY_MS (${retry.baseDelayMs})`);
  }
  if (retry.attemptTimeoutMs !== undefined && retry.attemptTimeoutMs > config.viatom.timeoutMs) {
    problems.push(`VIATOM_ATTEMPT_TIMEOUT_MS (${retry.attemptTimeoutMs}) must not be more than VIATOM_TIMEOUT_MS (${config.viatom.timeoutMs})`);
  }
  if (config.metrics.token !== null && config.metrics.token.length < 16) problems.push('METRICS_TOKEN must be at least 16 characters long');
  if (config.metrics.token !== null && /\s/.test(config.metrics.token)) problems.push('METRICS_TOKEN must not contain spaces (it is sent as "Authorization: Bearer <token>")');
  if (config.metrics.port !== undefined && config.metrics.port !== 0 && config.metrics.port === config.port) {
    problems.push(`METRICS_PORT (${config.metrics.port}) must differ from PORT: leave it unset to serve /metrics on the API's port`);
  }
  // Node refuses to start otherwise: the headers are part of the request.
  if (config.headersTimeoutMs > config.requestTimeoutMs) {
    problems.push(`HEADERS_TIMEOUT_MS (${config.headersTimeoutMs}) must not be more than REQUEST_TIMEOUT_MS (${config.requestTimeoutMs})`);
  }
  if (problems.length > 0) throw new ConfigurationError(problems);
  return config;
}
