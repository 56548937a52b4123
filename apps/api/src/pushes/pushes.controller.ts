import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Min } from 'class-validator';
import { PushLogEntry, PushLogService, PushOutcome } from '@health-bridge/health-archive';
import { IsPhone, PageDto, PageQueryDto, toInteger } from '../common/dto';
import { ApiProblems } from '../common/problem.dto';

export class PushListQueryDto extends PageQueryDto {
  @ApiProperty({ required: false, description: 'Push type: 1 measurement, 2 authorized, 3 cancelled.', example: 2 })
  @IsOptional()
  @Transform(toInteger)
  @IsInt({ message: 'type must be a whole number' })
  @Min(0, { message: 'type must not be negative' })
  type?: number;

  @ApiProperty({ required: false, description: 'Only pushes about this phone.', example: '15312341234' })
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
  @ApiProperty({ enum: [1, 2, 3], example: 2, description: '1 measurement, 2 authorized, 3 cancelled (others are logged as ignored).' })
  type!: number;
  @ApiProperty({ description: "Viatom's data_tag ('' when Viatom sent none).", example: '7a4569155dc60bcb36189490bf90dcfc' })
  dataTag!: string;
  @ApiProperty({ description: 'What makes a repeat a no-op: `tag:<data_tag>`, or `sha256:<content hash>`.', example: 'tag:7a4569155dc60bcb36189490bf90dcfc' })
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
  @ApiProperty({ type: Object, description: 'The message as received (without `data` for an ignored measurement).' })
  message!: Record<string, unknown>;

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
      message: JSON.parse(p.rawMessage) as Record<string, unknown>,
    };
  }
}

export class PushPageDto extends PageDto {
  @ApiProperty({ type: [PushDto] })
  items!: PushDto[];
}

@ApiTags('pushes')
@ApiSecurity('api-key')
@ApiProblems(401)
@Controller('pushes')
export class PushesController {
  constructor(private readonly pushLog: PushLogService) {}

  @Get()
  @ApiOperation({ summary: 'The push log', description: 'Every push received, newest first, by cursor.' })
  @ApiOkResponse({ type: PushPageDto })
  @ApiProblems(400)
  async list(@Query() query: PushListQueryDto): Promise<PushPageDto> {
    const page = await this.pushLog.list(query);
    return { items: page.items.map(PushDto.from), nextCursor: page.nextCursor };
  }
}
