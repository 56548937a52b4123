import { BadRequestException, Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDate, IsEnum, IsInt, IsNumber, IsOptional, Matches, Max, Min } from 'class-validator';
import { Measurement, MeasurementService } from '@health-bridge/health-archive';
import { MAX_INT32, MeasurementKind, readMeasurement } from '@health-bridge/viatom-protocol';
import { IsPhone, PageDto, PageQueryDto, toDecimal, toInstant, toInteger } from '../common/dto';

/** What an observation's name looks like (`systolic`, `sleep-deep-duration`). */
const OBSERVATION_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
import { problem, ProblemType } from '../common/problem';
import { ApiProblems } from '../common/problem.dto';
import { Audited } from '../common/access-audit';

export class MeasurementListQueryDto extends PageQueryDto {
  @ApiProperty({ required: false, description: 'Measurements of the account this phone authorized, in any written form: `+86 153-1234-1234` finds `15312341234`.' })
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

  @ApiProperty({ required: false, enum: MeasurementKind, description: 'Only this kind of measurement (the kind its `dataType` names).' })
  @IsOptional()
  @IsEnum(MeasurementKind, { message: `kind must be one of ${Object.values(MeasurementKind).join(', ')}` })
  kind?: MeasurementKind;

  @ApiProperty({
    required: false,
    description: 'Only measurements with this observation (e.g. `systolic`, `spo2`, `glucose`), within `min`/`max` when given.',
  })
  @IsOptional()
  @Matches(OBSERVATION_NAME, { message: 'observation must be an observation name: lower-case letters, digits and dashes, e.g. systolic' })
  observation?: string;

  @ApiProperty({ required: false, type: Number, description: "With `observation`: its value at least this (inclusive), in the observation's UCUM unit." })
  @IsOptional()
  @Transform(toDecimal)
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'min must be a number, e.g. 140 or 5.6' })
  min?: number;

  @ApiProperty({ required: false, type: Number, description: "With `observation`: its value at most this (inclusive), in the observation's UCUM unit." })
  @IsOptional()
  @Transform(toDecimal)
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'max must be a number, e.g. 90 or 7.8' })
  max?: number;

  @ApiProperty({ required: false, type: String, format: 'date-time', description: 'Measured at or after this instant (inclusive): ISO 8601 with a zone, e.g. `2022-12-29T00:00:00Z` or `2022-12-29T08:00:00+08:00`.' })
  @IsOptional()
  @Transform(toInstant)
  @IsDate({ message: 'from must be an ISO 8601 date-time with a zone, e.g. 2022-12-29T00:00:00Z' })
  from?: Date;

  @ApiProperty({ required: false, type: String, format: 'date-time', description: 'Measured before this instant (exclusive: a measurement at exactly `to` is not listed): ISO 8601 with a zone, e.g. `2022-12-30T00:00:00Z`; after `from`.' })
  @IsOptional()
  @Transform(toInstant)
  @IsDate({ message: 'to must be an ISO 8601 date-time with a zone, e.g. 2022-12-30T00:00:00Z' })
  to?: Date;
}

export class ObservationDto {
  @ApiProperty({ example: 'spo2' })
  name!: string;
  @ApiProperty({ example: 98 })
  value!: number;
  @ApiProperty({ description: 'UCUM: `mm[Hg]`, `%`, `/min`, `Cel`, `mmol/L`, `kg`, `kg/m2`, `s`, `1`.', example: '%' })
  unit!: string;
}

export class AttachmentDto {
  @ApiProperty({ enum: ['recording', 'report'], example: 'report' })
  role!: 'recording' | 'report';
  @ApiProperty({ example: 'https://viatom-oss.example.com/ecg/report.pdf' })
  url!: string;
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
    example: { data_type: 2, measure_time: '1672279500000', measure_result: { type: 1, spo2: { value: 98, unit: '%' }, pr: { value: 72, unit: 'bpm' } }, remark: '' },
  })
  data!: Record<string, unknown>;
  @ApiProperty({ enum: MeasurementKind, nullable: true, description: 'What was measured, from `dataType`; null for a type this service does not know.', example: 'spo2' })
  kind!: MeasurementKind | null;
  @ApiProperty({ type: String, nullable: true, description: "`measure_result.type` in words: `fasting`, `before-meal`, `after-meal`, `spot-check`, `continuous`, `adult`, `child`, `ear`, `object`.", example: 'spot-check' })
  context!: string | null;
  @ApiProperty({
    type: [ObservationDto],
    description: 'The quantities read from `data`, in UCUM units (converted where Viatom wrote another unit). Empty when the shape does not decode; a `null` value is not measured and gives none.',
  })
  observations!: ObservationDto[];
  @ApiProperty({ type: [AttachmentDto], description: 'Files Viatom points at: the recording or ECG waveform, the PDF report.' })
  attachments!: AttachmentDto[];
  @ApiProperty({ type: String, nullable: true, description: "The ECG's AI finding, as Viatom wrote it (`ai_diagnose.diagnose_info`).", example: null })
  finding!: string | null;

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
      ...readMeasurement(m),
    };
  }
}

export class MeasurementPageDto extends PageDto {
  @ApiProperty({ type: [MeasurementDto] })
  items!: MeasurementDto[];
}

function invalid(field: string, message: string): BadRequestException {
  return new BadRequestException(problem(400, message, { type: ProblemType.Validation, errors: [{ field, message }] }));
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
  // Whom each measurement is about: its account's owners, and the phone its data names (a
  // measurement of an account with no authorization here may carry one, and shows it).
  @Audited((request, body: MeasurementPageDto) => ({
    phones: [(request.query as MeasurementListQueryDto).phone, ...body.items.map((m) => m.data?.['phone'])],
    accountIds: body.items.map((m) => m.accountId),
  }))
  async list(@Query() query: MeasurementListQueryDto): Promise<MeasurementPageDto> {
    if (query.from && query.to && query.from >= query.to) throw invalid('from', 'from must be before to');
    for (const bound of ['min', 'max'] as const) {
      if (query[bound] !== undefined && query.observation === undefined) throw invalid(bound, `${bound} needs observation: the observation whose value it bounds`);
    }
    if (query.min !== undefined && query.max !== undefined && query.min > query.max) throw invalid('min', 'min must not be above max');
    const { observation, min, max, ...rest } = query;
    const page = await this.measurements.list({ ...rest, observation: observation === undefined ? undefined : { name: observation, min, max } });
    return { items: page.items.map(MeasurementDto.from), nextCursor: page.nextCursor };
  }
}
