import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventFeed, EventType, type EndpointDisabledData } from '@health-bridge/health-archive';
import { WebhookEndpointService } from '../endpoints/webhook-endpoint.service';
import type { WebhookEndpoint } from '../endpoints/webhook-endpoint';
import { nextAttemptAt, retryAfterMs } from './retry-schedule';
import { DeliveryStatus, WebhookDeliveryStore, type AttemptRecord, type ClaimedDelivery } from './webhook-delivery.store';
import { isSuccess, type AttemptResult } from './webhook-sender';
import { WEBHOOK_SETTINGS, type WebhookSettings } from './webhook-settings';

/**
 * What an attempt's outcome changes: the attempt goes into the delivery log; the delivery is
 * delivered, due again later (the retry schedule, or the receiver's Retry-After), or failed;
 * and the endpoint is healthy, failing (since its first failure in a row), or disabled: at once
 * when the receiver answers 410 Gone, or when it has failed every attempt for `disableAfterMs`.
 * A disabled endpoint is reported by an `endpoint.disabled` event in the feed.
 */
@Injectable()
export class WebhookAttemptRecorder {
  private readonly logger = new Logger('WebhookDelivery');
  /** Endpoints this process saw fail since it last saw them succeed: a success then ends their failing streak. */
  private readonly failing = new Set<string>();
  /** Successes waiting to be written together. */
  private readonly successes: Array<{ attempt: AttemptRecord; attempts: number; resolve: () => void; reject: (error: unknown) => void }> = [];

  constructor(
    private readonly store: WebhookDeliveryStore,
    private readonly endpoints: WebhookEndpointService,
    private readonly feed: EventFeed,
    @Inject(WEBHOOK_SETTINGS) private readonly settings: WebhookSettings,
  ) {}

  /**
   * Records one attempt of `delivery` to `endpoint` (as it was when the attempt began); `now`:
   * when it ended. Returns the delivery's new status.
   */
  async record(delivery: ClaimedDelivery, endpoint: WebhookEndpoint, result: AttemptResult, attemptedAt: Date, now = new Date()): Promise<DeliveryStatus> {
    const attempt = { deliveryId: delivery.id, attemptedAt, statusCode: result.statusCode, durationMs: result.durationMs, error: result.error };
    const attempts = delivery.attempts + 1;

    if (isSuccess(result)) {
      // The common case, recorded with the others that succeeded in the same turn.
      await this.delivered(attempt, attempts);
      if (endpoint.failingSince !== null || this.failing.has(endpoint.id)) {
        await this.endpoints.markHealthy(endpoint.id);
        this.failing.delete(endpoint.id);
      }
      return DeliveryStatus.Delivered;
    }

    await this.store.addAttempt(attempt);
    // A receiver asking for a pause (rate limit, maintenance) is given it, within the schedule.
    const pause = result.statusCode === 429 || result.statusCode === 503 ? retryAfterMs(result.retryAfter, now) : null;
    const next = nextAttemptAt(attempts, this.settings.retryScheduleMs, now, { retryAfterMs: pause });
    const status = next ? DeliveryStatus.Pending : DeliveryStatus.Failed;
    // A delivery of an endpoint turned off waits (pending) until it is turned on again.
    await this.store.settle(delivery.id, status, attempts, next, now);

    if (result.statusCode === 410) {
      await this.disable(endpoint, 'gone', now, endpoint.failingSince);
      return status;
    }
    await this.endpoints.markFailing(endpoint.id, now);
    this.failing.add(endpoint.id);
    const failingSince = endpoint.failingSince ?? now;
    if (now.getTime() - failingSince.getTime() >= this.settings.disableAfterMs) {
      // The endpoint as it was read may be stale (another replica's success ended the streak since): read it again.
      const current = await this.endpoints.get(endpoint.id).catch(() => null);
      if (current?.failingSince && now.getTime() - current.failingSince.getTime() >= this.settings.disableAfterMs) {
        await this.disable(endpoint, 'failing', now, current.failingSince);
      }
    }
    return status;
  }

  /** Queues a success; the queue of one turn of the event loop is written at once. */
  private delivered(attempt: AttemptRecord, attempts: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.successes.push({ attempt, attempts, resolve, reject });
      if (this.successes.length === 1) setImmediate(() => void this.writeSuccesses());
    });
  }

  private async writeSuccesses(): Promise<void> {
    const batch = this.successes.splice(0);
    try {
      await this.store.settleDelivered(batch, new Date());
      for (const item of batch) item.resolve();
    } catch (error) {
      // Not recorded: each stays leased until its lease runs out, then is sent again (the same webhook-id).
      for (const item of batch) item.reject(error);
    }
  }

  private async disable(endpoint: WebhookEndpoint, reason: 'gone' | 'failing', now: Date, failingSince: Date | null): Promise<void> {
    // Only the replica that turned it off reports it: the report is written once.
    if (!(await this.endpoints.disable(endpoint.id, reason, now))) return;
    this.failing.delete(endpoint.id);
    const data: EndpointDisabledData = { endpointId: endpoint.id, reason, failingSince: failingSince?.toISOString() ?? null };
    await this.feed.append(EventType.EndpointDisabled, `endpoint:${endpoint.id}`, { ...data }, now);
    const why = reason === 'gone' ? 'the receiver answered 410 Gone' : `every attempt failed since ${data.failingSince}`;
    this.logger.warn(`webhook endpoint ${endpoint.id} disabled: ${why}; enable it again with PATCH { "enabled": true } once it is fixed`);
  }
}
