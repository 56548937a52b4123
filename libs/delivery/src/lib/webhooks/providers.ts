import type { Provider } from '@nestjs/common';
import { DELIVERY_OPTIONS } from '../delivery.options';
import { WebhookAttemptRecorder } from './webhook-attempt-recorder';
import { WebhookDeliveryService } from './webhook-delivery.service';
import { WebhookDeliveryStore } from './webhook-delivery.store';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WEBHOOK_SETTINGS, webhookSettings } from './webhook-settings';

/** The webhooks part's providers, registered by DeliveryModule. */
export const WEBHOOKS_PROVIDERS: Provider[] = [
  { provide: WEBHOOK_SETTINGS, useFactory: webhookSettings, inject: [DELIVERY_OPTIONS] },
  WebhookDeliveryStore,
  WebhookAttemptRecorder,
  WebhookDispatcher,
  WebhookDeliveryService,
];
/** What DeliveryModule exports of them to the host app: the delivery log (the dispatcher runs by itself). */
export const WEBHOOKS_EXPORTS: Provider[] = [WebhookDeliveryService];
