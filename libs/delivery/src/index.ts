/**
 * @health-bridge/delivery: what leaves the service. Webhook endpoints and their signed
 * deliveries, and the RabbitMQ publisher, all reading the health archive's outbox.
 * Import `DeliveryModule.forRoot(...)` beside `HealthArchiveModule`.
 */
export { DeliveryModule } from './lib/delivery.module';
export { DELIVERY_OPTIONS, type DeliveryOptions } from './lib/delivery.options';
export * from './lib/endpoints';
export * from './lib/webhooks';
export * from './lib/broker';
