import type { Provider } from '@nestjs/common';

/** The webhooks part's providers, registered by DeliveryModule. */
export const WEBHOOKS_PROVIDERS: Provider[] = [];
/** What DeliveryModule exports of them to the host app. */
export const WEBHOOKS_EXPORTS: Provider[] = [];
