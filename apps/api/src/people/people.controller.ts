import { Controller, Delete, Get, Inject, NotFoundException, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthorizationService, PersonDataService } from '@health-bridge/health-archive';
import { collectionBundle, type FhirBundle } from '@health-bridge/fhir';
import { PageQueryDto } from '../common/dto';
import { ParsePhonePipe } from '../common/phone.pipe';
import { problem } from '../common/problem';
import { ApiProblems } from '../common/problem.dto';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { fhirBaseUrl, FHIR_CONTENT_TYPE } from '../fhir/fhir-route';
import { FhirReader } from '../fhir/fhir-reader';
import { ConsentPageDto, ConsentRecordDto, PersonErasedDto, PersonExportDto } from './person.dto';
import { Audited, type AuditSubjects } from '../common/access-audit';

const EXPORT_FORMATS = ['json', 'fhir'] as const;

export class PersonExportQueryDto {
  @ApiProperty({
    required: false,
    enum: EXPORT_FORMATS,
    default: 'json',
    description: '`json`: this API\'s own document (everything held); `fhir`: an HL7 FHIR R4 `collection` Bundle of the Patient and their Observations, DocumentReferences and Devices.',
  })
  @IsOptional()
  @IsIn(EXPORT_FORMATS, { message: `format must be one of ${EXPORT_FORMATS.join(', ')}` })
  format?: (typeof EXPORT_FORMATS)[number];
}

const PHONE_PARAM = ApiParam({ name: 'phone', example: '15312341234', description: 'The phone, in any written form: full-width digits are read as digits, spaces, dashes, dots, slashes and brackets are dropped, and so is +86, 0086 or 86 before a Chinese mobile number; what is left must be 6 to 20 digits with an optional leading +. So `+86 153-1234-1234` and `008615312341234` are `15312341234`.' });

/** A person's rights over what is held about them (PIPL art. 44–47): their consents, a copy of their data, its erasure. */
@ApiTags('people')
@ApiSecurity('api-key')
@ApiProblems(401, 429)
@Controller('people')
export class PeopleController {
  constructor(
    private readonly authorizations: AuthorizationService,
    private readonly people: PersonDataService,
    private readonly fhir: FhirReader,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get(':phone/consents')
  @ApiOperation({
    summary: "A person's consent ledger",
    description:
      'Every grant and withdrawal this service was told of, applied or stale: source time, received time, by whom (`user` or `integrator`), and the push or API call that carried it. ' +
      'Kept when their data is deleted. Newest first, by cursor.',
  })
  @PHONE_PARAM
  @ApiOkResponse({ type: ConsentPageDto })
  @ApiProblems(400, 404)
  @Audited(personOfPath)
  async consents(@Param('phone', ParsePhonePipe) phone: string, @Query() query: PageQueryDto): Promise<ConsentPageDto> {
    if (!(await this.authorizations.findByPhone(phone))) throw unknownPerson();
    const page = await this.authorizations.consents(phone, query);
    return { items: page.items.map(ConsentRecordDto.from), nextCursor: page.nextCursor };
  }

  @Get(':phone/export')
  @ApiOperation({
    summary: 'Everything held about a person (their copy)',
    description:
      'One document: the authorization, the consent ledger, every measurement of their account with its observations, and every push that named them, with its raw message. ' +
      '`format=fhir` answers the same readings as a FHIR R4 `collection` Bundle (`application/fhir+json`).',
  })
  @PHONE_PARAM
  @ApiOkResponse({ type: PersonExportDto, description: 'The JSON document (`format=json`), or a FHIR Bundle (`format=fhir`).' })
  @ApiProblems(400, 404)
  @Audited(personOfPath)
  async export(
    @Param('phone', ParsePhonePipe) phone: string,
    @Query() query: PersonExportQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PersonExportDto | FhirBundle> {
    const now = new Date();
    if (query.format === 'fhir') {
      const authorization = await this.authorizations.findByPhone(phone);
      const resources = authorization ? await this.fhir.everyResource(authorization.fhirPatientId) : null;
      if (!resources) throw unknownPerson();
      reply.header('content-type', FHIR_CONTENT_TYPE);
      return collectionBundle(resources, { baseUrl: fhirBaseUrl(this.config, request), timestamp: now });
    }
    const record = await this.people.export(phone);
    if (!record) throw unknownPerson();
    return PersonExportDto.from(record, now);
  }

  @Delete(':phone')
  @ApiOperation({
    summary: "Erase a person's data on request",
    description:
      'Cancels their authorization at Viatom first when it is still granted: a refusal or an unreachable Viatom changes nothing and says so (502, 503, 504). ' +
      'Then deletes at once, without the grace period, what the deletion on withdrawal deletes: their measurements and the raw payloads of their pushes. ' +
      'The consent ledger and the push log\'s facts stay, as proof of what happened; a `person.data-deleted` event goes out. Answers what was deleted.',
  })
  @PHONE_PARAM
  @ApiOkResponse({ type: PersonErasedDto })
  @ApiProblems(400, 404, 409, 502, 503, 504)
  @Audited(personOfPath)
  async erase(@Param('phone', ParsePhonePipe) phone: string, @Req() request: FastifyRequest): Promise<PersonErasedDto> {
    const erased = await this.people.erase(phone, { requestId: request.id });
    if (!erased) throw unknownPerson();
    return PersonErasedDto.from(erased);
  }
}

/** The person of the path (the route answered: it was known). */
function personOfPath(request: FastifyRequest): AuditSubjects {
  return { phones: [(request.params as { phone: string }).phone] };
}

function unknownPerson(): NotFoundException {
  return new NotFoundException(problem(404, 'No authorization has been seen for this phone.'));
}
