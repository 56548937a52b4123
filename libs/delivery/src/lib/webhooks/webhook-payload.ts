import type { OutboxEvent } from '@health-bridge/health-archive';

/** What a receiver gets in the body of a webhook (Standard Webhooks' recommended shape). */
export interface WebhookPayload {
  type: string;
  /** When the fact was stored (the same on every attempt; the attempt's time is `webhook-timestamp`). */
  timestamp: string;
  /** The event's data, with the person's `sequence` number beside it (receivers order by it). */
  data: Record<string, unknown> & { sequence: number };
}

export function webhookPayload(event: OutboxEvent): WebhookPayload {
  return { type: event.type, timestamp: event.storedAt.toISOString(), data: { ...event.data, sequence: event.sequence } };
}

/** The body as sent and signed: compact JSON, the same bytes on every attempt of the event. */
export function webhookBody(event: OutboxEvent): string {
  return JSON.stringify(webhookPayload(event));
}
