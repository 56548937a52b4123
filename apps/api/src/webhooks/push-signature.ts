import { createHmac, timingSafeEqual } from 'node:crypto';
import { type PushSignatureConfig, STANDARD_WEBHOOKS_HEADERS, STANDARD_WEBHOOKS_SIGNATURE } from '../config/security-config';

export type HeaderBag = Record<string, string | string[] | undefined>;
export type SignatureCheck = { ok: true } | { ok: false; reason: string };

const HEX = /^(?:[0-9a-fA-F]{2})+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const UNIX_SECONDS = /^\d{1,12}$/;

/** Defined with the configuration, which fills them in; exported here for the verifier's users. */
export { STANDARD_WEBHOOKS_HEADERS, STANDARD_WEBHOOKS_SIGNATURE };

/** Strict decoding: anything that is not exactly hex / padded base64 is malformed, never "close enough". */
function decode(value: string, encoding: 'hex' | 'base64'): Buffer | null {
  if (value.length === 0) return null;
  if (encoding === 'hex') return HEX.test(value) ? Buffer.from(value, 'hex') : null;
  return BASE64.test(value) ? Buffer.from(value, 'base64') : null;
}

function single(headers: HeaderBag, name: string): string | undefined {
  const v = headers[name];
  return typeof v === 'string' ? v : undefined; // absent, or repeated (an array): not taken
}

/**
 * Verifies the HMAC signature of a push over its raw body. Every configured secret is tried
 * (rotation) and every signature in the header (a sender rotating signs with both); all
 * comparisons are constant-time and none stops early.
 */
export class PushSignatureVerifier {
  private readonly keys: Buffer[];

  constructor(private readonly config: PushSignatureConfig) {
    this.keys = config.secrets.map((secret) =>
      config.scheme === 'standard-webhooks' ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret, 'utf8'),
    );
  }

  /** `body`: the bytes as sent (a string is taken as its UTF-8 bytes). */
  verify(rawBody: Buffer | string | undefined, headers: HeaderBag, nowSeconds = Math.floor(Date.now() / 1000)): SignatureCheck {
    const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : (rawBody ?? Buffer.alloc(0));
    const c = this.config;
    const header = single(headers, c.header);
    if (header === undefined || header.trim() === '') return { ok: false, reason: `the ${c.header} header is missing` };

    // What is signed before the body (`<id>.<timestamp>.`, `<timestamp>.` or nothing).
    let signedPrefix: string;
    if (c.scheme === 'standard-webhooks') {
      const id = single(headers, STANDARD_WEBHOOKS_HEADERS.id);
      if (!id || id.length > 256) return { ok: false, reason: `the ${STANDARD_WEBHOOKS_HEADERS.id} header is missing or too long` };
      const time = this.checkTimestamp(single(headers, STANDARD_WEBHOOKS_HEADERS.timestamp), STANDARD_WEBHOOKS_HEADERS.timestamp, nowSeconds);
      if (!time.ok) return time;
      signedPrefix = `${id}.${time.timestamp}.`;
    } else if (c.timestampHeader) {
      const time = this.checkTimestamp(single(headers, c.timestampHeader), c.timestampHeader, nowSeconds);
      if (!time.ok) return time;
      signedPrefix = `${time.timestamp}.`;
    } else {
      signedPrefix = '';
    }

    // Standard Webhooks: space-separated `v1,<base64>`; other versions are skipped, as the spec says.
    // hmac: one or more `<prefix><signature>` separated by spaces or commas.
    const entries = c.scheme === 'standard-webhooks' ? header.trim().split(/ +/) : header.trim().split(/[\s,]+/);
    const candidates: Buffer[] = [];
    for (const entry of entries) {
      if (!entry.startsWith(c.prefix)) continue;
      const decoded = decode(entry.slice(c.prefix.length), c.encoding);
      if (decoded) candidates.push(decoded);
    }
    if (candidates.length === 0) return { ok: false, reason: `the ${c.header} header is malformed` };

    let matched = false;
    for (const key of this.keys) {
      const expected = createHmac(c.algorithm, key).update(signedPrefix, 'utf8').update(body).digest();
      for (const candidate of candidates) {
        // A length mismatch says nothing secret (digest lengths are public); timingSafeEqual needs equal lengths.
        matched = (candidate.length === expected.length && timingSafeEqual(candidate, expected)) || matched;
      }
    }
    return matched ? { ok: true } : { ok: false, reason: 'the signature does not match' };
  }

  private checkTimestamp(value: string | undefined, name: string, nowSeconds: number): { ok: true; timestamp: string } | { ok: false; reason: string } {
    if (value === undefined || !UNIX_SECONDS.test(value)) return { ok: false, reason: `the ${name} header is missing or not Unix seconds` };
    const skew = Number(value) - nowSeconds;
    if (skew < -this.config.toleranceSeconds) return { ok: false, reason: `the ${name} is too old` };
    if (skew > this.config.toleranceSeconds) return { ok: false, reason: `the ${name} is in the future` };
    return { ok: true, timestamp: value };
  }
}
