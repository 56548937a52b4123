import type { EventType } from '@health-bridge/health-archive';

/** Why an endpoint is off: an operator turned it off, the receiver answered 410 Gone, or it failed for too long. */
export type DisabledReason = 'manual' | 'gone' | 'failing';

/** A receiver of signed webhooks. Its secrets are kept apart (`WebhookEndpointService.secret`). */
export interface WebhookEndpoint {
  /** `ep_` + a ULID. */
  id: string;
  url: string;
  description: string | null;
  /** The event types sent to it; null = every type. */
  eventTypes: EventType[] | null;
  enabled: boolean;
  /** Null while enabled. */
  disabledReason: DisabledReason | null;
  createdAt: Date;
  updatedAt: Date;
  /** Since when every attempt to it has failed; null when the last one succeeded (or none failed yet). */
  failingSince: Date | null;
}

/** What `create` gives back: the endpoint and its first secret (the only answer, with `secret()`, that shows it). */
export interface CreatedWebhookEndpoint extends WebhookEndpoint {
  secret: string;
}

/** An endpoint's signing secrets: the current one, and the one before it while it still signs after a rotation. */
export interface WebhookEndpointSecrets {
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
}

export interface NewWebhookEndpoint {
  url: string;
  /** Absent or null: every type. */
  eventTypes?: readonly string[] | null;
  description?: string | null;
}

/** The fields to change; an absent one is left as it is. */
export interface WebhookEndpointChanges {
  url?: string;
  /** null: every type. */
  eventTypes?: readonly string[] | null;
  /** true turns it back on (and forgets why it was off, and since when it failed); false turns it off (`manual`). */
  enabled?: boolean;
  description?: string | null;
}

export class WebhookEndpointNotFoundError extends Error {
  override readonly name = 'WebhookEndpointNotFoundError';
  constructor(readonly id: string) {
    super('No webhook endpoint has this id.');
  }
}

/** A value the endpoint cannot take; `field` names it (`url`, `eventTypes`, `description`), the message says why. */
export class InvalidWebhookEndpointError extends Error {
  override readonly name = 'InvalidWebhookEndpointError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export const MAX_DESCRIPTION_LENGTH = 1000;
export const ENDPOINT_ID_PATTERN = /^ep_[0-9A-HJKMNP-TV-Z]{26}$/;
