/**
 * @health-bridge/delivery: what leaves the service. Webhook endpoints and their signed
 * deliveries, and the RabbitMQ publisher, all reading the health archive's outbox.
 */
