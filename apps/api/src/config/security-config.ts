import { isIP } from 'node:net';

/*
 * The types and helpers of the security settings (push checks, proxies, rate limits, logs),
 * shared by the configuration and by the guards that apply it. The variables themselves are
 * declared in config-schema.ts.
 */

/** How a push signature is computed and carried. */
export type SignatureScheme = 'standard-webhooks' | 'hmac';
export type SignatureAlgorithm = 'sha256' | 'sha512';
export type SignatureEncoding = 'hex' | 'base64';

export const SIGNATURE_SCHEMES: readonly SignatureScheme[] = ['standard-webhooks', 'hmac'];
export const SIGNATURE_ALGORITHMS: readonly SignatureAlgorithm[] = ['sha256', 'sha512'];
export const SIGNATURE_ENCODINGS: readonly SignatureEncoding[] = ['hex', 'base64'];

/** Standard Webhooks headers (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md). */
export const STANDARD_WEBHOOKS_HEADERS = { id: 'webhook-id', timestamp: 'webhook-timestamp', signature: 'webhook-signature' } as const;

/** What the Standard Webhooks spec fixes of a signature: header, HMAC-SHA256, base64, `v1,` entries, the timestamp header. */
export const STANDARD_WEBHOOKS_SIGNATURE = {
  algorithm: 'sha256',
  header: STANDARD_WEBHOOKS_HEADERS.signature,
  encoding: 'base64',
  prefix: 'v1,',
  timestampHeader: STANDARD_WEBHOOKS_HEADERS.timestamp,
} as const;

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
