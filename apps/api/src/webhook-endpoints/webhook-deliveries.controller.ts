import { applyDecorators, Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ENDPOINT_ID_PATTERN, WebhookDeliveryNotFoundError, WebhookDeliveryService, WebhookEndpointNotFoundError } from '@health-bridge/delivery';
import { problem, PROBLEM_CONTENT_TYPE } from '../common/problem';
import { ApiProblems } from '../common/problem.dto';
import {
  RecoverWebhookDeliveriesDto,
  RecoveredWebhookDeliveriesDto,
  WebhookDeliveryDto,
  WebhookDeliveryListQueryDto,
  WebhookDeliveryPageDto,
} from './webhook-delivery.dto';

const EXAMPLE_ENDPOINT_ID = 'ep_01JFQ8Z3K4W5X6Y7Z8A9B0C1D2';
const EXAMPLE_EVENT_ID = 'evt_01JFQ8Z3K4W5X6Y7Z8A9B0C1D3';
const EVENT_ID_PATTERN = /^evt_[0-9A-HJKMNP-TV-Z]{26}$/;

const ApiEndpointId = () => ApiParam({ name: 'id', description: "The endpoint's id (`ep_` and a ULID).", example: EXAMPLE_ENDPOINT_ID });

/** This resource's own words for its 404s (the shared examples speak of phones). */
function ApiNotFound(withDelivery = false) {
  const examples: Record<string, { summary: string; value: unknown }> = {
    unknownEndpoint: { summary: 'No endpoint has this id', value: problem(404, `No webhook endpoint has the id ${EXAMPLE_ENDPOINT_ID}.`) },
  };
  if (withDelivery) {
    examples['unknownDelivery'] = { summary: 'The event was never for this endpoint', value: problem(404, `The webhook endpoint has no delivery of the event ${EXAMPLE_EVENT_ID}.`) };
  }
  return applyDecorators(
    ApiResponse({
      status: 404,
      description: withDelivery ? 'No webhook endpoint has this id, or the event was never one for it.' : 'No webhook endpoint has this id.',
      content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/ProblemDto' }, examples } },
    }),
  );
}

/** The lib's "not found" as this API answers it; ids are repeated only when they have an id's form (they are the caller's own text). */
async function answering<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof WebhookEndpointNotFoundError) {
      throw new NotFoundException(problem(404, `No webhook endpoint has ${ENDPOINT_ID_PATTERN.test(error.id) ? `the id ${error.id}` : 'this id'}.`));
    }
    if (error instanceof WebhookDeliveryNotFoundError) {
      const event = EVENT_ID_PATTERN.test(error.eventId) ? `the event ${error.eventId}` : 'this event';
      throw new NotFoundException(problem(404, `The webhook endpoint has no delivery of ${event}.`));
    }
    throw error;
  }
}

/** An endpoint's delivery log, and resending: one event, or every failed one since a time. */
@ApiTags('webhook-endpoints')
@ApiSecurity('api-key')
@ApiProblems(401, 429)
@Controller('webhook-endpoints')
export class WebhookDeliveriesController {
  constructor(private readonly deliveries: WebhookDeliveryService) {}

  @Get(':id/deliveries')
  @ApiOperation({
    summary: "An endpoint's delivery log",
    description:
      'Each event given to the endpoint, newest first, by cursor, with every attempt (time, HTTP status, duration, error) and the next one. ' +
      'Failed attempts are retried on the retry schedule (DELIVERY_RETRY_SCHEDULE) with jitter, later when the receiver asks with Retry-After (429, 503).',
  })
  @ApiEndpointId()
  @ApiOkResponse({ type: WebhookDeliveryPageDto })
  @ApiProblems(400)
  @ApiNotFound()
  async list(@Param('id') id: string, @Query() query: WebhookDeliveryListQueryDto): Promise<WebhookDeliveryPageDto> {
    const page = await answering(this.deliveries.list(id, { status: query.status, limit: query.limit, cursor: query.cursor }));
    return { items: page.items.map(WebhookDeliveryDto.from), nextCursor: page.nextCursor };
  }

  @Post(':id/deliveries/:eventId/retry')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send one event to the endpoint again',
    description:
      'A new attempt, now, whatever became of the delivery (a delivered one is sent again), with the same `webhook-id`. ' +
      'If it fails it is retried where the schedule left it (a failed delivery: not again). An endpoint that is disabled gets it once it is enabled.',
  })
  @ApiEndpointId()
  @ApiParam({ name: 'eventId', description: "The event's id (`evt_` and a ULID), as in the delivery log.", example: EXAMPLE_EVENT_ID })
  @ApiAcceptedResponse({ type: WebhookDeliveryDto, description: 'The delivery, due now.' })
  @ApiNotFound(true)
  async retry(@Param('id') id: string, @Param('eventId') eventId: string): Promise<WebhookDeliveryDto> {
    return WebhookDeliveryDto.from(await answering(this.deliveries.retry(id, eventId)));
  }

  @Post(':id/recover')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send every failed delivery again',
    description: 'After an outage of the receiver: every delivery to the endpoint that failed and was created at or after `since` is due again now, with its `webhook-id`.',
  })
  @ApiEndpointId()
  @ApiAcceptedResponse({ type: RecoveredWebhookDeliveriesDto })
  @ApiProblems(400)
  @ApiNotFound()
  async recover(@Param('id') id: string, @Body() body: RecoverWebhookDeliveriesDto): Promise<RecoveredWebhookDeliveriesDto> {
    return { queued: await answering(this.deliveries.recover(id, body.since)) };
  }
}
