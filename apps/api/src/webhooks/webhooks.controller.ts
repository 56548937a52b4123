import { BadRequestException, Body, Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiProperty, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { PushIngestService } from '@health-bridge/health-archive';
import { pushAcknowledgement, validatePush } from '@health-bridge/viatom-protocol';
import { pushErrorEnvelope } from '../common/problem.filter';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ApiMetrics } from '../metrics/api-metrics';
import { PushReceiver } from './push-receiver.decorator';

class PushAckDto {
  @ApiProperty({ example: 0, description: '0 when the push is stored (or was already).' })
  code!: number;
  @ApiProperty({ example: 'success' })
  message!: string;
  @ApiProperty({ example: '' })
  reason!: string;
  @ApiProperty({ example: {}, nullable: true, type: Object })
  data!: Record<string, never> | null;
}

const PUSH_EXAMPLE = {
  type: 2,
  data_tag: '7a4569155dc60bcb36189490bf90dcfc',
  account_id: 'OA==|MTEx',
  member_id: 'OA==|LTE=',
  device_sn: '',
  data: { phone: '15312341234' },
  user_info: {},
  create_time: '2022-12-29 16:33:40',
  update_time: '2022-12-29 16:33:40',
};

@ApiTags('webhooks')
@Controller('webhooks')
export class WebhooksController {
  constructor(
    private readonly ingest: PushIngestService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: ApiMetrics,
  ) {}

  @Post('viatom')
  @PushReceiver()
  @HttpCode(200)
  @ApiOperation({
    summary: "Viatom's push receiver",
    description:
      'Register this URL with Viatom. Type 2 = user authorized, 3 = user cancelled, 1 = measurement. A push is answered 200 only after it is committed; a repeat (same `data_tag`, or same content when `data_tag` is empty) is answered 200 and changes nothing. Answers use Viatom\'s envelope. ' +
      'Liberal in what it accepts (README "What the push receiver accepts"): times as `YYYY-MM-DD HH:mm:ss`, ISO 8601 or epoch seconds/milliseconds (a time that cannot be read counts as absent); ids as strings or numbers; `type` and `data_type` as integers or integer strings; phones with separators, full-width digits or a +86 prefix. The body is kept exactly as received: JSON in UTF-8 or the declared `charset` (gbk, gb18030…), optionally `Content-Encoding: gzip`, `deflate` or `br`.',
  })
  @ApiQuery({ name: 'token', required: false, description: 'The WEBHOOK_TOKEN, when configured (or send X-Webhook-Token).' })
  @ApiHeader({ name: 'X-Webhook-Token', required: false, description: 'The WEBHOOK_TOKEN, when configured (or use ?token=).' })
  @ApiBody({ schema: { type: 'object', example: PUSH_EXAMPLE, description: "Viatom's push message, snake_case as Viatom sends it." } })
  @ApiOkResponse({ type: PushAckDto, description: 'Stored (or already stored).' })
  @ApiResponse({
    status: 400,
    type: PushAckDto,
    description: 'Not a valid push: `code` 20015 and `message` say what is wrong. Nothing was stored.',
    example: pushErrorEnvelope(400, 'invalid push: data.phone: required for type 2 and 3'),
  })
  @ApiResponse({
    status: 401,
    type: PushAckDto,
    description: 'A configured push check failed (source address, webhook token or signature): `message` says which. Nothing was stored.',
    example: pushErrorEnvelope(401, 'push not accepted: the webhook token is missing or not valid'),
  })
  @ApiResponse({
    status: 429,
    type: PushAckDto,
    description:
      'This address failed the push checks too often (RATE_LIMIT_PUSH_FAILURES_MAX), so its further failing pushes are answered 429 instead of 401 until the window ends (a push that passes its checks is never refused for it); or, only when RATE_LIMIT_PUSH_MAX is set, it sent more authenticated pushes than that. Send it again after Retry-After seconds. Nothing was stored.',
    example: pushErrorEnvelope(429, 'Too many failed push checks from this address: at most 20 per 60 s. Try again in 42 s.'),
  })
  @ApiResponse({
    status: 503,
    type: PushAckDto,
    description: 'The push could not be stored (database unavailable): send it again later.',
    example: pushErrorEnvelope(503, 'The database is unavailable. Try again later.'),
  })
  async receive(@Body() body: unknown, @Req() request: FastifyRequest) {
    const receivedAt = new Date();
    const validation = validatePush(body, { timeZone: this.config.viatom.timeZone, rawText: request.rawBody });
    if (!validation.ok) throw new BadRequestException(`invalid push: ${validation.errors.join('; ')}`);
    const result = await this.ingest.ingest(validation.push, receivedAt);
    // Refused pushes are counted by status in the request histogram (route /api/v1/webhooks/viatom).
    this.metrics.recordPush(validation.push.type, result);
    return pushAcknowledgement();
  }
}
