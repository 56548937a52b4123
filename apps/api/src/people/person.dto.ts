import { ApiProperty } from '@nestjs/swagger';
import { ConsentAction, ConsentOutcome, type ConsentRecord, type PersonErased, type PersonRecord } from '@health-bridge/health-archive';
import { PageDto } from '../common/dto';
import { AuthorizationDto } from '../authorizations/authorization.dto';
import { MeasurementDto } from '../measurements/measurements.controller';
import { PushDto } from '../pushes/pushes.controller';

export class ConsentRecordDto {
  @ApiProperty({ enum: ConsentAction, description: '`granted` (the user consented) or `withdrawn` (the user or the integrator ended it).', example: ConsentAction.Granted })
  action!: ConsentAction;

  @ApiProperty({ enum: ['user', 'integrator'], description: '`user`: their push from Viatom; `integrator`: this API\'s cancel (or erasure).', example: 'user' })
  by!: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    description: "The change's source time (UTC): the push's update_time, else its create_time; the cancel's time.",
    example: '2022-12-29T08:33:40.000Z',
  })
  sourceTime!: string;

  @ApiProperty({ type: String, format: 'date-time', description: 'When this service received it (UTC).', example: '2022-12-29T08:33:41.120Z' })
  receivedAt!: string;

  @ApiProperty({
    enum: ConsentOutcome,
    description: '`applied`: it changed (or confirmed) the authorization; `stale`: it was older than the last change applied, and changed nothing.',
    example: ConsentOutcome.Applied,
  })
  outcome!: ConsentOutcome;

  @ApiProperty({ type: Number, nullable: true, description: 'The push that carried it (`GET /api/v1/pushes?phone=` shows it); null for a call.', example: 41 })
  pushId!: number | null;

  @ApiProperty({ type: String, nullable: true, description: 'The request id (`X-Request-Id`) of the API call that carried it; null for a push.', example: null })
  requestId!: string | null;

  static from(c: ConsentRecord): ConsentRecordDto {
    return {
      action: c.action,
      by: c.actor,
      sourceTime: c.sourceAt.toISOString(),
      receivedAt: c.receivedAt.toISOString(),
      outcome: c.outcome,
      pushId: c.pushId,
      requestId: c.requestId,
    };
  }
}

export class ConsentPageDto extends PageDto {
  @ApiProperty({ type: [ConsentRecordDto] })
  items!: ConsentRecordDto[];
}

export class PersonExportDto {
  @ApiProperty({ type: String, format: 'date-time', description: 'When this copy was made (UTC).', example: '2026-12-02T08:00:00.000Z' })
  exportedAt!: string;

  @ApiProperty({ example: '15312341234' })
  phone!: string;

  @ApiProperty({ type: AuthorizationDto, description: 'Their authorization as it stands.' })
  authorization!: AuthorizationDto;

  @ApiProperty({ type: [ConsentRecordDto], description: 'The consent ledger, oldest first.' })
  consents!: ConsentRecordDto[];

  @ApiProperty({ type: [MeasurementDto], description: 'Every measurement of their account, with its observations, oldest first.' })
  measurements!: MeasurementDto[];

  @ApiProperty({
    type: [PushDto],
    description: 'Every push that named them or carried one of their measurements, oldest first, with its raw message as received (empty once past the payload retention or deleted).',
  })
  pushes!: PushDto[];

  static from(record: PersonRecord, now: Date): PersonExportDto {
    return {
      exportedAt: now.toISOString(),
      phone: record.authorization.phone,
      authorization: AuthorizationDto.from(record.authorization),
      consents: record.consents.map(ConsentRecordDto.from),
      measurements: record.measurements.map(MeasurementDto.from),
      pushes: record.pushes.map(PushDto.from),
    };
  }
}

export class PersonErasedDto {
  @ApiProperty({ example: '15312341234' })
  phone!: string;

  @ApiProperty({ description: 'True when the authorization was still granted and Viatom cancelled it for this erasure.', example: true })
  cancelledAtViatom!: boolean;

  @ApiProperty({ description: 'False when nothing was left to delete: the data had already been deleted after an earlier withdrawal.', example: true })
  deleted!: boolean;

  @ApiProperty({ description: 'Measurements deleted.', example: 10 })
  measurementsDeleted!: number;

  @ApiProperty({ description: 'Raw push payloads emptied (the push log keeps its facts: type, times, outcome).', example: 12 })
  payloadsDeleted!: number;

  @ApiProperty({ description: "True when the account's measurements stayed because another person sharing the Viatom account still consents.", example: false })
  measurementsKeptForSharedAccount!: boolean;

  static from(erased: PersonErased): PersonErasedDto {
    return {
      phone: erased.phone,
      cancelledAtViatom: erased.cancelledAtViatom,
      deleted: erased.deleted !== null,
      measurementsDeleted: erased.deleted?.measurementsDeleted ?? 0,
      payloadsDeleted: erased.deleted?.payloadsDeleted ?? 0,
      measurementsKeptForSharedAccount: erased.deleted?.measurementsKeptForSharedAccount ?? false,
    };
  }
}
