// The public names of the webhooks part (re-exported by the lib's index).
export {
  WebhookDeliveryService,
  WebhookDeliveryNotFoundError,
  type WebhookDeliveryEntry,
  type WebhookAttemptEntry,
  type WebhookDeliveryQuery,
} from './webhook-delivery.service';
export { DeliveryStatus, DELIVERY_STATUSES } from './webhook-delivery.store';
/** What WebhookDeliveryService.backlog and attemptCounts answer: the deliveries waiting and given up, the attempts of a window. */
export { type WebhookDeliveryBacklog, type WebhookAttemptCounts } from './webhook-delivery.store';
export { webhookSignature, webhookSignatureHeader, webhookTimestamp } from './signing';
export { webhookPayload, webhookBody, type WebhookPayload } from './webhook-payload';
export { DEFAULT_RETRY_SCHEDULE_MS, DEFAULT_TIMEOUT_MS, DEFAULT_DISABLE_AFTER_MS, DEFAULT_POLL_INTERVAL_MS, MAX_IN_FLIGHT, MAX_IN_FLIGHT_PER_ENDPOINT } from './webhook-settings';
