import { isIP } from 'node:net';
import { STANDARD_WEBHOOKS_SIGNATURE } from '../webhooks/push-signature';

/** How a push signature is computed and carried. */
export type SignatureScheme = 'standard-webhooks' | 'hmac';
export type SignatureAlgorithm = 'sha256' | 'sha512';
export type SignatureEncoding = 'hex' | 'base64';

/**
 * HMAC signature over the raw push body.
 * - `standard-webhooks` (https://www.standardwebhooks.com): headers `webhook-id`,
 *   `webhook-timestamp`, `webhook-signature` (`v1,<base64>` entries, space-separated); HMAC-SHA256
 *   over `<id>.<timestamp>.<body>`; secrets `whsec_<base64>`.
 * - `hmac` (GitHub-style, e.g. `X-Hub-Signature-256: sha256=<hex>`): HMAC over the body, or over
 *   `<timestamp>.<body>` when a timestamp header is configured; header, prefix, algorithm and
 *   encoding configurable; secrets used as UTF-8 text.
 */
export interface PushSignatureConfig {
  scheme: SignatureScheme;
  /** Every secret accepted at once (rotation): a signature made with any of them passes. */
  secrets: string[];
  algorithm: SignatureAlgorithm;
  /** Lower-case header name carrying the signature(s). */
  header: string;
  encoding: SignatureEncoding;
  /** Text before each signature in the header, e.g. `sha256=` (hmac scheme). */
  prefix: string;
  /** Lower-case header carrying the signing time in Unix seconds; null = no timestamp (hmac scheme). */
  timestampHeader: string | null;
  /** Largest accepted distance between the signing time and now, both ways. */
  toleranceSeconds: number;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface SecurityConfig {
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
}

export interface RateLimitRedisConfig {
  /** `redis://` or `rediss://`; may hold a password: log it only through `maskUrlPassword`. */
  url: string;
  /** Put before every key, so that several deployments can share one Redis. */
  keyPrefix: string;
}

/** A URL as it may be logged: its password, if any, replaced by `***`. */
export function maskUrlPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    // Not a URL (a `/` or `#` unencoded in a password breaks parsing): everything between the
    // scheme and the last `@` may be credentials.
    const at = url.lastIndexOf('@');
    const scheme = url.indexOf('://');
    if (scheme !== -1 && at > scheme) return `${url.slice(0, scheme + 3)}***${url.slice(at)}`;
    return url.replace(/(\/\/[^/@:]*:)[^/@]*@/, '$1***@');
  }
}

/** Allowed in a key prefix: no space or control character, no `{}` (Redis Cluster's hash tags). */
const KEY_PREFIX = /^[A-Za-z0-9:._-]{1,100}$/;

/** Development defaults published in tools/scripts/start-dev.mjs: refused in production. */
const PUBLISHED_DEV_SECRETS = ['dev-api-key-change-me', 'dev-webhook-token-change-me'];

type Env = Record<string, string | undefined>;

/** True for `a.b.c.d`, `a.b.c.d/n`, an IPv6 address, or IPv6 `addr/n`. */
export function isAddressOrCidr(entry: string): boolean {
  const [address, prefix, extra] = entry.split('/');
  if (extra !== undefined) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

const HEADER_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,99}$/;

/**
 * Reads the security variables, adding every problem found to `problems`. With
 * NODE_ENV=production it also refuses an open push receiver and the published dev secrets.
 */
export function loadSecurityConfig(
  env: Env,
  problems: string[],
  base: { nodeEnv: string; apiKeys: string[]; webhookToken: string | null },
): SecurityConfig {
  const value = (name: string): string | undefined => {
    const raw = env[name];
    return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
  };
  const list = (name: string): string[] =>
    (value(name) ?? '')
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const v = value(name);
    if (v === undefined) return fallback;
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${v}")`);
      return fallback;
    }
    return Number(v);
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const v = value(name);
    if (v === undefined) return fallback;
    if (!allowed.includes(v.toLowerCase() as T)) {
      problems.push(`${name} must be one of ${allowed.join(', ')} (got "${v}")`);
      return fallback;
    }
    return v.toLowerCase() as T;
  };
  const addresses = (name: string): string[] => {
    const entries = list(name);
    const bad = entries.filter((e) => !isAddressOrCidr(e));
    if (bad.length > 0) problems.push(`${name} must be comma-separated IP addresses or CIDR ranges, IPv4 or IPv6 (not valid: ${bad.map((b) => `"${b}"`).join(', ')})`);
    return entries.filter((e) => isAddressOrCidr(e));
  };
  const headerName = (name: string, fallback: string | null): string | null => {
    const v = value(name);
    if (v === undefined) return fallback;
    if (!HEADER_NAME.test(v)) {
      problems.push(`${name} must be an HTTP header name (letters, digits, -) (got "${v}")`);
      return fallback;
    }
    return v.toLowerCase();
  };

  const ipAllowlist = addresses('WEBHOOK_IP_ALLOWLIST');
  const trustProxy = addresses('TRUST_PROXY');

  let signature: PushSignatureConfig | null = null;
  const secrets = list('WEBHOOK_SIGNATURE_SECRETS');
  const scheme = oneOf<SignatureScheme>('WEBHOOK_SIGNATURE_SCHEME', ['standard-webhooks', 'hmac'], 'hmac');
  if (secrets.length > 0) {
    if (scheme === 'standard-webhooks') {
      if (secrets.some((s) => !/^whsec_[A-Za-z0-9+/]{16,}={0,2}$/.test(s))) {
        problems.push('WEBHOOK_SIGNATURE_SECRETS: with WEBHOOK_SIGNATURE_SCHEME=standard-webhooks every secret must be whsec_ followed by base64 (16+ characters)');
      }
      for (const name of ['WEBHOOK_SIGNATURE_ALGORITHM', 'WEBHOOK_SIGNATURE_HEADER', 'WEBHOOK_SIGNATURE_ENCODING', 'WEBHOOK_SIGNATURE_PREFIX', 'WEBHOOK_SIGNATURE_TIMESTAMP_HEADER']) {
        if (value(name) !== undefined) problems.push(`${name} does not apply to WEBHOOK_SIGNATURE_SCHEME=standard-webhooks (its headers, algorithm and encoding are fixed by the standard): unset it`);
      }
      signature = {
        scheme,
        secrets,
        ...STANDARD_WEBHOOKS_SIGNATURE,
        toleranceSeconds: integer('WEBHOOK_SIGNATURE_TOLERANCE_SECONDS', 300, 1, 86_400),
      };
    } else {
      if (secrets.some((s) => s.length < 16)) problems.push('WEBHOOK_SIGNATURE_SECRETS: every secret must be at least 16 characters long');
      signature = {
        scheme,
        secrets,
        algorithm: oneOf<SignatureAlgorithm>('WEBHOOK_SIGNATURE_ALGORITHM', ['sha256', 'sha512'], 'sha256'),
        header: headerName('WEBHOOK_SIGNATURE_HEADER', 'x-signature') as string,
        encoding: oneOf<SignatureEncoding>('WEBHOOK_SIGNATURE_ENCODING', ['hex', 'base64'], 'hex'),
        prefix: env.WEBHOOK_SIGNATURE_PREFIX?.trim() ?? '',
        timestampHeader: headerName('WEBHOOK_SIGNATURE_TIMESTAMP_HEADER', null),
        toleranceSeconds: integer('WEBHOOK_SIGNATURE_TOLERANCE_SECONDS', 300, 1, 86_400),
      };
    }
  } else if (value('WEBHOOK_SIGNATURE_SCHEME') !== undefined) {
    problems.push('WEBHOOK_SIGNATURE_SCHEME is set but WEBHOOK_SIGNATURE_SECRETS is empty: give one or more secrets (comma-separated)');
  }

  if (base.nodeEnv === 'production') {
    if (base.webhookToken === null && ipAllowlist.length === 0 && secrets.length === 0) {
      problems.push(
        'NODE_ENV=production needs at least one push check: WEBHOOK_TOKEN, WEBHOOK_IP_ALLOWLIST or WEBHOOK_SIGNATURE_SECRETS (otherwise anyone who finds the push URL can write health records)',
      );
    }
    const published = [...base.apiKeys, base.webhookToken ?? ''].filter((s) => PUBLISHED_DEV_SECRETS.includes(s));
    if (published.length > 0) problems.push('NODE_ENV=production: API_KEYS or WEBHOOK_TOKEN holds a published development default (see tools/scripts/start-dev.mjs): set your own');
  }

  return {
    pushAuth: { ipAllowlist, signature },
    trustProxy,
    rateLimit: {
      windowSeconds: integer('RATE_LIMIT_WINDOW_SECONDS', 60, 1, 86_400),
      apiMax: integer('RATE_LIMIT_API_MAX', 600, 0, 1_000_000),
      pushMax: integer('RATE_LIMIT_PUSH_MAX', 0, 0, 1_000_000),
      pushFailuresMax: integer('RATE_LIMIT_PUSH_FAILURES_MAX', 20, 0, 1_000_000),
      redis: rateLimitRedis(value('REDIS_URL'), value('RATE_LIMIT_REDIS_PREFIX'), problems),
    },
    logLevel: oneOf<LogLevel>('LOG_LEVEL', LOG_LEVELS, 'info'),
  };
}

function rateLimitRedis(url: string | undefined, keyPrefix: string | undefined, problems: string[]): RateLimitRedisConfig | null {
  if (keyPrefix !== undefined && !KEY_PREFIX.test(keyPrefix)) {
    problems.push(`RATE_LIMIT_REDIS_PREFIX may hold only letters, digits and : . _ - (1 to 100 of them) (got "${keyPrefix}")`);
  }
  if (url === undefined) return null;
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    /* reported below */
  }
  // The path, if any, is the database number.
  if (!parsed || !['redis:', 'rediss:'].includes(parsed.protocol) || parsed.hostname === '' || !/^(\/\d{0,5})?$/.test(parsed.pathname)) {
    problems.push(`REDIS_URL must be a redis:// or rediss:// URL, e.g. redis://:password@redis-host:6379/0 (got "${maskUrlPassword(url)}")`);
    return null;
  }
  try {
    decodeURIComponent(parsed.username + parsed.password);
  } catch {
    problems.push('REDIS_URL: the user name or password holds a % that is not followed by two hex digits (write % as %25)');
    return null;
  }
  return { url, keyPrefix: keyPrefix ?? 'health-bridge:throttle:' };
}
