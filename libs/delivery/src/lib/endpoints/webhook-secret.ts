import { randomBytes } from 'node:crypto';

export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/**
 * A new signing secret in the Standard Webhooks format: `whsec_` and the base64 of 32 random
 * bytes (the spec asks for 24 to 64); the receiver's library decodes the part after the prefix
 * to get the HMAC key.
 */
export function newWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}
