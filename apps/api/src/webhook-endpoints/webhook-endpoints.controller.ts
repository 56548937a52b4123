import { applyDecorators, BadRequestException, Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { WebhookEndpointService } from '@health-bridge/delivery';
import { problem, PROBLEM_CONTENT_TYPE, ProblemType, type Problem } from '../common/problem';
import { ApiProblems } from '../common/problem.dto';
import {
  CreatedWebhookEndpointDto,
  CreateWebhookEndpointDto,
  RotatedWebhookSecretDto,
  UpdateWebhookEndpointDto,
  WebhookEndpointDto,
  WebhookEndpointListQueryDto,
  WebhookEndpointPageDto,
  WebhookEndpointSecretDto,
} from './webhook-endpoint.dto';

const EXAMPLE_ID = 'ep_01JFQ8Z3K4W5X6Y7Z8A9B0C1D2';

const validationProblem = (detail: string, field?: string): Problem =>
  problem(400, detail, { type: ProblemType.Validation, title: 'Validation failed', ...(field ? { errors: [{ field, message: detail }] } : {}) });

/** This resource's own words for its 400 and 404 (the shared examples speak of phones). */
const PROBLEM_EXAMPLES = {
  400: {
    description: 'The request is not valid: `detail` and `errors` say what is wrong. Nothing was changed.',
    examples: {
      privateTarget: {
        summary: 'A target on a private address',
        value: validationProblem('url must reach a public address: loopback, private, link-local and other non-public targets are not allowed here', 'url'),
      },
      unknownType: {
        summary: 'An unknown event type',
        value: validationProblem('eventTypes: unknown event type "measurement.deleted" (known: authorization.granted, authorization.revoked, measurement.archived, person.data-deleted, endpoint.disabled)', 'eventTypes'),
      },
      unknownField: { summary: 'A field this API does not take', value: validationProblem('property secret should not exist', 'secret') },
    },
  },
  404: {
    description: 'No webhook endpoint has this id.',
    examples: { unknownId: { summary: 'No endpoint has this id', value: problem(404, `No webhook endpoint has the id ${EXAMPLE_ID}.`) } },
  },
} as const;

function ApiEndpointProblems(...statuses: Array<keyof typeof PROBLEM_EXAMPLES>) {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: PROBLEM_EXAMPLES[status].description,
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/ProblemDto' }, examples: PROBLEM_EXAMPLES[status].examples } },
      }),
    ),
  );
}

const ApiEndpointId = () => ApiParam({ name: 'id', description: 'The endpoint\'s id (`ep_` and a ULID).', example: EXAMPLE_ID });

@ApiTags('webhook-endpoints')
@ApiSecurity('api-key')
@ApiProblems(401, 429)
@Controller('webhook-endpoints')
export class WebhookEndpointsController {
  constructor(private readonly endpoints: WebhookEndpointService) {}

  @Post()
  @ApiOperation({
    summary: 'Create a webhook endpoint',
    description:
      'Every event of the types asked for (all of them without `eventTypes`) stored from now on is POSTed to `url`, signed per Standard Webhooks with the `secret` returned here. ' +
      'The secret is shown only here and by `GET …/{id}/secret`.',
  })
  @ApiCreatedResponse({ type: CreatedWebhookEndpointDto })
  @ApiEndpointProblems(400)
  async create(@Body() body: CreateWebhookEndpointDto): Promise<CreatedWebhookEndpointDto> {
    const created = await this.endpoints.create({ url: body.url, eventTypes: body.eventTypes, description: body.description });
    return { ...WebhookEndpointDto.from(created), secret: created.secret };
  }

  @Get()
  @ApiOperation({ summary: 'List webhook endpoints', description: 'Newest first, by cursor: pass `nextCursor` as `cursor` for the next page. Secrets are not shown.' })
  @ApiOkResponse({ type: WebhookEndpointPageDto })
  @ApiProblems(400)
  async list(@Query() query: WebhookEndpointListQueryDto): Promise<WebhookEndpointPageDto> {
    const page = await this.endpoints.list({ limit: query.limit, cursor: query.cursor });
    return { items: page.items.map(WebhookEndpointDto.from), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A webhook endpoint', description: 'Its settings and state; not its secret.' })
  @ApiEndpointId()
  @ApiOkResponse({ type: WebhookEndpointDto })
  @ApiEndpointProblems(404)
  async get(@Param('id') id: string): Promise<WebhookEndpointDto> {
    return WebhookEndpointDto.from(await this.endpoints.get(id));
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Change a webhook endpoint',
    description: 'Changes the fields given (at least one); the others stay. Every value is checked before anything is changed.',
  })
  @ApiEndpointId()
  @ApiOkResponse({ type: WebhookEndpointDto, description: 'The endpoint as changed.' })
  @ApiEndpointProblems(400, 404)
  async update(@Param('id') id: string, @Body() body: UpdateWebhookEndpointDto): Promise<WebhookEndpointDto> {
    const changes = { url: body.url, eventTypes: body.eventTypes, enabled: body.enabled, description: body.description };
    if (Object.values(changes).every((value) => value === undefined)) {
      throw new BadRequestException(validationProblem('Give at least one of url, eventTypes, enabled, description.'));
    }
    return WebhookEndpointDto.from(await this.endpoints.update(id, changes));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a webhook endpoint', description: 'Nothing more is sent to it; its delivery log goes with it.' })
  @ApiEndpointId()
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiEndpointProblems(404)
  async remove(@Param('id') id: string): Promise<void> {
    await this.endpoints.remove(id);
  }

  @Get(':id/secret')
  @ApiOperation({
    summary: "A webhook endpoint's signing secret",
    description: 'The current secret, and after a rotation the previous one while it still signs (DELIVERY_SECRET_OVERLAP).',
  })
  @ApiEndpointId()
  @ApiOkResponse({ type: WebhookEndpointSecretDto })
  @ApiEndpointProblems(404)
  async secret(@Param('id') id: string): Promise<WebhookEndpointSecretDto> {
    return WebhookEndpointSecretDto.from(await this.endpoints.secret(id));
  }

  @Post(':id/secret/rotate')
  @HttpCode(200)
  @ApiOperation({
    summary: "Rotate a webhook endpoint's signing secret",
    description:
      'A new secret signs from now on; the old one keeps signing beside it until `previousSecretExpiresAt`, so the receiver can switch without losing a delivery. ' +
      'Only one previous secret is kept: rotating again within the overlap retires the older one at once.',
  })
  @ApiEndpointId()
  @ApiOkResponse({ type: RotatedWebhookSecretDto })
  @ApiEndpointProblems(404)
  async rotate(@Param('id') id: string): Promise<RotatedWebhookSecretDto> {
    const rotated = await this.endpoints.rotateSecret(id);
    return { secret: rotated.secret, previousSecretExpiresAt: rotated.previousSecretExpiresAt.toISOString() };
  }
}
