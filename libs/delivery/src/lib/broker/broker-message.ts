import type { Options } from 'amqplib';
import type { OutboxEvent } from '@health-bridge/health-archive';
import { webhookBody } from '../webhooks/webhook-payload';

/** One event as a RabbitMQ message, published to the topic exchange. */
export interface BrokerMessage {
  /** The event type (`measurement.archived`...): a queue bound with `measurement.#` gets only measurements. */
  routingKey: string;
  content: Buffer;
  options: Options.Publish;
}

export function brokerMessage(event: OutboxEvent): BrokerMessage {
  return {
    routingKey: event.type,
    // Byte for byte a webhook's body: one consumer code for both destinations.
    content: Buffer.from(webhookBody(event)),
    options: {
      // Kept on disk by a durable queue, and confirmed only once kept.
      persistent: true,
      // The same on every republish (at-least-once): consumers dedupe by it.
      messageId: event.id,
      contentType: 'application/json',
      timestamp: Math.floor(event.storedAt.getTime() / 1000),
      type: event.type,
      // The person's order, readable without parsing the body. No phone in the headers: brokers'
      // tools show and trace headers far more readily than bodies.
      headers: { 'x-sequence': event.sequence },
    },
  };
}
