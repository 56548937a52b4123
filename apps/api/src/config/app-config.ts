import { parseDataEncryptionKeys, parseHashKey, type DataProtectionKeys } from '@health-bridge/health-archive';
import type { ViatomLanguage } from '@health-bridge/viatom-protocol';
import { CONFIG_RULES, CONFIG_SCHEMA, type ConfigValues, type VariableName } from './config-schema';
import type { ConfigVariable } from './config-variables';
import { type LogLevel, type PushSignatureConfig, type RateLimitRedisConfig, STANDARD_WEBHOOKS_SIGNATURE } from './security-config';

/** The service's whole configuration, typed. Built once from the environment at start (config-schema.ts declares every variable). */
export interface AppConfig {
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
    /** Egress proxy for the calls to Viatom; may hold credentials: never log it unmasked (`maskUrlPassword`). */
    proxyUrl: string | null;
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
  /** The operator console at /console: off, or served from `dir` (null: beside the API's build). */
  console: { enabled: boolean; dir: string | null };
  /** `GET /metrics` (Prometheus): see the README's "Metrics". */
  metrics: {
    enabled: boolean;
    /** When set, a scrape must send `Authorization: Bearer <token>`. Never logged. */
    token: string | null;
    /** When set, metrics are served on this port (same HOST) and not on the API's. */
    port?: number;
  };
  pushAuth: {
    /** Addresses and CIDR ranges (IPv4, IPv6) pushes may come from; empty = any. */
    ipAllowlist: string[];
    signature: PushSignatureConfig | null;
  };
  /** Proxies (addresses, CIDR ranges) whose X-Forwarded-For is believed; empty = none. */
  trustProxy: string[];
  rateLimit: {
    windowSeconds: number;
    /** Requests per window per integrator API key (0 = no limit). */
    apiMax: number;
    /** Pushes that passed every check, per window per source address (0 = no limit, the default: opt-in). */
    pushMax: number;
    /** Failed push checks per window per source address before it is blocked for a window (0 = no limit). */
    pushFailuresMax: number;
    /** Where the counters are shared by every replica; null = in memory, per process. */
    redis: RateLimitRedisConfig | null;
  };
  logLevel: LogLevel;
  /** Deletion on withdrawal (the grace period), the raw payloads' retention, and how often both are looked for. */
  privacy: { retentionAfterWithdrawalMs: number; rawPayloadRetentionMs: number; withdrawalSweepIntervalMs: number; auditRetentionMs: number };
  /** DATA_ENCRYPTION_KEYS and DATA_HASH_KEY; null in development without them (throw-away keys are made at start). */
  dataProtection: DataProtectionKeys | null;
  /** The FHIR R4 API. */
  fhir: { patientTelecom: boolean; baseUrl: string | null };
  /** The outbox and what delivers it. */
  delivery: {
    /** How long events are kept. */
    eventRetentionMs: number;
    /** This process runs the webhook dispatcher and the broker publisher. */
    enabled: boolean;
    timeoutMs: number;
    /** Webhook attempts at once per endpoint in this process. */
    maxInFlightPerEndpoint: number;
    /** The delay before each attempt, the first included. */
    retryScheduleMs: number[];
    secretOverlapMs: number;
    disableAfterMs: number;
    /** Webhook targets on loopback, private or link-local addresses are allowed. */
    allowPrivateTargets: boolean;
    /** Webhook URLs must be https (production). */
    requireHttps: boolean;
    /** Null: no broker. The URL may hold a password: never log it unmasked. */
    rabbitmq: { url: string; exchange: string } | null;
  };
}

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
  const values: Record<string, unknown> = {};
  const given = new Set<VariableName>();
  const invalid = new Set<VariableName>();
  const problems: string[] = [];
  for (const variable of CONFIG_SCHEMA as readonly ConfigVariable<VariableName>[]) {
    const raw = env[variable.name]?.trim();
    const parsed = raw ? variable.parse(raw) : ({ absent: true } as const);
    values[variable.name] = variable.fallback;
    if ('value' in parsed) {
      values[variable.name] = parsed.value;
      given.add(variable.name);
    } else if ('problems' in parsed) {
      problems.push(...parsed.problems);
      given.add(variable.name);
      invalid.add(variable.name);
    } else if (variable.required !== undefined) {
      problems.push(`${variable.name} is required: ${variable.required}`);
      invalid.add(variable.name);
    }
  }
  const read = values as ConfigValues;
  for (const rule of CONFIG_RULES) {
    if (rule.uses.every((name) => !invalid.has(name))) problems.push(...rule.check(read, given));
  }
  if (problems.length > 0) throw new ConfigurationError(problems);
  return appConfig(read);
}

/** The configuration's shape, from values that passed every check. */
function appConfig(v: ConfigValues): AppConfig {
  return {
    nodeEnv: v.NODE_ENV,
    host: v.HOST,
    port: v.PORT,
    database: {
      url: v.DATABASE_URL,
      schema: v.DATABASE_SCHEMA,
      migrationsRun: v.DATABASE_MIGRATIONS_RUN,
      poolSize: v.DATABASE_POOL_SIZE,
      connectTimeoutMs: v.DATABASE_CONNECT_TIMEOUT_MS,
    },
    viatom: {
      baseUrl: v.VIATOM_BASE_URL,
      secret: v.VIATOM_SECRET,
      accessToken: v.VIATOM_ACCESS_TOKEN,
      proxyUrl: v.VIATOM_PROXY_URL ?? null,
      language: v.VIATOM_LANGUAGE,
      timeZone: v.VIATOM_TIMEZONE,
      maxClockSkewMs: v.VIATOM_MAX_CLOCK_SKEW_SECONDS * 1000,
      timeoutMs: v.VIATOM_TIMEOUT_MS,
      retry: {
        maxAttempts: v.VIATOM_RETRY_MAX_ATTEMPTS,
        baseDelayMs: v.VIATOM_RETRY_BASE_DELAY_MS,
        maxDelayMs: v.VIATOM_RETRY_MAX_DELAY_MS,
        attemptTimeoutMs: v.VIATOM_ATTEMPT_TIMEOUT_MS,
      },
      circuitBreaker: { failureThreshold: v.VIATOM_BREAKER_THRESHOLD, cooldownMs: v.VIATOM_BREAKER_COOLDOWN_MS },
    },
    apiKeys: v.API_KEYS,
    webhookToken: v.WEBHOOK_TOKEN ?? null,
    bodyLimitBytes: v.BODY_LIMIT_BYTES,
    requestTimeoutMs: v.REQUEST_TIMEOUT_MS,
    headersTimeoutMs: v.HEADERS_TIMEOUT_MS,
    keepAliveTimeoutMs: v.KEEP_ALIVE_TIMEOUT_MS,
    swaggerEnabled: v.SWAGGER_ENABLED,
    console: { enabled: v.CONSOLE_ENABLED, dir: v.CONSOLE_DIR ?? null },
    metrics: { enabled: v.METRICS_ENABLED, token: v.METRICS_TOKEN ?? null, port: v.METRICS_PORT },
    pushAuth: { ipAllowlist: v.WEBHOOK_IP_ALLOWLIST, signature: pushSignature(v) },
    trustProxy: v.TRUST_PROXY,
    rateLimit: {
      windowSeconds: v.RATE_LIMIT_WINDOW_SECONDS,
      apiMax: v.RATE_LIMIT_API_MAX,
      pushMax: v.RATE_LIMIT_PUSH_MAX,
      pushFailuresMax: v.RATE_LIMIT_PUSH_FAILURES_MAX,
      redis: v.REDIS_URL === undefined ? null : { url: v.REDIS_URL, keyPrefix: v.RATE_LIMIT_REDIS_PREFIX },
    },
    logLevel: v.LOG_LEVEL,
    privacy: { retentionAfterWithdrawalMs: v.RETENTION_AFTER_WITHDRAWAL, rawPayloadRetentionMs: v.RAW_PAYLOAD_RETENTION, withdrawalSweepIntervalMs: v.WITHDRAWAL_SWEEP_INTERVAL, auditRetentionMs: v.AUDIT_RETENTION },
    dataProtection:
      v.DATA_ENCRYPTION_KEYS === undefined || v.DATA_HASH_KEY === undefined
        ? null
        : { encryptionKeys: parseDataEncryptionKeys(v.DATA_ENCRYPTION_KEYS), hashKey: parseHashKey(v.DATA_HASH_KEY) },
    fhir: { patientTelecom: v.FHIR_PATIENT_TELECOM, baseUrl: v.FHIR_BASE_URL?.replace(/\/+$/, '') ?? null },
    delivery: {
      eventRetentionMs: v.EVENT_RETENTION,
      enabled: v.DELIVERY_ENABLED,
      timeoutMs: v.DELIVERY_TIMEOUT,
      maxInFlightPerEndpoint: v.DELIVERY_MAX_IN_FLIGHT_PER_ENDPOINT,
      retryScheduleMs: v.DELIVERY_RETRY_SCHEDULE,
      secretOverlapMs: v.DELIVERY_SECRET_OVERLAP,
      disableAfterMs: v.DELIVERY_DISABLE_AFTER,
      allowPrivateTargets: v.DELIVERY_ALLOW_PRIVATE_TARGETS === 'auto' ? v.NODE_ENV !== 'production' : v.DELIVERY_ALLOW_PRIVATE_TARGETS === 'true',
      requireHttps: v.NODE_ENV === 'production',
      rabbitmq: v.RABBITMQ_URL === undefined ? null : { url: v.RABBITMQ_URL, exchange: v.RABBITMQ_EXCHANGE },
    },
  };
}

/** No secrets, no signature check; Standard Webhooks fixes everything but the secrets and the tolerance. */
function pushSignature(v: ConfigValues): PushSignatureConfig | null {
  const secrets = v.WEBHOOK_SIGNATURE_SECRETS;
  if (secrets.length === 0) return null;
  const toleranceSeconds = v.WEBHOOK_SIGNATURE_TOLERANCE_SECONDS;
  if (v.WEBHOOK_SIGNATURE_SCHEME === 'standard-webhooks') return { scheme: 'standard-webhooks', secrets, ...STANDARD_WEBHOOKS_SIGNATURE, toleranceSeconds };
  return {
    scheme: 'hmac',
    secrets,
    algorithm: v.WEBHOOK_SIGNATURE_ALGORITHM,
    header: v.WEBHOOK_SIGNATURE_HEADER,
    encoding: v.WEBHOOK_SIGNATURE_ENCODING,
    prefix: v.WEBHOOK_SIGNATURE_PREFIX,
    timestampHeader: v.WEBHOOK_SIGNATURE_TIMESTAMP_HEADER ?? null,
    toleranceSeconds,
  };
}
