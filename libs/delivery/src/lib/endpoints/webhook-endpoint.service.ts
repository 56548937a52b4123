import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  DEFAULT_PAGE_SIZE,
  InvalidCursorError,
  MAX_PAGE_SIZE,
  parseEventTypes,
  ulid,
  UnknownEventTypeError,
  type EventType,
  type Page,
} from '@health-bridge/health-archive';
import { DELIVERY_OPTIONS, type DeliveryOptions } from '../delivery.options';
import { checkTargetUrl, TargetUrlRefusedError, type TargetPolicy } from './target-policy';
import {
  ENDPOINT_ID_PATTERN,
  InvalidWebhookEndpointError,
  MAX_DESCRIPTION_LENGTH,
  WebhookEndpointNotFoundError,
  type CreatedWebhookEndpoint,
  type NewWebhookEndpoint,
  type WebhookEndpoint,
  type WebhookEndpointChanges,
  type WebhookEndpointSecrets,
} from './webhook-endpoint';
import { type EndpointUpdate, WebhookEndpointStore } from './webhook-endpoint.store';
import { newWebhookSecret } from './webhook-secret';

export const DEFAULT_SECRET_OVERLAP_MS = 24 * 3_600_000;

export interface WebhookEndpointListQuery {
  limit?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string | null;
}

/**
 * The rules of webhook endpoints: what a URL may be (`target-policy.ts`), which event types,
 * the secrets and their rotation, and turning an endpoint off and on. The dispatcher asks it
 * which endpoints to send to, with which secrets, and tells it how they fare.
 */
@Injectable()
export class WebhookEndpointService {
  private readonly logger = new Logger('WebhookEndpoints');
  private readonly policy: TargetPolicy;
  private readonly secretOverlapMs: number;
  /** The time part of the last id made here: ids made in the same millisecond still sort in creation order. */
  private lastIdTime = 0;
  /** Counts the changes made to endpoints through this process (after each write): a list read before one is stale. */
  private changes = 0;
  /** The enabled endpoints as last read, while no change made here has ended since. */
  private enabledRead: { endpoints: WebhookEndpoint[]; at: number; changes: number } | null = null;

  constructor(
    private readonly store: WebhookEndpointStore,
    @Inject(DELIVERY_OPTIONS) options: DeliveryOptions,
  ) {
    this.policy = { allowPrivateTargets: options.webhooks?.allowPrivateTargets ?? false, requireHttps: options.webhooks?.requireHttps ?? false };
    this.secretOverlapMs = options.webhooks?.secretOverlapMs ?? DEFAULT_SECRET_OVERLAP_MS;
  }

  /** Whether the endpoint takes events of this type (no list: every type). */
  static matches(endpoint: Pick<WebhookEndpoint, 'eventTypes'>, eventType: string): boolean {
    return endpoint.eventTypes === null || (endpoint.eventTypes as readonly string[]).includes(eventType);
  }

  /** A new endpoint, enabled, with its first secret. Throws InvalidWebhookEndpointError naming the field. */
  async create(input: NewWebhookEndpoint, at?: Date): Promise<CreatedWebhookEndpoint> {
    const eventTypes = eventTypesOf(input.eventTypes, 'omit it for all types') ?? null;
    const description = descriptionOf(input.description) ?? null;
    const url = await this.targetUrl(input.url);
    // Its time is taken once the URL is checked (a DNS look-up may take seconds): the fan-out sends it
    // the events stored from then on, and it cannot be passed over while it is not yet in the table.
    const now = at ?? new Date();
    const secret = newWebhookSecret();
    const endpoint = await this.changing(this.store.insert({ id: this.newId(now), url, description, eventTypes, secret, at: now }));
    this.logger.log(`webhook endpoint ${endpoint.id} created`);
    return { ...endpoint, secret };
  }

  /** Newest first, by cursor (a cursor this service did not give throws InvalidCursorError). */
  async list(query: WebhookEndpointListQuery = {}): Promise<Page<WebhookEndpoint>> {
    const limit = Math.min(Math.max(Math.trunc(query.limit ?? DEFAULT_PAGE_SIZE) || DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
    const rows = await this.store.list(decodeCursor(query.cursor), limit + 1);
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1].id) : null };
  }

  async get(id: string): Promise<WebhookEndpoint> {
    const endpoint = ENDPOINT_ID_PATTERN.test(id) ? await this.store.find(id) : null;
    if (!endpoint) throw new WebhookEndpointNotFoundError(id);
    return endpoint;
  }

  /** Changes what is given; every value is checked before anything is written. */
  async update(id: string, changes: WebhookEndpointChanges, now = new Date()): Promise<WebhookEndpoint> {
    const current = await this.get(id);
    const update: EndpointUpdate = {
      eventTypes: eventTypesOf(changes.eventTypes, 'send null for all types'),
      description: descriptionOf(changes.description),
      url: changes.url === undefined ? undefined : await this.targetUrl(changes.url),
    };
    if (changes.enabled !== undefined) {
      if (typeof changes.enabled !== 'boolean') throw new InvalidWebhookEndpointError('enabled', 'enabled must be true or false');
      update.enabled = changes.enabled;
    }
    if (Object.values(update).every((value) => value === undefined)) return current;
    const updated = await this.changing(this.store.update(id, update, now));
    if (!updated) throw new WebhookEndpointNotFoundError(id);
    if (current.enabled !== updated.enabled) this.logger.log(`webhook endpoint ${id} ${updated.enabled ? 'enabled' : 'disabled'}`);
    return updated;
  }

  /** Deletes it with its deliveries and their log. */
  async remove(id: string): Promise<void> {
    if (!ENDPOINT_ID_PATTERN.test(id) || !(await this.changing(this.store.delete(id)))) throw new WebhookEndpointNotFoundError(id);
    this.logger.log(`webhook endpoint ${id} deleted`);
  }

  /** The current secret, and the previous one while it still signs. */
  async secret(id: string, now = new Date()): Promise<WebhookEndpointSecrets> {
    const secrets = ENDPOINT_ID_PATTERN.test(id) ? await this.store.secrets(id) : null;
    if (!secrets) throw new WebhookEndpointNotFoundError(id);
    return stillSigning(secrets, now) ? secrets : { secret: secrets.secret, previousSecret: null, previousSecretExpiresAt: null };
  }

  /**
   * A new secret signs from now on; the current one keeps signing beside it for the configured
   * overlap (`webhooks.secretOverlapMs`), so that the receiver can switch without losing an event.
   * Only one previous secret is kept: rotating again within the overlap retires the older one at once.
   */
  async rotateSecret(id: string, now = new Date()): Promise<{ secret: string; previousSecretExpiresAt: Date }> {
    const secret = newWebhookSecret();
    const previousSecretExpiresAt = new Date(now.getTime() + this.secretOverlapMs);
    if (!ENDPOINT_ID_PATTERN.test(id) || !(await this.store.rotate(id, secret, previousSecretExpiresAt, now))) throw new WebhookEndpointNotFoundError(id);
    this.logger.log(`webhook endpoint ${id}: secret rotated, the previous one signs until ${previousSecretExpiresAt.toISOString()}`);
    return { secret, previousSecretExpiresAt };
  }

  /**
   * The endpoints to fan events out to, read now; or, given `maxAgeMs`, as read at most that long
   * ago, unless a change made through this process has ended since (changes made by another
   * replica are seen within `maxAgeMs`).
   */
  async enabledEndpoints(maxAgeMs = 0): Promise<WebhookEndpoint[]> {
    const last = this.lastEnabledRead(maxAgeMs);
    if (last) return last;
    const changes = this.changes;
    const at = Date.now();
    const endpoints = await this.store.enabled();
    // A change that ended while this read ran may be missing from it: not kept.
    if (changes === this.changes) this.enabledRead = { endpoints, at, changes };
    return endpoints;
  }

  /**
   * True when no endpoint is enabled, as read at most `maxAgeMs` ago and not changed through this
   * service since: the dispatcher then leaves a new event to its next poll.
   */
  noneEnabled(maxAgeMs: number): boolean {
    return this.lastEnabledRead(maxAgeMs)?.length === 0;
  }

  /** The enabled endpoints as last read, if that read is at most `maxAgeMs` old and no change through this service ended since. */
  private lastEnabledRead(maxAgeMs: number): WebhookEndpoint[] | null {
    const last = this.enabledRead;
    return maxAgeMs > 0 && last && last.changes === this.changes && Date.now() - last.at <= maxAgeMs ? last.endpoints : null;
  }

  /** The secrets to sign with now: the current one first, then the previous one until it expires; [] for an unknown id. */
  async signingSecrets(id: string, now = new Date()): Promise<string[]> {
    const secrets = await this.store.secrets(id);
    if (!secrets) return [];
    return stillSigning(secrets, now) ? [secrets.secret, secrets.previousSecret as string] : [secrets.secret];
  }

  /** Turns it off for the service's own reason; true only when it was on until now (the caller then reports `endpoint.disabled`). */
  disable(id: string, reason: 'gone' | 'failing', at: Date): Promise<boolean> {
    return this.changing(this.store.disable(id, reason, at));
  }

  /** Starts the failing streak at `since`, unless one is running. */
  markFailing(id: string, since: Date): Promise<void> {
    return this.changing(this.store.markFailing(id, since));
  }

  /** Ends the failing streak. */
  markHealthy(id: string): Promise<void> {
    return this.changing(this.store.markHealthy(id));
  }

  /** A write to the endpoints: once it has ended, every list read before is stale. */
  private async changing<T>(write: Promise<T>): Promise<T> {
    try {
      return await write;
    } finally {
      this.changes++;
    }
  }

  private async targetUrl(url: unknown): Promise<string> {
    if (typeof url !== 'string') throw new InvalidWebhookEndpointError('url', 'url must be an absolute http or https URL');
    try {
      return (await checkTargetUrl(url.trim(), this.policy)).href;
    } catch (error) {
      if (error instanceof TargetUrlRefusedError) throw new InvalidWebhookEndpointError('url', error.message);
      throw error;
    }
  }

  private newId(now: Date): string {
    this.lastIdTime = Math.max(now.getTime(), this.lastIdTime + 1);
    return `ep_${ulid(this.lastIdTime)}`;
  }
}

function stillSigning(secrets: WebhookEndpointSecrets, now: Date): boolean {
  return secrets.previousSecret !== null && secrets.previousSecretExpiresAt !== null && secrets.previousSecretExpiresAt.getTime() > now.getTime();
}

/** Known event types, at least one, without repeats; null and undefined pass as they are. */
function eventTypesOf(types: readonly string[] | null | undefined, forAllTypes: string): EventType[] | null | undefined {
  if (types === undefined || types === null) return types;
  if (!Array.isArray(types) || types.some((type) => typeof type !== 'string')) {
    throw new InvalidWebhookEndpointError('eventTypes', 'eventTypes must be an array of event type names');
  }
  if (types.length === 0) throw new InvalidWebhookEndpointError('eventTypes', `eventTypes must not be empty: ${forAllTypes}`);
  try {
    return parseEventTypes(types);
  } catch (error) {
    if (error instanceof UnknownEventTypeError) throw new InvalidWebhookEndpointError('eventTypes', `eventTypes: ${error.message}`);
    throw error;
  }
}

function descriptionOf(description: string | null | undefined): string | null | undefined {
  if (description === undefined || description === null) return description;
  if (typeof description !== 'string') throw new InvalidWebhookEndpointError('description', 'description must be a string');
  if (description.length > MAX_DESCRIPTION_LENGTH) {
    throw new InvalidWebhookEndpointError('description', `description must be at most ${MAX_DESCRIPTION_LENGTH} characters`);
  }
  return description;
}

/** The list's cursor: the last endpoint's id, base64url-encoded like the API's other cursors. */
function encodeCursor(id: string): string {
  return Buffer.from(id).toString('base64url');
}

function decodeCursor(cursor: string | null | undefined): string | null {
  if (cursor === undefined || cursor === null || cursor === '') return null;
  const id = /^[A-Za-z0-9_-]{1,64}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  if (!ENDPOINT_ID_PATTERN.test(id)) throw new InvalidCursorError();
  return id;
}
