import { DataProtection, parseDatabaseUrl, parseDataEncryptionKeys, parseHashKey } from '@health-bridge/health-archive';
import { isValidUtcOffset, VIATOM_LANGUAGES } from '@health-bridge/viatom-protocol';
import { atLeast, boolean, type Check, type ConfigVariable, duration, durations, integer, list, oneOf, text } from './config-variables';
import { parseApiKeyEntry } from '../common/api-keys';
import { isAddressOrCidr, LOG_LEVELS, maskUrlPassword, SIGNATURE_ALGORITHMS, SIGNATURE_ENCODINGS, SIGNATURE_SCHEMES } from './security-config';

/*
 * Every environment variable of the API, declared once: the loader (app-config.ts) reads them
 * from here, and `npm run config:docs` writes .env.example and the README's configuration
 * table from here. The order is the docs' order. Rules that involve several variables are in
 * CONFIG_RULES, below.
 */

const HEADER_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,99}$/;
/** Allowed in a key prefix: no space or control character, no `{}` (Redis Cluster's hash tags). */
const KEY_PREFIX = /^[A-Za-z0-9:._-]{1,100}$/;
/** The development keys published in tools/scripts/start-dev.mjs: refused in production. */
export const PUBLISHED_DEV_DATA_KEYS = {
  DATA_ENCRYPTION_KEYS: 'dev:ZGV2LWRhdGEta2V5LWNoYW5nZS1tZS0wMTIzNDU2Nzg=',
  DATA_HASH_KEY: 'ZGV2LWhhc2gta2V5LWNoYW5nZS1tZS0wMTIzNDU2Nzg5',
} as const;

const encryptionKeys: Check<string> = (value, name) => {
  try {
    new DataProtection({ encryptionKeys: parseDataEncryptionKeys(value), hashKey: Buffer.alloc(32) });
    return [];
  } catch (error) {
    return [`${name}: ${(error as Error).message}; write <id>:<32 bytes in base64>, comma-separated, the current key first (npm run keys:generate)`];
  }
};
const hashKey: Check<string> = (value, name) => {
  try {
    const key = parseHashKey(value);
    return key.length >= 32 ? [] : [`${name} must be at least 32 bytes in base64 (got ${key.length} bytes; npm run keys:generate)`];
  } catch (error) {
    return [`${name}: ${(error as Error).message} (npm run keys:generate)`];
  }
};

/** Development defaults published in tools/scripts/start-dev.mjs: refused in production. */
const PUBLISHED_DEV_SECRETS = ['dev-api-key-change-me', 'dev-webhook-token-change-me'];
/** The hmac scheme's settings, which the Standard Webhooks scheme fixes. */
const HMAC_ONLY = ['WEBHOOK_SIGNATURE_ALGORITHM', 'WEBHOOK_SIGNATURE_HEADER', 'WEBHOOK_SIGNATURE_ENCODING', 'WEBHOOK_SIGNATURE_PREFIX', 'WEBHOOK_SIGNATURE_TIMESTAMP_HEADER'] as const;

const headerName: Check<string> = (value, name) => (HEADER_NAME.test(value) ? [] : [`${name} must be an HTTP header name (letters, digits, -) (got "${value}")`]);

const addresses: Check<string[]> = (entries, name) => {
  const bad = entries.filter((entry) => !isAddressOrCidr(entry));
  return bad.length === 0 ? [] : [`${name} must be comma-separated IP addresses or CIDR ranges, IPv4 or IPv6 (not valid: ${bad.map((b) => `"${b}"`).join(', ')})`];
};

/** The user name and password of a URL, as given, must decode. */
function undecodableCredentials(url: URL, name: string): string[] {
  try {
    decodeURIComponent(url.username + url.password);
    return [];
  } catch {
    return [`${name}: the user name or password holds a % that is not followed by two hex digits (write % as %25)`];
  }
}

const httpUrl: Check<string> = (value, name) => {
  let valid = /^https?:\/\/[^\s]+$/.test(value);
  try {
    new URL(value);
  } catch {
    valid = false;
  }
  return valid ? [] : [`${name} must be an http(s) URL (got "${value}")`];
};

/** An egress proxy: scheme, optional credentials, host and port; nothing after them. */
const proxyUrl: Check<string> = (value, name) => {
  const usage = `${name} must be an http:// or https:// URL of the proxy, e.g. http://user:password@proxy.example.com:3128`;
  let url: URL | null = null;
  try {
    url = new URL(value);
  } catch {
    /* reported below */
  }
  // Unparsed, a password may sit anywhere in the text: it is not repeated.
  if (!url || !['http:', 'https:'].includes(url.protocol)) return [`${usage} (the value is not shown: it may hold a password)`];
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') return [`${usage}, with nothing after the port (got "${maskUrlPassword(value)}")`];
  return undecodableCredentials(url, name);
};

const redisUrl: Check<string> = (value, name) => {
  let url: URL | null = null;
  try {
    url = new URL(value);
  } catch {
    /* reported below */
  }
  // The path, if any, is the database number.
  if (!url || !['redis:', 'rediss:'].includes(url.protocol) || url.hostname === '' || !/^(\/\d{0,5})?$/.test(url.pathname)) {
    return [`${name} must be a redis:// or rediss:// URL, e.g. redis://:password@redis-host:6379/0 (got "${maskUrlPassword(value)}")`];
  }
  return undecodableCredentials(url, name);
};

const apiKeys: Check<string[]> = (entries) => {
  const names = new Set<string>();
  return entries.flatMap((entry) => {
    const { name, secret } = parseApiKeyEntry(entry);
    const problems: string[] = [];
    if (name !== null) {
      if (names.has(name)) problems.push(`API_KEYS: the name "${name}" is given to two keys`);
      names.add(name);
    }
    if (secret.startsWith('sha256:')) {
      if (!/^sha256:[0-9a-fA-F]{64}$/.test(secret)) problems.push('API_KEYS: an entry starting with "sha256:" must be followed by 64 hex digits');
    } else if (secret.length < 16) {
      problems.push('API_KEYS: every plain key must be at least 16 characters long');
    }
    return problems;
  });
};

export const CONFIG_SCHEMA = [
  // --- Service and HTTP
  text('NODE_ENV', {
    group: 'http',
    default: 'development',
    description: 'set it to `production` in production: the service then refuses to start without `API_KEYS`, without a push check or with the published development secrets, and says which',
  }),
  integer('PORT', { group: 'http', min: 0, max: 65535, default: 3000, description: 'HTTP port to listen on' }),
  text('HOST', { group: 'http', default: '127.0.0.1', accepts: 'address', description: 'interface to listen on (`0.0.0.0` in a container)' }),
  integer('BODY_LIMIT_BYTES', {
    group: 'http',
    min: 1024,
    max: 104_857_600,
    default: 1_048_576,
    description: 'largest request body; larger ones get 413. A compressed body (gzip, deflate, br) must stay under it once inflated too',
  }),
  integer('REQUEST_TIMEOUT_MS', {
    group: 'http',
    min: 1_000,
    max: 3_600_000,
    default: 30_000,
    description: 'a request (headers and body) not received whole within this is answered 408 and its connection closed',
  }),
  integer('HEADERS_TIMEOUT_MS', {
    group: 'http',
    min: 1_000,
    max: 3_600_000,
    default: 10_000,
    description: 'the same for the headers alone, and for a new connection that sends nothing; not more than `REQUEST_TIMEOUT_MS`',
  }),
  integer('KEEP_ALIVE_TIMEOUT_MS', {
    group: 'http',
    min: 1_000,
    max: 3_600_000,
    default: 72_000,
    description:
      "how long an idle keep-alive connection stays open. Keep it above your load balancer's idle timeout (AWS ALB 60 s, nginx upstream 60 s; Google Cloud: `620000`); see [Running behind a load balancer](#running-behind-a-load-balancer)",
  }),
  boolean('SWAGGER_ENABLED', { group: 'http', default: true, description: 'serve Swagger UI at `/docs` and the OpenAPI document at `/docs-json`' }),
  boolean('CONSOLE_ENABLED', {
    group: 'http',
    default: true,
    description: 'serve the operator console at `/console` (static files; every call it makes goes through the REST API with an API key)',
  }),
  text('CONSOLE_DIR', {
    group: 'http',
    accepts: 'folder',
    description: "the folder of the built console (`npm run build` writes `dist/apps/console`); unset = the `console` folder beside the API's own build folder",
  }),

  // --- Database
  text('DATABASE_URL', {
    group: 'database',
    default: 'sqlite:./data/health-bridge.sqlite',
    secret: 'url-password',
    accepts: 'URL',
    description: '`sqlite:<path>` (the embedded database; `sqlite::memory:` for one that lasts as long as the process) or `postgres://user:password@host:5432/database`',
    check: (value) => {
      try {
        parseDatabaseUrl(value);
        return [];
      } catch (error) {
        return [(error as Error).message];
      }
    },
  }),
  text('DATABASE_SCHEMA', {
    group: 'database',
    accepts: 'identifier',
    example: 'health_bridge',
    description: "PostgreSQL only: the schema to use; unset = the server's `search_path` (normally `public`)",
    check: (value, name) => (/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(value) ? [] : [`${name} must be a plain identifier (letters, digits, _) (got "${value}")`]),
  }),
  integer('DATABASE_POOL_SIZE', { group: 'database', min: 1, max: 500, default: 10, description: 'PostgreSQL only: connections in the pool of this process' }),
  boolean('DATABASE_MIGRATIONS_RUN', {
    group: 'database',
    default: true,
    description: 'run pending migrations at start. Set `false` where migrations run as a separate step: `GET /health/ready` then answers 503 `migrations: pending` until they have run',
  }),
  integer('DATABASE_CONNECT_TIMEOUT_MS', {
    group: 'database',
    min: 0,
    max: 3_600_000,
    default: 60_000,
    description:
      'PostgreSQL: how long start-up waits for a server it cannot reach (a line per attempt, backoff up to 5 s), then stops naming `DATABASE_URL`; `0` = one attempt. A server that answers but refuses (wrong password, no such database) and a SQLite file that cannot be opened stop it at once',
  }),

  // --- Viatom
  text('VIATOM_BASE_URL', {
    group: 'viatom',
    required: "Viatom's open-platform host, e.g. https://open.viatomtech.com.cn",
    accepts: 'http(s) URL',
    example: 'https://open.viatomtech.com.cn',
    description: "Viatom's open-platform host (the example is Viatom's test host)",
    check: httpUrl,
  }),
  text('VIATOM_SECRET', { group: 'viatom', required: 'the secret issued by Lepu/Viatom', secret: true, description: 'the `secret` issued by Lepu/Viatom' }),
  text('VIATOM_ACCESS_TOKEN', {
    group: 'viatom',
    required: "the health-archive business line's access token",
    secret: true,
    description: "the health-archive business line's `access-token` (not the AI-analysis one)",
  }),
  text('VIATOM_PROXY_URL', {
    group: 'viatom',
    secret: 'url-password',
    accepts: 'http(s) URL',
    description:
      'the egress proxy the calls to Viatom go through, where the network requires one (enterprise networks in China commonly do): `http://host:port` or `https://host:port`, with credentials if it asks for them (`http://user:password@proxy:3128`; write `@` `:` `/` `%` in them percent-encoded); unset = direct connections',
    check: proxyUrl,
  }),
  oneOf('VIATOM_LANGUAGE', { group: 'viatom', values: VIATOM_LANGUAGES, default: 'zh-CN', caseSensitive: true, description: "default language of Viatom's answers and consent page" }),
  text('VIATOM_TIMEZONE', {
    group: 'viatom',
    default: '+08:00',
    accepts: 'UTC offset',
    description: "UTC offset (`+08:00`, `-05:30`, `Z`) in which Viatom's zone-less times (`create_time`, `update_time`, `measure_time`) are read",
    check: (value, name) => (isValidUtcOffset(value) ? [] : [`${name} must be a UTC offset like +08:00 or Z (got "${value}")`]),
  }),
  integer('VIATOM_MAX_CLOCK_SKEW_SECONDS', {
    group: 'viatom',
    min: 0,
    max: 31_536_000,
    default: 600,
    description: "a push whose own time is further ahead of this service's clock is ordered by the time it was received (a wrong clock must not let a grant outlive a withdrawal)",
  }),
  integer('VIATOM_TIMEOUT_MS', { group: 'viatom', min: 100, max: 120_000, default: 10_000, description: 'deadline of one call to Viatom, every attempt and backoff included' }),
  integer('VIATOM_ATTEMPT_TIMEOUT_MS', {
    group: 'viatom',
    min: 100,
    max: 120_000,
    example: '4000',
    description: 'deadline of one attempt, so that a hung attempt is retried within `VIATOM_TIMEOUT_MS` (not more than it); unset = an attempt may use all the time left',
  }),
  integer('VIATOM_RETRY_MAX_ATTEMPTS', {
    group: 'viatom',
    min: 1,
    max: 10,
    default: 3,
    description: 'attempts per call, the first included (`1` = no retry). Retried only where safe: no answer, a gateway 502/503/504, Viatom\'s "system busy" 109999',
  }),
  integer('VIATOM_RETRY_BASE_DELAY_MS', {
    group: 'viatom',
    min: 1,
    max: 60_000,
    default: 100,
    description: 'first backoff delay; delay *n* is random in [½, 1) × min(max, base × 2^(n−1))',
  }),
  integer('VIATOM_RETRY_MAX_DELAY_MS', { group: 'viatom', min: 1, max: 60_000, default: 2_000, description: 'cap of one backoff delay; not less than `VIATOM_RETRY_BASE_DELAY_MS`' }),
  integer('VIATOM_BREAKER_THRESHOLD', {
    group: 'viatom',
    min: 1,
    max: 1_000,
    default: 5,
    description: 'failed calls in a row (after their retries) that open the circuit: calls then fail at once (503 with `Retry-After`, Viatom not called) for the cool-down',
  }),
  integer('VIATOM_BREAKER_COOLDOWN_MS', { group: 'viatom', min: 10, max: 3_600_000, default: 30_000, description: 'how long the circuit stays open before one trial call is let through' }),

  // --- Who may call
  list('API_KEYS', {
    group: 'callers',
    required: 'one or more integrator API keys, comma-separated (name:key, plain, or sha256:<hex>)',
    secret: true,
    description:
      'integrator keys (`X-API-Key`), comma-separated, each `name:key` (the name, up to 64 letters, digits, `.`, `_` or `-`, is what the access audit shows; the key never is) or an unnamed key (named by a fingerprint, `key-` and 8 hex digits of its SHA-256). A key is plain (16+ characters) or `sha256:<64 hex>` of a key, so that the key itself need not sit in the environment (`echo -n "$KEY" | sha256sum`); a key holding a colon must be named',
    check: apiKeys,
  }),

  // --- Which pushes are believed
  text('WEBHOOK_TOKEN', {
    group: 'push-checks',
    secret: true,
    description:
      'a token every push must carry, as `?token=` or `X-Webhook-Token`: register the push URL with Viatom as `https://<your-host>/api/v1/webhooks/viatom?token=<WEBHOOK_TOKEN>`. 16+ characters (use a random one); unset = not checked',
    check: atLeast(16),
  }),
  list('WEBHOOK_IP_ALLOWLIST', {
    group: 'push-checks',
    accepts: 'addresses, CIDR ranges',
    example: '203.0.113.0/24,2001:db8::/32',
    description: 'addresses and CIDR ranges (IPv4, IPv6), comma-separated, pushes may come from; unset = any',
    check: addresses,
  }),
  list('TRUST_PROXY', {
    group: 'push-checks',
    accepts: 'addresses, CIDR ranges',
    example: '10.0.0.0/8',
    description: "proxies and load balancers (addresses, CIDR ranges) whose `X-Forwarded-For` is believed; unset = none: the client's address is the TCP peer's",
    check: addresses,
  }),
  list('WEBHOOK_SIGNATURE_SECRETS', {
    group: 'push-checks',
    secret: true,
    description:
      'when set, pushes must carry an HMAC signature of their body made with one of these secrets (comma-separated, all accepted at once: rotation); 16+ characters each, `whsec_<base64>` with `standard-webhooks`',
  }),
  oneOf('WEBHOOK_SIGNATURE_SCHEME', {
    group: 'push-checks',
    values: SIGNATURE_SCHEMES,
    default: 'hmac',
    description:
      '`hmac` (the header, algorithm, encoding and prefix below; GitHub style is header `X-Hub-Signature-256`, prefix `sha256=`) or `standard-webhooks` (its fixed `webhook-id`, `webhook-timestamp` and `webhook-signature` headers; `whsec_` secrets)',
  }),
  oneOf('WEBHOOK_SIGNATURE_ALGORITHM', { group: 'push-checks', values: SIGNATURE_ALGORITHMS, default: 'sha256', description: 'HMAC algorithm (hmac scheme)' }),
  text('WEBHOOK_SIGNATURE_HEADER', {
    group: 'push-checks',
    default: 'x-signature',
    accepts: 'header name',
    description: 'header carrying the signature(s) (hmac scheme)',
    check: headerName,
    normalize: (value) => value.toLowerCase(),
  }),
  oneOf('WEBHOOK_SIGNATURE_ENCODING', { group: 'push-checks', values: SIGNATURE_ENCODINGS, default: 'hex', description: 'encoding of the signature (hmac scheme)' }),
  text('WEBHOOK_SIGNATURE_PREFIX', { group: 'push-checks', default: '', description: 'text before each signature, e.g. `sha256=` (hmac scheme)' }),
  text('WEBHOOK_SIGNATURE_TIMESTAMP_HEADER', {
    group: 'push-checks',
    accepts: 'header name',
    example: 'X-Timestamp',
    description: 'header with the signing time in Unix seconds; then the signed content is `<timestamp>.<body>` (hmac scheme); unset = no timestamp',
    check: headerName,
    normalize: (value) => value.toLowerCase(),
  }),
  integer('WEBHOOK_SIGNATURE_TOLERANCE_SECONDS', {
    group: 'push-checks',
    min: 1,
    max: 86_400,
    default: 300,
    description: 'largest distance between the signing time and now, either way (both schemes, when there is a timestamp)',
  }),

  // --- Rate limits
  integer('RATE_LIMIT_WINDOW_SECONDS', {
    group: 'rate-limits',
    min: 1,
    max: 86_400,
    default: 60,
    description: 'window of every rate limit (and how long a blocked push address stays blocked)',
  }),
  integer('RATE_LIMIT_API_MAX', {
    group: 'rate-limits',
    min: 0,
    max: 1_000_000,
    default: 600,
    description: 'requests per window per API key on the integrator API (a missing or wrong key: per address); `0` = no limit',
  }),
  integer('RATE_LIMIT_PUSH_FAILURES_MAX', {
    group: 'rate-limits',
    min: 0,
    max: 1_000_000,
    default: 20,
    description:
      "failed push checks (address, token, signature) per window per source address; beyond it that address's failures are answered 429 until the window passes (a push that passes is never refused). Set `TRUST_PROXY` behind a load balancer. `0` = no limit",
  }),
  integer('RATE_LIMIT_PUSH_MAX', {
    group: 'rate-limits',
    min: 0,
    max: 1_000_000,
    default: 0,
    description: 'opt-in: pushes that passed every check, per window per source address; `0` = no limit (Viatom is never throttled: its retry policy is unknown and a catch-up burst after an outage is normal)',
  }),
  text('REDIS_URL', {
    group: 'rate-limits',
    secret: 'url-password',
    accepts: '`redis://` or `rediss://` URL',
    description:
      'the Redis that keeps the rate-limit counters, shared by every replica (`rediss://`: TLS), e.g. `redis://:password@redis:6379/0`; unset = in memory, per process. It fails open: while Redis does not answer, requests are let through unlimited (logged once)',
    check: redisUrl,
  }),
  text('RATE_LIMIT_REDIS_PREFIX', {
    group: 'rate-limits',
    default: 'health-bridge:throttle:',
    accepts: '1 to 100 letters, digits, `:` `.` `_` `-`',
    description: 'put before every key in that Redis, so that several deployments can share one',
    check: (value, name) => (KEY_PREFIX.test(value) ? [] : [`${name} may hold only letters, digits and : . _ - (1 to 100 of them) (got "${value}")`]),
  }),

  // --- Event delivery
  duration('EVENT_RETENTION', {
    group: 'delivery',
    default: 'P30D',
    minMs: 3_600_000,
    maxMs: 3650 * 86_400_000,
    description: 'how long events are kept in the outbox (`GET /api/v1/events`, webhook deliveries and their log, the broker publisher); older ones are deleted hourly',
  }),
  boolean('DELIVERY_ENABLED', {
    group: 'delivery',
    default: true,
    description: 'this process delivers events (webhooks, RabbitMQ). Every replica may: on PostgreSQL they share the work without sending an event twice in the ordinary case',
  }),
  duration('DELIVERY_TIMEOUT', {
    group: 'delivery',
    default: 'PT15S',
    minMs: 100,
    maxMs: 300_000,
    description: 'a webhook attempt not answered 2xx within this (connection, headers and body) has failed',
  }),
  integer('DELIVERY_MAX_IN_FLIGHT_PER_ENDPOINT', {
    group: 'delivery',
    min: 1,
    max: 512,
    default: 128,
    description:
      'webhook attempts sent at once to one endpoint by one process (512 in all): lower it for a receiver that cannot take as many requests at once. A receiver that hangs holds no more than this until `DELIVERY_TIMEOUT`',
  }),
  durations('DELIVERY_RETRY_SCHEDULE', {
    group: 'delivery',
    default: 'PT0S,PT5S,PT5M,PT30M,PT2H,PT5H,PT10H,PT10H',
    minMs: 0,
    maxMs: 7 * 86_400_000,
    maxEntries: 50,
    description:
      "the delay before each webhook attempt, the first included (Svix's schedule by default): a delay *d* is waited as a random time in [0.8 *d*, 1.2 *d*]; after the last attempt fails the delivery is `failed` (resend it with `…/retry` or `…/recover`). A `Retry-After` on 429 or 503 is honoured when it asks for longer",
  }),
  duration('DELIVERY_SECRET_OVERLAP', {
    group: 'delivery',
    default: 'PT24H',
    minMs: 0,
    maxMs: 30 * 86_400_000,
    description: "after a webhook endpoint's secret is rotated, the old secret keeps signing beside the new one for this long",
  }),
  duration('DELIVERY_DISABLE_AFTER', {
    group: 'delivery',
    default: 'P5D',
    minMs: 60_000,
    maxMs: 365 * 86_400_000,
    description: 'an endpoint whose every attempt has failed for this long is disabled (event `endpoint.disabled`); a 410 answer disables it at once',
  }),
  oneOf('DELIVERY_ALLOW_PRIVATE_TARGETS', {
    group: 'delivery',
    values: ['auto', 'true', 'false'],
    default: 'auto',
    description:
      'webhook URLs on loopback, private (RFC 1918, fc00::/7), link-local or otherwise non-public addresses, checked when an endpoint is saved and at every connection: `auto` = allowed unless `NODE_ENV=production`. In production the URL must also be `https`',
  }),
  text('RABBITMQ_URL', {
    group: 'delivery',
    secret: 'url-password',
    accepts: '`amqp://` or `amqps://` URL',
    example: 'amqp://guest:guest@127.0.0.1:5672',
    description:
      'publish every event to this RabbitMQ (persistent messages, publisher confirms, `messageId` = the event id, routing key = the event type); unset = no broker. An outage delays publishing and loses nothing',
    check: (value, name) => {
      let url: URL | null = null;
      try {
        url = new URL(value);
      } catch {
        /* reported below */
      }
      if (!url || !['amqp:', 'amqps:'].includes(url.protocol) || url.hostname === '') {
        return [`${name} must be an amqp:// or amqps:// URL, e.g. amqp://user:password@rabbitmq:5672/vhost (got "${maskUrlPassword(value)}")`];
      }
      return undecodableCredentials(url, name);
    },
  }),
  text('RABBITMQ_EXCHANGE', {
    group: 'delivery',
    default: 'health-bridge.events',
    accepts: '1 to 200 letters, digits, `.` `_` `-` `:`',
    description: 'the topic exchange events are published to (declared durable if missing); bind your queues with routing keys such as `measurement.#`',
    check: (value, name) => (/^[A-Za-z0-9._:-]{1,200}$/.test(value) ? [] : [`${name} may hold only letters, digits and . _ - : (1 to 200 of them) (got "${value}")`]),
  }),

  // --- Personal data
  duration('RETENTION_AFTER_WITHDRAWAL', {
    group: 'privacy',
    default: 'P0D',
    minMs: 0,
    maxMs: 3650 * 86_400_000,
    description:
      "how long after a person's authorization ends (their type-3 push, or the cancel) their measurements and the raw payloads of their pushes are deleted; `P0D`: at the next sweep",
  }),
  duration('RAW_PAYLOAD_RETENTION', {
    group: 'privacy',
    default: 'P30D',
    minMs: 1000,
    maxMs: 3650 * 86_400_000,
    description:
      "how long a push's body as received (`rawMessage`) is kept; older ones are emptied, the log's facts and dedupe key kept (a repeat is still recognised)",
  }),
  duration('WITHDRAWAL_SWEEP_INTERVAL', {
    group: 'privacy',
    default: 'PT5S',
    minMs: 100,
    maxMs: 3_600_000,
    description:
      'how often the deletion on withdrawal looks for people whose grace period is over, and the payload retention for old bodies (and once at start: a restart loses nothing)',
  }),

  duration('AUDIT_RETENTION', {
    group: 'privacy',
    default: 'P1095D',
    minMs: 86_400_000,
    maxMs: 36_500 * 86_400_000,
    description:
      "how long the access audit's rows (who read whose data: `GET /api/v1/audit`) are kept: longer than the data they are about (default three years, PIPL art. 55's record keeping); older ones are deleted hourly",
  }),
  text('DATA_ENCRYPTION_KEYS', {
    group: 'privacy',
    secret: true,
    accepts: '`<id>:<base64 of 32 bytes>`, comma-separated',
    description:
      'the AES-256-GCM keys that seal phones, raw payloads, measurement and event data and the webhook signing secrets at rest: `<id>:<32 bytes in base64>`, comma-separated; the first seals, all open (rotate: put a new one first, run `npm run data:reencrypt`, then drop the old). Required in production; unset in development: throw-away keys are generated at start and printed (data written with them is unreadable after a restart). `npm run keys:generate` makes them',
    check: encryptionKeys,
  }),
  text('DATA_HASH_KEY', {
    group: 'privacy',
    secret: true,
    accepts: 'base64 of 32+ bytes',
    description:
      'the HMAC-SHA256 key of the keyed hash phones are looked up by (never the number): 32+ bytes in base64. Not rotated: changing it makes every stored phone unfindable. Required in production, with DATA_ENCRYPTION_KEYS',
    check: hashKey,
  }),

  // --- FHIR
  boolean('FHIR_PATIENT_TELECOM', {
    group: 'fhir',
    default: false,
    description: "show the person's phone in `Patient.telecom`. Off: a Patient carries only its pseudonymous id, and the phone stays in this service",
  }),
  text('FHIR_BASE_URL', {
    group: 'fhir',
    accepts: 'an http(s) URL without a query, e.g. `https://bridge.example.com/fhir`',
    description: "the FHIR base as clients reach it (behind a proxy), for `fullUrl` and `next` links; unset: taken from each request's Host",
    check: (value, name) => (/^https?:\/\/[^\s?#]+$/.test(value) ? [] : [`${name} must be an http(s) URL without a query or fragment, e.g. https://bridge.example.com/fhir (got "${value}")`]),
  }),

  // --- Logs
  oneOf('LOG_LEVEL', { group: 'logs', values: LOG_LEVELS, default: 'info', description: 'JSON lines on stdout, from this level up' }),

  // --- Metrics
  boolean('METRICS_ENABLED', { group: 'metrics', default: true, description: 'serve `GET /metrics`; `false` = 404 there' }),
  text('METRICS_TOKEN', {
    group: 'metrics',
    secret: true,
    description: 'when set (16+ characters, no spaces), a scrape must send `Authorization: Bearer <token>`',
    check: (value, name) => [
      ...atLeast(16)(value, name),
      ...(/\s/.test(value) ? [`${name} must not contain spaces (it is sent as "Authorization: Bearer <token>")`] : []),
    ],
  }),
  integer('METRICS_PORT', {
    group: 'metrics',
    min: 0,
    max: 65535,
    example: '9464',
    description: "serve `/metrics` on this port (same `HOST`) instead of `PORT`, so that it need not be exposed where the API is; not the same as `PORT`; unset = on the API's port",
  }),
] as const;

type SchemaVariable = (typeof CONFIG_SCHEMA)[number];
export type VariableName = SchemaVariable['name'];
/** Every variable's value, typed: its default (or undefined) when unset. */
export type ConfigValues = { [V in SchemaVariable as V['name']]: V extends ConfigVariable<string, infer T> ? T : never };

/** A rule over several variables; checked only when every variable it `uses` is valid. */
export interface ConfigRule {
  uses: readonly VariableName[];
  check(values: ConfigValues, given: ReadonlySet<VariableName>): string[];
}

const problemIf = (condition: boolean, problem: string): string[] => (condition ? [problem] : []);

export const CONFIG_RULES: readonly ConfigRule[] = [
  {
    uses: ['NODE_ENV', 'WEBHOOK_TOKEN', 'WEBHOOK_IP_ALLOWLIST', 'WEBHOOK_SIGNATURE_SECRETS'],
    check: (v) =>
      problemIf(
        v.NODE_ENV === 'production' && v.WEBHOOK_TOKEN === undefined && v.WEBHOOK_IP_ALLOWLIST.length === 0 && v.WEBHOOK_SIGNATURE_SECRETS.length === 0,
        'NODE_ENV=production needs at least one push check: WEBHOOK_TOKEN, WEBHOOK_IP_ALLOWLIST or WEBHOOK_SIGNATURE_SECRETS (otherwise anyone who finds the push URL can write health records)',
      ),
  },
  {
    uses: ['NODE_ENV', 'API_KEYS', 'WEBHOOK_TOKEN'],
    check: (v) =>
      problemIf(
        v.NODE_ENV === 'production' && [...v.API_KEYS, v.WEBHOOK_TOKEN ?? ''].some((s) => PUBLISHED_DEV_SECRETS.includes(s)),
        'NODE_ENV=production: API_KEYS or WEBHOOK_TOKEN holds a published development default (see tools/scripts/start-dev.mjs): set your own',
      ),
  },
  {
    uses: ['NODE_ENV', 'DATA_ENCRYPTION_KEYS', 'DATA_HASH_KEY'],
    check: (v) => [
      ...problemIf(v.NODE_ENV === 'production' && v.DATA_ENCRYPTION_KEYS === undefined, 'NODE_ENV=production needs DATA_ENCRYPTION_KEYS: the keys personal data is encrypted with at rest (npm run keys:generate)'),
      ...problemIf(v.NODE_ENV === 'production' && v.DATA_HASH_KEY === undefined, 'NODE_ENV=production needs DATA_HASH_KEY: the key phones are hashed with for look-ups (npm run keys:generate)'),
      ...problemIf(
        (v.DATA_ENCRYPTION_KEYS === undefined) !== (v.DATA_HASH_KEY === undefined),
        `${v.DATA_HASH_KEY === undefined ? 'DATA_HASH_KEY' : 'DATA_ENCRYPTION_KEYS'} is missing: DATA_ENCRYPTION_KEYS and DATA_HASH_KEY go together (npm run keys:generate)`,
      ),
      ...problemIf(
        v.NODE_ENV === 'production' &&
          (v.DATA_ENCRYPTION_KEYS?.includes(PUBLISHED_DEV_DATA_KEYS.DATA_ENCRYPTION_KEYS.split(':')[1]) === true || v.DATA_HASH_KEY === PUBLISHED_DEV_DATA_KEYS.DATA_HASH_KEY),
        'NODE_ENV=production: DATA_ENCRYPTION_KEYS or DATA_HASH_KEY holds a published development key (see tools/scripts/start-dev.mjs): generate your own (npm run keys:generate)',
      ),
    ],
  },
  {
    uses: ['WEBHOOK_SIGNATURE_SCHEME', 'WEBHOOK_SIGNATURE_SECRETS'],
    check: (v, given) => {
      const secrets = v.WEBHOOK_SIGNATURE_SECRETS;
      if (secrets.length === 0) {
        return problemIf(
          given.has('WEBHOOK_SIGNATURE_SCHEME'),
          'WEBHOOK_SIGNATURE_SCHEME is set but WEBHOOK_SIGNATURE_SECRETS is empty: give one or more secrets (comma-separated)',
        );
      }
      if (v.WEBHOOK_SIGNATURE_SCHEME === 'hmac') {
        return problemIf(
          secrets.some((s) => s.length < 16),
          'WEBHOOK_SIGNATURE_SECRETS: every secret must be at least 16 characters long',
        );
      }
      return [
        ...problemIf(
          secrets.some((s) => !/^whsec_[A-Za-z0-9+/]{16,}={0,2}$/.test(s)),
          'WEBHOOK_SIGNATURE_SECRETS: with WEBHOOK_SIGNATURE_SCHEME=standard-webhooks every secret must be whsec_ followed by base64 (16+ characters)',
        ),
        ...HMAC_ONLY.filter((name) => given.has(name)).map(
          (name) => `${name} does not apply to WEBHOOK_SIGNATURE_SCHEME=standard-webhooks (its headers, algorithm and encoding are fixed by the standard): unset it`,
        ),
      ];
    },
  },
  {
    uses: ['VIATOM_RETRY_BASE_DELAY_MS', 'VIATOM_RETRY_MAX_DELAY_MS'],
    check: (v) =>
      problemIf(
        v.VIATOM_RETRY_MAX_DELAY_MS < v.VIATOM_RETRY_BASE_DELAY_MS,
        `VIATOM_RETRY_MAX_DELAY_MS (${v.VIATOM_RETRY_MAX_DELAY_MS}) must not be less than VIATOM_RETRY_BASE_DELAY_MS (${v.VIATOM_RETRY_BASE_DELAY_MS})`,
      ),
  },
  {
    uses: ['VIATOM_ATTEMPT_TIMEOUT_MS', 'VIATOM_TIMEOUT_MS'],
    check: (v) =>
      problemIf(
        v.VIATOM_ATTEMPT_TIMEOUT_MS !== undefined && v.VIATOM_ATTEMPT_TIMEOUT_MS > v.VIATOM_TIMEOUT_MS,
        `VIATOM_ATTEMPT_TIMEOUT_MS (${v.VIATOM_ATTEMPT_TIMEOUT_MS}) must not be more than VIATOM_TIMEOUT_MS (${v.VIATOM_TIMEOUT_MS})`,
      ),
  },
  {
    uses: ['METRICS_PORT', 'PORT'],
    check: (v) =>
      problemIf(
        v.METRICS_PORT !== undefined && v.METRICS_PORT !== 0 && v.METRICS_PORT === v.PORT,
        `METRICS_PORT (${v.METRICS_PORT}) must differ from PORT: leave it unset to serve /metrics on the API's port`,
      ),
  },
  {
    // Node refuses to start otherwise: the headers are part of the request.
    uses: ['HEADERS_TIMEOUT_MS', 'REQUEST_TIMEOUT_MS'],
    check: (v) =>
      problemIf(
        v.HEADERS_TIMEOUT_MS > v.REQUEST_TIMEOUT_MS,
        `HEADERS_TIMEOUT_MS (${v.HEADERS_TIMEOUT_MS}) must not be more than REQUEST_TIMEOUT_MS (${v.REQUEST_TIMEOUT_MS})`,
      ),
  },
];
