import type { Provider } from '@nestjs/common';

/** The endpoints part's providers, registered by DeliveryModule. */
export const ENDPOINTS_PROVIDERS: Provider[] = [];
/** What DeliveryModule exports of them to the host app. */
export const ENDPOINTS_EXPORTS: Provider[] = [];
