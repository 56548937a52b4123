import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDate, IsOptional } from 'class-validator';
import { AccessAuditService, type AccessRecord } from '@health-bridge/health-archive';
import { IsPhone, PageDto, PageQueryDto, toInstant } from '../common/dto';
import { ApiProblems } from '../common/problem.dto';

export class AccessListQueryDto extends PageQueryDto {
  @ApiProperty({ required: false, description: "Only the reads of this person's data, e.g. `15312341234` (any written form of the phone)." })
  @IsOptional()
  @IsPhone()
  phone?: string;

  @ApiProperty({ required: false, type: String, format: 'date-time', description: 'At or after this instant: ISO 8601 with a zone.' })
  @IsOptional()
  @Transform(toInstant)
  @IsDate({ message: 'from must be an ISO 8601 date-time with a zone, e.g. 2026-12-01T00:00:00Z' })
  from?: Date;

  @ApiProperty({ required: false, type: String, format: 'date-time', description: 'Before this instant: ISO 8601 with a zone.' })
  @IsOptional()
  @Transform(toInstant)
  @IsDate({ message: 'to must be an ISO 8601 date-time with a zone, e.g. 2026-12-02T00:00:00Z' })
  to?: Date;
}

export class AccessRecordDto {
  @ApiProperty({ example: 812 })
  id!: number;

  @ApiProperty({ type: String, format: 'date-time', description: 'When the answer was given (UTC).', example: '2026-12-02T08:00:00.000Z' })
  at!: string;

  @ApiProperty({ description: 'The API key that asked, by its name in API_KEYS (`name:key`), or `key-` and a fingerprint for an unnamed one. Never the key.', example: 'crm' })
  apiKey!: string;

  @ApiProperty({ example: 'GET' })
  method!: string;

  @ApiProperty({ description: "The route's pattern, without its values.", example: '/api/v1/people/:phone/export' })
  route!: string;

  @ApiProperty({ description: "The person whose data the answer revealed: their phone's keyed hash (HMAC-SHA256 under DATA_HASH_KEY).", example: '4a32…b9c4' })
  personHash!: string;

  @ApiProperty({ type: String, nullable: true, description: 'The request id (`X-Request-Id`) of the answer, as in the logs.', example: 'b7e1c0de-…' })
  requestId!: string | null;

  @ApiProperty({ description: 'The HTTP status answered.', example: 200 })
  status!: number;

  static from(r: AccessRecord): AccessRecordDto {
    return { id: r.id, at: r.at.toISOString(), apiKey: r.apiKey, method: r.method, route: r.route, personHash: r.phoneHash, requestId: r.requestId, status: r.status };
  }
}

export class AccessPageDto extends PageDto {
  @ApiProperty({ type: [AccessRecordDto] })
  items!: AccessRecordDto[];
}

@ApiTags('audit')
@ApiSecurity('api-key')
@ApiProblems(401, 429)
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AccessAuditService) {}

  @Get()
  @ApiOperation({
    summary: "Who read whose data",
    description:
      'The access audit: one row for each person whose data an answer revealed (an authorization, lists filtered by phone or showing people, measurements, events, consents, exports, erasures, FHIR reads): when, which API key, what route, whom (as a keyed hash), the request id. Newest first, by cursor. Kept for AUDIT_RETENTION.',
  })
  @ApiOkResponse({ type: AccessPageDto })
  @ApiProblems(400)
  async list(@Query() query: AccessListQueryDto): Promise<AccessPageDto> {
    const page = await this.audit.list(query);
    return { items: page.items.map(AccessRecordDto.from), nextCursor: page.nextCursor };
  }
}
