import type { Provider } from '@nestjs/common';

/** The broker part's providers, registered by DeliveryModule. */
export const BROKER_PROVIDERS: Provider[] = [];
/** What DeliveryModule exports of them to the host app. */
export const BROKER_EXPORTS: Provider[] = [];
