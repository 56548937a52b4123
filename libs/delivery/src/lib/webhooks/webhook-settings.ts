import type { DeliveryOptions } from '../delivery.options';

/** The webhook part's settings: the host's options, with the defaults filled in. */
export interface WebhookSettings {
  /** This process sends (the dispatcher runs here). */
  worker: boolean;
  timeoutMs: number;
  retryScheduleMs: readonly number[];
  disableAfterMs: number;
  allowPrivateTargets: boolean;
  pollIntervalMs: number;
  /** Attempts in flight at once in this process, and per endpoint: a receiver that hangs holds only its own share. */
  maxInFlight: number;
  maxInFlightPerEndpoint: number;
}

export const WEBHOOK_SETTINGS = Symbol('WEBHOOK_SETTINGS');

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Svix's schedule: immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h later (about 27.6 h in all). */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = [0, 5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR];
export const DEFAULT_TIMEOUT_MS = 15 * SECOND;
export const DEFAULT_DISABLE_AFTER_MS = 5 * 24 * HOUR;
export const DEFAULT_POLL_INTERVAL_MS = 250;
/**
 * Attempts in flight at once per process, and per endpoint. An attempt holds its slot until the
 * receiver has answered (its outcome is recorded after). Measured on these machines
 * (`npm run bench -- --only=delivery`): a share of 64 delivered half of a push load as it came
 * (the rest after it), 128 about nine tenths, at the price of about a sixth of the ingest rate
 * while it lasts. A receiver that hangs holds no more than its share until the timeout: at the
 * default share it takes four hanging at once to hold every slot of the process. A host sets the
 * share (`webhooks.maxInFlightPerEndpoint`) for receivers that take fewer requests at once.
 */
export const MAX_IN_FLIGHT = 512;
export const MAX_IN_FLIGHT_PER_ENDPOINT = 128;

export function webhookSettings(options: DeliveryOptions): WebhookSettings {
  const webhooks = options.webhooks ?? {};
  const schedule = webhooks.retryScheduleMs && webhooks.retryScheduleMs.length > 0 ? webhooks.retryScheduleMs : DEFAULT_RETRY_SCHEDULE_MS;
  return {
    worker: options.worker ?? true,
    timeoutMs: webhooks.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    retryScheduleMs: [...schedule],
    disableAfterMs: webhooks.disableAfterMs ?? DEFAULT_DISABLE_AFTER_MS,
    allowPrivateTargets: webhooks.allowPrivateTargets ?? false,
    pollIntervalMs: webhooks.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
    maxInFlight: MAX_IN_FLIGHT,
    maxInFlightPerEndpoint: shareOf(webhooks.maxInFlightPerEndpoint),
  };
}

/** A host's share per endpoint, as a whole number from 1 to MAX_IN_FLIGHT; the default when absent or not a number. */
function shareOf(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) ? Math.min(Math.max(1, Math.trunc(value)), MAX_IN_FLIGHT) : MAX_IN_FLIGHT_PER_ENDPOINT;
}
