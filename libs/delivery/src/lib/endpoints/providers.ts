import type { Provider } from '@nestjs/common';
import { WebhookEndpointService } from './webhook-endpoint.service';
import { WebhookEndpointStore } from './webhook-endpoint.store';

/** The endpoints part's providers, registered by DeliveryModule. */
export const ENDPOINTS_PROVIDERS: Provider[] = [WebhookEndpointStore, WebhookEndpointService];
/** What DeliveryModule exports of them to the host app (the store stays inside: its rules are the service's). */
export const ENDPOINTS_EXPORTS: Provider[] = [WebhookEndpointService];
