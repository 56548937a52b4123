import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import {
  AuthorizationGrantedEvent,
  AuthorizationRevokedEvent,
  EventFeed,
  MeasurementReceivedEvent,
  type OutboxEvent,
} from '@health-bridge/health-archive';
import { WebhookEndpointService } from '../endpoints/webhook-endpoint.service';
import type { WebhookEndpoint } from '../endpoints/webhook-endpoint';
import { OutboxCursor } from '../outbox-cursor';
import { Sql } from '../sql';
import { webhookSignatureHeader, webhookTimestamp } from './signing';
import { WebhookAttemptRecorder } from './webhook-attempt-recorder';
import { DeliveryStatus, WebhookDeliveryStore, type ClaimedDelivery } from './webhook-delivery.store';
import { WebhookFanOut } from './webhook-fan-out';
import { webhookBody } from './webhook-payload';
import { WebhookSender } from './webhook-sender';
import { WEBHOOK_SETTINGS, type WebhookSettings } from './webhook-settings';

/** The feed cursor of the webhook fan-out, and how long its holder keeps it without renewing (it renews at every poll). */
export const WEBHOOKS_CURSOR = 'webhooks';
const CURSOR_LEASE_MS = 30_000;
/** A delivery is leased for the attempt's timeout and this much more (recording its outcome). */
const LEASE_MARGIN_MS = 10_000;
/** At shutdown, attempts in flight are waited for this long at most (and no longer than the timeout), then abandoned. */
const SHUTDOWN_GRACE_MS = 5_000;
/** The list of enabled endpoints a claim goes by is at most this old (the fan-out reads it afresh for every page of events). */
const ENDPOINTS_MAX_AGE_MS = 1_000;
const ABANDON_WAIT_MS = 2_000;

/**
 * The webhook worker: at every poll (`pollIntervalMs`), and at once when the archive stores
 * something in this process, it fans the new events out to deliveries and starts the attempts
 * that are due, at most `maxInFlight` at a time and `maxInFlightPerEndpoint` per endpoint, so
 * that a receiver that hangs holds up only its own deliveries. Nothing it meets (a receiver's
 * fault, the database away) escapes: it is recorded or logged (an outage once), and tried again.
 * Runs only where `worker` is true; every replica takes due deliveries, one fans out at a time.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('WebhookDelivery');
  private readonly fanOut: WebhookFanOut;
  private readonly sender: WebhookSender;
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private wakeRequested = false;
  /** The attempts under way, by delivery id, and how many per endpoint. */
  private readonly inFlight = new Map<number, Promise<void>>();
  private readonly inFlightPerEndpoint = new Map<string, number>();
  /** Every attempt not yet recorded (sent or being sent): waited for at shutdown. */
  private readonly recording = new Set<Promise<void>>();
  /** Aborted at shutdown: the attempts still out are abandoned (and their deliveries given back). */
  private readonly stopping = abortControllerForMany();
  /** What went wrong, while it goes on (logged when it starts and when it ends, not at every poll). */
  private trouble: string | null = null;

  constructor(
    private readonly feed: EventFeed,
    private readonly endpoints: WebhookEndpointService,
    private readonly store: WebhookDeliveryStore,
    private readonly recorder: WebhookAttemptRecorder,
    sql: Sql,
    @Inject(WEBHOOK_SETTINGS) private readonly settings: WebhookSettings,
  ) {
    const owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`.slice(-64);
    const cursor = new OutboxCursor(sql, WEBHOOKS_CURSOR, owner, CURSOR_LEASE_MS);
    this.fanOut = new WebhookFanOut(feed, endpoints, store, cursor, sql, settings.retryScheduleMs[0]);
    this.sender = new WebhookSender({ timeoutMs: settings.timeoutMs, allowPrivateTargets: settings.allowPrivateTargets });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.settings.worker) return;
    this.running = true;
    // The first run makes the cursor (before the oldest event kept) before the host serves.
    this.ticking = this.tick();
    await this.ticking;
    this.ticking = null;
    this.schedule(this.settings.pollIntervalMs);
  }

  /**
   * Something was stored in this process: look now rather than at the next poll (other replicas'
   * events are found by polling), unless no endpoint is enabled (as read within ENDPOINTS_MAX_AGE_MS):
   * the next poll then moves the cursor past it, instead of a look per batch of pushes.
   */
  @OnEvent(AuthorizationGrantedEvent.eventName)
  @OnEvent(AuthorizationRevokedEvent.eventName)
  @OnEvent(MeasurementReceivedEvent.eventName)
  onArchiveEvent(): void {
    if (this.endpoints.noneEnabled(ENDPOINTS_MAX_AGE_MS)) return;
    this.wake();
  }

  /** Looks at the outbox and the due deliveries now (a retry asked for, an event stored). */
  wake(): void {
    if (!this.running) return;
    if (this.ticking) this.wakeRequested = true;
    else this.schedule(0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await settledWithin([this.ticking, ...this.recording], Math.min(this.settings.timeoutMs, SHUTDOWN_GRACE_MS));
    if (this.inFlight.size > 0) this.logger.log(`stopping: ${this.inFlight.size} webhook attempts abandoned, to be sent again`);
    this.stopping.abort();
    await settledWithin([...this.recording], ABANDON_WAIT_MS);
    this.sender.close();
    await this.fanOut.release().catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.runTick();
    }, delayMs);
  }

  private runTick(): void {
    if (!this.running || this.ticking) return;
    this.ticking = this.tick().finally(() => {
      this.ticking = null;
      const again = this.wakeRequested;
      this.wakeRequested = false;
      this.schedule(again ? 0 : this.settings.pollIntervalMs);
    });
  }

  /** One look: fan out (taking the new deliveries that may start at once), then start what else is due. Never rejects. */
  private async tick(): Promise<void> {
    try {
      const now = new Date();
      const leaseUntil = new Date(now.getTime() + this.settings.timeoutMs + LEASE_MARGIN_MS);
      const endpoints = await this.endpoints.enabledEndpoints(ENDPOINTS_MAX_AGE_MS);
      const run = await this.fanOut.run({ slots: this.freeSlots(endpoints), limit: this.freeInAll(), leaseUntil });
      if (!run.caughtUp) this.wakeRequested = true;
      await this.startAll(run.taken, now);
      await this.startDueAttempts(now, leaseUntil);
      this.untroubled();
    } catch (error) {
      this.troubled(error);
    }
  }

  private freeInAll(): number {
    return this.running ? Math.max(0, this.settings.maxInFlight - this.inFlight.size) : 0;
  }

  /** Each endpoint's free slots, a different endpoint first each time: when slots are short, none is always served last. */
  private freeSlots(endpoints: readonly WebhookEndpoint[]): Map<string, number> {
    const slots = new Map<string, number>();
    for (const { id } of rotated([...endpoints])) {
      const left = this.settings.maxInFlightPerEndpoint - (this.inFlightPerEndpoint.get(id) ?? 0);
      if (left > 0) slots.set(id, left);
    }
    return slots;
  }

  private async startDueAttempts(now: Date, leaseUntil: Date): Promise<void> {
    const free = this.freeInAll();
    if (free <= 0) return;
    const endpoints = await this.endpoints.enabledEndpoints(ENDPOINTS_MAX_AGE_MS);
    const byId = new Map(endpoints.map((endpoint) => [endpoint.id, endpoint]));
    const claimed = await this.store.claimDue(this.freeSlots(endpoints), free, now, leaseUntil);
    if (claimed.length === 0) return;
    let events: Map<string, OutboxEvent>;
    try {
      events = new Map((await this.feed.find(claimed.map((d) => d.eventId))).map((event) => [event.id, event]));
    } catch (error) {
      await this.store.release(claimed.map((d) => d.id)).catch(() => undefined);
      throw error;
    }
    await this.startAll(
      claimed.map((delivery) => ({ delivery, event: events.get(delivery.eventId), endpoint: byId.get(delivery.endpointId) })),
      now,
    );
  }

  /** Starts the attempts of deliveries this replica holds; those it cannot start now are given back. */
  private async startAll(taken: ReadonlyArray<{ delivery: ClaimedDelivery; event?: OutboxEvent; endpoint?: WebhookEndpoint }>, now: Date): Promise<void> {
    if (taken.length === 0) return;
    const started = new Set<number>();
    try {
      const secrets = new Map<string, string[]>();
      for (const id of new Set(taken.map((t) => t.delivery.endpointId))) secrets.set(id, await this.endpoints.signingSecrets(id, now));
      for (const { delivery, event, endpoint } of taken) {
        const keys = secrets.get(delivery.endpointId) ?? [];
        // Gone meanwhile (the event past its retention, the endpoint deleted or turned off): so is the delivery, or it waits.
        if (!this.running || !event || !endpoint || keys.length === 0) continue;
        this.start(delivery, endpoint, event, keys);
        started.add(delivery.id);
      }
    } finally {
      const idle = taken.filter((t) => !started.has(t.delivery.id)).map((t) => t.delivery.id);
      if (idle.length > 0) await this.store.release(idle).catch(() => undefined);
    }
  }

  /**
   * Sends one attempt. Its slot is free again as soon as the receiver has answered (or not):
   * the outcome is recorded meanwhile, the delivery still leased, so no replica sends it again.
   */
  private start(delivery: ClaimedDelivery, endpoint: WebhookEndpoint, event: OutboxEvent, secrets: string[]): void {
    this.inFlightPerEndpoint.set(endpoint.id, (this.inFlightPerEndpoint.get(endpoint.id) ?? 0) + 1);
    let freed = false;
    const free = () => {
      if (freed) return;
      freed = true;
      this.inFlight.delete(delivery.id);
      const left = (this.inFlightPerEndpoint.get(endpoint.id) ?? 1) - 1;
      if (left > 0) this.inFlightPerEndpoint.set(endpoint.id, left);
      else this.inFlightPerEndpoint.delete(endpoint.id);
      // A slot is free: what waits for it may start.
      this.wake();
    };
    const done = this.attempt(delivery, endpoint, event, secrets, free)
      .catch((error: unknown) => this.troubled(error))
      .finally(() => {
        free();
        this.recording.delete(done);
      });
    this.inFlight.set(delivery.id, done);
    this.recording.add(done);
  }

  /** One attempt: signed now (a retry carries a new timestamp, the same webhook-id), sent, recorded. */
  private async attempt(delivery: ClaimedDelivery, endpoint: WebhookEndpoint, event: OutboxEvent, secrets: string[], sent: () => void): Promise<void> {
    const attemptedAt = new Date();
    const timestamp = webhookTimestamp(attemptedAt);
    const body = webhookBody(event);
    const result = await this.sender.send(
      {
        url: endpoint.url,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'health-bridge',
          'webhook-id': event.id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': webhookSignatureHeader(secrets, event.id, timestamp, body),
        },
        body,
      },
      this.stopping.signal,
    );
    if (result.abandoned) {
      await this.store.release([delivery.id]);
      return;
    }
    sent();
    const status = await this.recorder.record(delivery, endpoint, result, attemptedAt);
    if (status === DeliveryStatus.Failed) {
      this.logger.warn(`webhook ${event.id} to endpoint ${endpoint.id} failed after ${delivery.attempts + 1} attempts (last: ${result.error}); a retry or a recover sends it again`);
    } else if (status === DeliveryStatus.Pending) {
      this.logger.debug(`webhook ${event.id} to endpoint ${endpoint.id}: attempt ${delivery.attempts + 1} failed (${result.error}), tried again later`);
    }
  }

  private troubled(error: unknown): void {
    const message = error instanceof Error ? error.message || error.name : String(error);
    if (this.trouble !== null) return;
    this.trouble = message;
    this.logger.error(`webhook delivery is held up (the database?), trying again every ${this.settings.pollIntervalMs} ms: ${message}`);
  }

  private untroubled(): void {
    if (this.trouble === null) return;
    this.trouble = null;
    this.logger.log('webhook delivery goes on');
  }
}

/** Waits for these to settle, or for `ms`, whichever comes first. */
async function settledWithin(work: Array<Promise<unknown> | null>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.allSettled(work), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** Every attempt listens to the one shutdown signal: more than Node's default 10 listeners is normal here. */
function abortControllerForMany(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

/** The items from a random one on, round. */
function rotated<T>(items: T[]): T[] {
  if (items.length < 2) return items;
  const start = Math.floor(Math.random() * items.length);
  return [...items.slice(start), ...items.slice(0, start)];
}
