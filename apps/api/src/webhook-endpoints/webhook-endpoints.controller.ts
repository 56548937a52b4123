import { Controller } from '@nestjs/common';

/** Webhook endpoints: create, list, read, change, delete, the secret and its rotation. */
@Controller('webhook-endpoints')
export class WebhookEndpointsController {}
