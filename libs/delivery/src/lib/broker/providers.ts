import type { Provider } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { EventFeed, HEALTH_ARCHIVE_DATA_SOURCE } from '@health-bridge/health-archive';
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
    useFactory: (options: DeliveryOptions, feed: EventFeed, dataSource: DataSource): BrokerPublisher | null =>
      options.broker ? new BrokerPublisher({ broker: options.broker, worker: options.worker !== false }, feed, new Sql(dataSource)) : null,
    inject: [DELIVERY_OPTIONS, EventFeed, HEALTH_ARCHIVE_DATA_SOURCE],
  },
];
/** What DeliveryModule exports of them to the host app (its health check and metrics read `status()`). */
export const BROKER_EXPORTS: Provider[] = [BrokerPublisher];
