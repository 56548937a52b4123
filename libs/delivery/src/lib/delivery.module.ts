import { Module } from '@nestjs/common';
import { BROKER_EXPORTS, BROKER_PROVIDERS } from './broker/providers';
import { DeliveryConfigurableModule } from './delivery.options';
import { Sql } from './sql';
import { ENDPOINTS_EXPORTS, ENDPOINTS_PROVIDERS } from './endpoints/providers';
import { WEBHOOKS_EXPORTS, WEBHOOKS_PROVIDERS } from './webhooks/providers';

/**
 * What leaves the service: webhook endpoints and their signed deliveries, and the RabbitMQ
 * publisher, all reading the health archive's outbox. The host app imports
 * `HealthArchiveModule.forRoot(...)` (global, or in the same module) and then
 * `DeliveryModule.forRoot({ webhooks: {...}, broker: {...} })`.
 */
@Module({
  providers: [Sql, ...ENDPOINTS_PROVIDERS, ...WEBHOOKS_PROVIDERS, ...BROKER_PROVIDERS],
  exports: [...ENDPOINTS_EXPORTS, ...WEBHOOKS_EXPORTS, ...BROKER_EXPORTS],
})
export class DeliveryModule extends DeliveryConfigurableModule {}
