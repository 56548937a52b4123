import { Injectable } from '@nestjs/common';
import { WebhookDeliveryService, type WebhookAttemptCounts, type WebhookDeliveryBacklog } from '@health-bridge/delivery';
import { PushLogService, type PushMinuteCount } from '@health-bridge/health-archive';
import { ViatomClient, type ViatomCircuitState } from '@health-bridge/viatom-client';
import { ViatomFailureLog, type ViatomFailure } from './viatom-failure-log';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** The operator console's overview of the last hours: what came in, how Viatom and the webhooks fare. */
export interface Overview {
  /** `now` less the hours, down to the start of its minute. */
  from: Date;
  to: Date;
  pushes: PushMinuteCount[];
  viatom: { circuit: ViatomCircuitState; recentFailures: ViatomFailure[] };
  outbox: WebhookDeliveryBacklog;
  deliveries: WebhookAttemptCounts & {
    /** succeeded / (succeeded + failed); null when no attempt was made. */
    successRate: number | null;
  };
}

/** Gathers the overview from the push log, the Viatom client and the webhook deliveries (each lib's own reads). */
@Injectable()
export class OverviewService {
  constructor(
    private readonly pushLog: PushLogService,
    private readonly deliveries: WebhookDeliveryService,
    private readonly viatom: ViatomClient,
    private readonly viatomFailures: ViatomFailureLog,
  ) {}

  async overview(hours: number, now = new Date()): Promise<Overview> {
    const from = new Date(Math.floor((now.getTime() - hours * HOUR_MS) / MINUTE_MS) * MINUTE_MS);
    const [pushes, outbox, attempts] = await Promise.all([this.pushLog.countByMinute(from, now), this.deliveries.backlog(), this.deliveries.attemptCounts(from, now)]);
    const made = attempts.succeeded + attempts.failed;
    return {
      from,
      to: now,
      pushes,
      viatom: { circuit: this.viatom.circuitState, recentFailures: this.viatomFailures.recent() },
      outbox,
      deliveries: { ...attempts, successRate: made === 0 ? null : attempts.succeeded / made },
    };
  }
}
