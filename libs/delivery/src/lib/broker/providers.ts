import type { Provider } from '@nestjs/common';
import { EventFeed } from '@health-bridge/health-archive';
import { DELIVERY_OPTIONS, type DeliveryOptions } from '../delivery.options';
import { Sql } from '../sql';
import { BrokerPublisher } from './broker-publisher';

/**
 * The broker part's providers, registered by DeliveryModule. `BrokerPublisher` is null when the
 * options name no broker (inject it with `@Optional()` or test for null).
 */
export const BROKER_PROVIDERS: Provider[] = [
  {
    provide: BrokerPublisher,
    useFactory: (options: DeliveryOptions, feed: EventFeed, sql: Sql): BrokerPublisher | null =>
      options.broker ? new BrokerPublisher({ broker: options.broker, worker: options.worker !== false }, feed, sql) : null,
    inject: [DELIVERY_OPTIONS, EventFeed, Sql],
  },
];
/** What DeliveryModule exports of them to the host app (its health check and metrics read `status()`). */
export const BROKER_EXPORTS: Provider[] = [BrokerPublisher];
