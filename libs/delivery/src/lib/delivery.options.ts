import { ConfigurableModuleBuilder } from '@nestjs/common';

/** What a host app gives the delivery lib (`DeliveryModule.forRoot` / `forRootAsync`). */
export interface DeliveryOptions {
  /**
   * This process delivers (the webhook dispatcher and the broker publisher run here); default
   * true. False: the endpoints can still be managed and the feed read; another replica delivers.
   */
  worker?: boolean;
  webhooks?: {
    /** An attempt not answered 2xx within this has failed (default 15 s). */
    timeoutMs?: number;
    /** Attempts sent at once to one endpoint by this process (default MAX_IN_FLIGHT_PER_ENDPOINT, 128; at most MAX_IN_FLIGHT, 512, in all). */
    maxInFlightPerEndpoint?: number;
    /** The delay before each attempt, the first included (default Svix's: 0, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h). */
    retryScheduleMs?: number[];
    /** How long an old secret keeps signing after a rotation (default 24 h). */
    secretOverlapMs?: number;
    /** An endpoint failing every attempt for this long is disabled (default 5 days). */
    disableAfterMs?: number;
    /** Targets on loopback, private or link-local addresses are allowed (default false). */
    allowPrivateTargets?: boolean;
    /** Endpoint URLs must be https (default false; the api sets it in production). */
    requireHttps?: boolean;
    /** How often the outbox is looked at when nothing woke the dispatcher (default 250 ms). */
    pollIntervalMs?: number;
  };
  /** Publish every event to RabbitMQ; absent or null: no broker. */
  broker?: { url: string; exchange: string } | null;
}

export const {
  ConfigurableModuleClass: DeliveryConfigurableModule,
  MODULE_OPTIONS_TOKEN: DELIVERY_OPTIONS,
} = new ConfigurableModuleBuilder<DeliveryOptions>().setClassMethodName('forRoot').build();
