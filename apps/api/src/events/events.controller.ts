import { BadRequestException, Controller, Get, Query } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiProperty, ApiSecurity, ApiTags, PickType } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { EVENT_TYPES, EventFeed, InvalidCursorError, parseEventTypes, UnknownEventTypeError, type OutboxEvent } from '@health-bridge/health-archive';
import { PageQueryDto } from '../common/dto';
import { problem, ProblemType } from '../common/problem';
import { ApiProblems } from '../common/problem.dto';
import { Audited } from '../common/access-audit';

/** `limit` as every list has it; `after` and `types` of the feed's own (it has no `cursor`: it is read oldest first). */
export class EventFeedQueryDto extends PickType(PageQueryDto, ['limit'] as const) {
  @ApiProperty({
    required: false,
    description: 'Where to go on from: the `nextCursor` of the previous read (or an event\'s `cursor`), as it was. Absent: from the oldest event kept.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(80, { message: 'after must be at most 80 characters' })
  after?: string;

  @ApiProperty({ required: false, description: `Only these types, comma-separated: ${EVENT_TYPES.map((t) => `\`${t}\``).join(', ')}. Absent: every type.` })
  @IsOptional()
  @IsString()
  @MaxLength(500, { message: 'types must be at most 500 characters' })
  types?: string;
}

export class EventDto {
  @ApiProperty({ description: 'Stable and unique: the `webhook-id` of its webhook deliveries and the `messageId` of its broker message.', example: 'evt_01JEXAMPLE7ZQ4N8W2V6T3K5RD' })
  id!: string;
  @ApiProperty({ enum: EVENT_TYPES, example: 'measurement.archived' })
  type!: string;
  @ApiProperty({ type: String, format: 'date-time', description: 'When the fact was stored (the push received, the cancel confirmed).', example: '2022-12-29T02:06:01.000Z' })
  storedAt!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The person it is about, when known; null for `endpoint.disabled`.', example: '15312341234' })
  phone!: string | null;
  @ApiProperty({
    description:
      "Increases by one with every event stored for this person (a measurement's owner not known yet: for its Viatom account; `endpoint.disabled`: for that endpoint): order a person's events by it.",
    example: 3,
  })
  sequence!: number;
  @ApiProperty({
    type: Object,
    description:
      'camelCase. `authorization.granted`: phone, accountId, memberId, authorizedAt. `authorization.revoked`: phone, revokedBy (`user` or `integrator`), revokedAt. ' +
      '`measurement.archived`: measurementId, pushId, phone, accountId, memberId, deviceSn, dataType, measuredAt, receivedAt, data (Viatom\'s measurement as received), ' +
      'kind, context, observations ([{ name, value, unit }] in UCUM units), attachments, finding (as in the measurements list); ' +
      'once the measurement has been deleted (after a withdrawal, or an erasure), only `{ measurementId, deleted: true }`. ' +
      '`person.data-deleted`: phone, accountId, revokedAt, measurementsDeleted, payloadsDeleted, measurementsKeptForSharedAccount. ' +
      '`endpoint.disabled`: endpointId, reason (`gone` or `failing`), failingSince (null when no failure came before a `gone`).',
    example: { phone: '15312341234', accountId: 'OA==|MTEx', memberId: 'OA==|LTE=', authorizedAt: '2022-12-29T02:00:00.000Z' },
  })
  data!: Record<string, unknown>;
  @ApiProperty({ description: 'The feed position just after this event: `after=` to go on from it.', example: 'ZXY6MDo0Mg' })
  cursor!: string;

  static from(event: OutboxEvent): EventDto {
    return { id: event.id, type: event.type, storedAt: event.storedAt.toISOString(), phone: event.phone, sequence: event.sequence, data: event.data, cursor: event.cursor };
  }
}

export class EventFeedPageDto {
  @ApiProperty({ type: [EventDto] })
  items!: EventDto[];
  @ApiProperty({ description: 'Where the next read starts (`after=`); never null: when nothing is new it is the cursor you gave.', example: 'ZXY6MDo0Mg' })
  nextCursor!: string;
}

/** The event feed: every event, oldest first, after a cursor. */
@ApiTags('events')
@ApiSecurity('api-key')
@ApiProblems(401, 429)
@ApiExtraModels(EventDto)
@Controller('events')
export class EventsController {
  constructor(private readonly feed: EventFeed) {}

  @Get()
  @ApiOperation({
    summary: 'The event feed, oldest first',
    description:
      'Every event the service has stored, oldest first, after `after`: keep the `nextCursor` and call again to sync incrementally without missing one. ' +
      'Events are kept for `EVENT_RETENTION` (30 days by default).',
  })
  @ApiOkResponse({ type: EventFeedPageDto })
  @ApiProblems(400)
  @Audited((_, body: EventFeedPageDto) => ({
    phones: body.items.map((e) => e.phone),
    accountIds: body.items.map((e) => (e.phone === null && typeof e.data?.['accountId'] === 'string' ? (e.data['accountId'] as string) : null)),
  }))
  async read(@Query() query: EventFeedQueryDto): Promise<EventFeedPageDto> {
    let types;
    try {
      types = query.types === undefined ? undefined : parseEventTypes(query.types.split(',').map((t) => t.trim()).filter(Boolean));
    } catch (error) {
      if (error instanceof UnknownEventTypeError) throw invalid('types', error.message);
      throw error;
    }
    try {
      const page = await this.feed.read({ after: query.after, types, limit: query.limit });
      return { items: page.items.map(EventDto.from), nextCursor: page.nextCursor };
    } catch (error) {
      if (error instanceof InvalidCursorError) throw invalid('after', 'after is not a cursor of this feed: use a nextCursor (or an event\'s cursor) as it was');
      throw error;
    }
  }
}

function invalid(field: string, message: string): BadRequestException {
  return new BadRequestException(problem(400, message, { type: ProblemType.Validation, errors: [{ field, message }] }));
}
