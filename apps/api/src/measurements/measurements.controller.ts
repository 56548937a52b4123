import { BadRequestException, Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDate, IsInt, IsOptional, Max, Min } from 'class-validator';
import { Measurement, MeasurementService } from '@health-bridge/health-archive';
import { MAX_INT32 } from '@health-bridge/viatom-protocol';
import { IsPhone, PageDto, PageQueryDto, toInstant, toInteger } from '../common/dto';
import { problem, ProblemType } from '../common/problem';
import { ApiProblems } from '../common/problem.dto';

export class MeasurementListQueryDto extends PageQueryDto {
  @ApiProperty({ required: false, description: 'Measurements of the account this phone authorized, e.g. `15312341234`.' })
  @IsOptional()
  @IsPhone()
  phone?: string;

  @ApiProperty({ required: false, description: 'Only this kind: 1 temperature, 2 SpO2, 3 blood pressure, 4 glucose, 5 ECG, 6 heart rate, 7 sleep, 9 cholesterol, 10 weight, 15 fetal heart rate.' })
  @IsOptional()
  @Transform(toInteger)
  @IsInt({ message: 'dataType must be a whole number' })
  @Min(0, { message: 'dataType must not be negative' })
  @Max(MAX_INT32, { message: `dataType must be at most ${MAX_INT32}` })
  dataType?: number;

  @ApiProperty({ required: false, type: String, format: 'date-time', description: 'Measured at or after this instant: ISO 8601 with a zone, e.g. `2022-12-29T00:00:00Z` or `2022-12-29T08:00:00+08:00`.' })
  @IsOptional()
  @Transform(toInstant)
  @IsDate({ message: 'from must be an ISO 8601 date-time with a zone, e.g. 2022-12-29T00:00:00Z' })
  from?: Date;

  @ApiProperty({ required: false, type: String, format: 'date-time', description: 'Measured before this instant: ISO 8601 with a zone, e.g. `2022-12-30T00:00:00Z`.' })
  @IsOptional()
  @Transform(toInstant)
  @IsDate({ message: 'to must be an ISO 8601 date-time with a zone, e.g. 2022-12-30T00:00:00Z' })
  to?: Date;
}

export class MeasurementDto {
  @ApiProperty({ example: 7 })
  id!: number;
  @ApiProperty({ example: '9f1c0e7d2b6a4c38a1d5e0f4b7c2a913' })
  dataTag!: string;
  @ApiProperty({ example: 'OA==|MTEx' })
  accountId!: string;
  @ApiProperty({ example: 'OA==|LTE=' })
  memberId!: string;
  @ApiProperty({ example: 'O2-1234' })
  deviceSn!: string;
  @ApiProperty({ type: Number, nullable: true, example: 2 })
  dataType!: number | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2022-12-29T02:05:00.000Z' })
  measuredAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', example: '2022-12-29T02:06:01.000Z' })
  receivedAt!: string;
  @ApiProperty({
    type: Object,
    description: 'The measurement as Viatom sent it (`data` of the push).',
    example: { data_type: 2, measure_time: '2022-12-29 10:05:00', measure_result: { spo2: 98, pr: 72 }, remark: '' },
  })
  data!: Record<string, unknown>;

  static from(m: Measurement): MeasurementDto {
    return {
      id: m.id,
      dataTag: m.dataTag,
      accountId: m.accountId,
      memberId: m.memberId,
      deviceSn: m.deviceSn,
      dataType: m.dataType,
      measuredAt: m.measuredAt?.toISOString() ?? null,
      receivedAt: m.receivedAt.toISOString(),
      data: m.data,
    };
  }
}

export class MeasurementPageDto extends PageDto {
  @ApiProperty({ type: [MeasurementDto] })
  items!: MeasurementDto[];
}

@ApiTags('measurements')
@ApiSecurity('api-key')
@ApiProblems(401, 429)
@Controller('measurements')
export class MeasurementsController {
  constructor(private readonly measurements: MeasurementService) {}

  @Get()
  @ApiOperation({ summary: 'Archived measurements', description: 'Newest first, by cursor.' })
  @ApiOkResponse({ type: MeasurementPageDto })
  @ApiProblems(400)
  async list(@Query() query: MeasurementListQueryDto): Promise<MeasurementPageDto> {
    if (query.from && query.to && query.from >= query.to) {
      throw new BadRequestException(problem(400, 'from must be before to', { type: ProblemType.Validation, errors: [{ field: 'from', message: 'from must be before to' }] }));
    }
    const page = await this.measurements.list(query);
    return { items: page.items.map(MeasurementDto.from), nextCursor: page.nextCursor };
  }
}
