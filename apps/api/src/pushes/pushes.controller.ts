import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { PushLogEntry, PushLogService, PushOutcome } from '@health-bridge/health-archive';
import { MAX_INT32, PushTimeBasis } from '@health-bridge/viatom-protocol';
import { IsPhone, PageDto, PageQueryDto, toInteger } from '../common/dto';
import { ApiProblems } from '../common/problem.dto';
import { Audited } from '../common/access-audit';

export class PushListQueryDto extends PageQueryDto {
  @ApiProperty({ required: false, description: 'Only this push type: 1 measurement, 2 authorized, 3 cancelled.' })
  @IsOptional()
  @Transform(toInteger)
  @IsInt({ message: 'type must be a whole number' })
  @Min(0, { message: 'type must not be negative' })
  @Max(MAX_INT32, { message: `type must be at most ${MAX_INT32}` })
  type?: number;

  @ApiProperty({ required: false, description: 'Only pushes about this phone, in any written form: `+86 153-1234-1234` finds `15312341234`.' })
  @IsOptional()
  @IsPhone()
  phone?: string;

  @ApiProperty({ required: false, enum: PushOutcome, description: 'Only pushes with this outcome.' })
  @IsOptional()
  @IsIn(Object.values(PushOutcome), { message: `outcome must be one of ${Object.values(PushOutcome).join(', ')}` })
  outcome?: PushOutcome;
}

export class PushDto {
  @ApiProperty({ example: 42 })
  id!: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 2,
    description: '1 measurement, 2 authorized, 3 cancelled (others are logged as ignored); null when the type was an integer too large to keep (see `rawMessage`).',
  })
  type!: number | null;
  @ApiProperty({ description: "Viatom's data_tag ('' when Viatom sent none).", example: '7a4569155dc60bcb36189490bf90dcfc' })
  dataTag!: string;
  @ApiProperty({ description: 'What makes a repeat a no-op: `tag:<data_tag>`, or `hmac:<keyed hash of the content>` (HMAC-SHA256 under DATA_HASH_KEY: the content holds the phone).', example: 'tag:7a4569155dc60bcb36189490bf90dcfc' })
  dedupeKey!: string;
  @ApiProperty({ example: 'OA==|MTEx' })
  accountId!: string;
  @ApiProperty({ example: 'OA==|LTE=' })
  memberId!: string;
  @ApiProperty({ example: '' })
  deviceSn!: string;
  @ApiProperty({ type: String, nullable: true, example: '15312341234' })
  phone!: string | null;
  @ApiProperty({ enum: PushOutcome, example: PushOutcome.Applied, description: 'applied, stale (older than the last change), archived (measurement kept), ignored.' })
  outcome!: PushOutcome;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'create_time, read in Viatom\'s zone, as UTC.', example: '2022-12-29T08:33:40.000Z' })
  sourceCreatedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2022-12-29T08:33:40.000Z' })
  sourceUpdatedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', example: '2022-12-29T08:33:41.002Z' })
  receivedAt!: string;
  @ApiProperty({
    enum: PushTimeBasis,
    example: PushTimeBasis.Source,
    description:
      'What the push was ordered by against other changes: `source` (update_time, else create_time), `received-no-source-time` (it had no usable time), `received-source-time-ahead` (its time was further ahead than VIATOM_MAX_CLOCK_SKEW_SECONDS: not believed).',
  })
  orderedBy!: PushTimeBasis;
  @ApiProperty({
    type: Object,
    nullable: true,
    description:
      'The message as received, parsed (without `data` for an ignored measurement). Integers beyond 2^53 lose digits here: read `rawMessage`. ' +
      "Null once the payload was deleted after the person's withdrawal (RETENTION_AFTER_WITHDRAWAL): the log's other fields stay.",
  })
  message!: Record<string, unknown> | null;
  @ApiProperty({
    description:
      "The message's text exactly as received, after charset decoding (for an ignored measurement: its JSON without `data`); empty once the payload was deleted after the person's withdrawal.",
    example: '{"type":2,"data_tag":"7a4569155dc60bcb36189490bf90dcfc","data":{"phone":"15312341234"},"create_time":"2022-12-29 16:33:40"}',
  })
  rawMessage!: string;

  static from(p: PushLogEntry): PushDto {
    return {
      id: p.id,
      type: p.type,
      dataTag: p.dataTag,
      dedupeKey: p.dedupeKey,
      accountId: p.accountId,
      memberId: p.memberId,
      deviceSn: p.deviceSn,
      phone: p.phone,
      outcome: p.outcome,
      sourceCreatedAt: p.sourceCreatedAt?.toISOString() ?? null,
      sourceUpdatedAt: p.sourceUpdatedAt?.toISOString() ?? null,
      receivedAt: p.receivedAt.toISOString(),
      orderedBy: p.orderedBy,
      message: p.rawMessage === '' ? null : (JSON.parse(p.rawMessage) as Record<string, unknown>),
      rawMessage: p.rawMessage,
    };
  }
}

export class PushPageDto extends PageDto {
  @ApiProperty({ type: [PushDto] })
  items!: PushDto[];
}

@ApiTags('pushes')
@ApiSecurity('api-key')
@ApiProblems(401, 429)
@Controller('pushes')
export class PushesController {
  constructor(private readonly pushLog: PushLogService) {}

  @Get()
  @ApiOperation({ summary: 'The push log', description: 'Every push received, newest first, by cursor.' })
  @ApiOkResponse({ type: PushPageDto })
  @ApiProblems(400)
  @Audited((request, body: PushPageDto) => ({ phones: [(request.query as PushListQueryDto).phone, ...body.items.map((p) => p.phone)] }))
  async list(@Query() query: PushListQueryDto): Promise<PushPageDto> {
    const page = await this.pushLog.list(query);
    return { items: page.items.map(PushDto.from), nextCursor: page.nextCursor };
  }
}
