import { createHmac } from 'node:crypto';

/** How a Standard Webhooks secret is shown: this prefix, then the HMAC key in base64. */
const SECRET_PREFIX = 'whsec_';

/** The HMAC key a `whsec_…` secret carries (the prefix is optional, as the receivers' libraries accept). */
function keyOf(secret: string): Buffer {
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
  if (key.length === 0) throw new Error('a webhook secret must hold a key (whsec_ and base64)');
  return key;
}

/**
 * One Standard Webhooks signature: `v1,` and the base64 HMAC-SHA256, under the secret's key, of
 * `{webhook-id}.{webhook-timestamp}.{body}`. The body must be the exact bytes sent.
 */
export function webhookSignature(secret: string, webhookId: string, timestamp: number, body: string): string {
  const digest = createHmac('sha256', keyOf(secret)).update(`${webhookId}.${timestamp}.${body}`, 'utf8').digest('base64');
  return `v1,${digest}`;
}

/**
 * The `webhook-signature` header: one signature per secret, space-separated, so that during a
 * rotation a receiver that still has the old secret verifies as well as one with the new.
 */
export function webhookSignatureHeader(secrets: readonly string[], webhookId: string, timestamp: number, body: string): string {
  if (secrets.length === 0) throw new Error('a webhook is signed with at least one secret');
  return secrets.map((secret) => webhookSignature(secret, webhookId, timestamp, body)).join(' ');
}

/** `webhook-timestamp`: the attempt's time in whole Unix seconds. */
export function webhookTimestamp(at: Date): number {
  return Math.floor(at.getTime() / 1000);
}
