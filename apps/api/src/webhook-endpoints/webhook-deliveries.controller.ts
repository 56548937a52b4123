import { Controller } from '@nestjs/common';

/** An endpoint's delivery log, and resending: one event, or every failed one since a time. */
@Controller('webhook-endpoints')
export class WebhookDeliveriesController {}
