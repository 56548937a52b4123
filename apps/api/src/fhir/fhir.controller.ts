import { BadRequestException, Controller, Get, Inject, NotFoundException, Param, Query, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import {
  capabilityStatement,
  FHIR_ID,
  FhirSearchError,
  parseCodeFilter,
  parseDateParams,
  searchsetBundle,
  type FhirBundle,
  type FhirResource,
} from '@health-bridge/fhir';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { problem } from '../common/problem';
import { ApiFhirErrors, fhirBaseUrl, FhirRoute } from './fhir-route';
import { Audited, fhirSubjects } from '../common/access-audit';
import { FhirReader, type FhirPosition } from './fhir-reader';

const DEFAULT_COUNT = 50;
const MAX_COUNT = 200;
/** `$everything` pages are larger: a person's whole record in few round trips. */
const EVERYTHING_COUNT = 1000;
/** A page position: `<measurement id>.<resources of it already answered>`. */
const CURSOR = /^(\d{1,15})\.(\d{1,6})$/;

type FhirQuery = Record<string, string | string[] | undefined>;

/**
 * HL7 FHIR R4 (4.0.1), read-only, JSON: the archive's people, their readings as Observations
 * (LOINC and UCUM), their files and devices. The API key is required as everywhere; every error
 * answers an OperationOutcome (see fhir-route.ts). Search parameters this server does not know
 * are ignored, as FHIR's default (lenient) handling asks; the ones it knows are checked.
 */
@ApiTags('fhir')
@ApiSecurity('api-key')
@ApiProduces('application/fhir+json')
@ApiFhirErrors(401, 429)
@Controller('fhir')
export class FhirController {
  constructor(
    private readonly reader: FhirReader,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('metadata')
  @FhirRoute()
  @ApiOperation({ summary: 'CapabilityStatement', description: 'What this FHIR server supports: resources, interactions, search parameters, `$everything`.' })
  @ApiOkResponse({ description: 'A CapabilityStatement.' })
  metadata(@Req() request: FastifyRequest): FhirResource {
    return capabilityStatement(this.baseUrl(request), new Date());
  }

  @Get('Patient/:id')
  @FhirRoute()
  @ApiOperation({ summary: 'A person', description: 'By the pseudonymous id (`fhirPatientId` of `GET /api/v1/authorizations/{phone}`). `telecom` only with FHIR_PATIENT_TELECOM=true.' })
  @ApiOkResponse({ description: 'A Patient.' })
  @ApiFhirErrors(404)
  @Audited((_, body) => ({ fhirPatientIds: fhirSubjects(body) }))
  async patient(@Param('id') id: string): Promise<FhirResource> {
    return found(FHIR_ID.test(id) ? await this.reader.patient(id) : null, 'Patient', id);
  }

  @Get('Patient/:id/$everything')
  @FhirRoute()
  @ApiOperation({
    summary: "A person's whole record",
    description: 'One searchset Bundle: the Patient, then every Observation, DocumentReference and Device of theirs, newest first, with `next` links (`_count` up to 1000).',
  })
  @ApiParam({ name: 'id', description: 'The pseudonymous patient id.' })
  @ApiQuery({ name: '_count', required: false, type: Number })
  @ApiOkResponse({ description: 'A searchset Bundle.' })
  @ApiFhirErrors(400, 404)
  @Audited((_, body) => ({ fhirPatientIds: fhirSubjects(body) }))
  async everything(@Param('id') id: string, @Query() query: FhirQuery, @Req() request: FastifyRequest): Promise<FhirBundle> {
    noModifiers(query);
    const count = countOf(query, EVERYTHING_COUNT, EVERYTHING_COUNT);
    const after = cursorOf(query);
    const page = FHIR_ID.test(id) ? await this.reader.everything(id, count, after) : null;
    if (!page) throw notFound('Patient', id);
    return this.bundle(request, `Patient/${id}/$everything`, page.entries, page.next);
  }

  @Get('Observation')
  @FhirRoute()
  @ApiOperation({
    summary: 'Search Observations',
    description:
      'Newest first. `patient` (id or `Patient/<id>`), `code` (token list: `85354-9`, `http://loinc.org|8867-4`, or this server\'s own codes), ' +
      '`date` (repeatable: `ge2024-01-01`, `lt2024-02-01T00:00:00+08:00`; prefixes eq ge gt le lt), `_count` (1 to 200, default 50). Follow `link[next]`.',
  })
  @ApiQuery({ name: 'patient', required: false })
  @ApiQuery({ name: 'code', required: false })
  @ApiQuery({ name: 'date', required: false, isArray: true })
  @ApiQuery({ name: '_count', required: false, type: Number })
  @ApiOkResponse({ description: 'A searchset Bundle of Observations.' })
  @ApiFhirErrors(400)
  @Audited((_, body) => ({ fhirPatientIds: fhirSubjects(body) }))
  async searchObservations(@Query() query: FhirQuery, @Req() request: FastifyRequest): Promise<FhirBundle> {
    noModifiers(query);
    const count = countOf(query, DEFAULT_COUNT, MAX_COUNT);
    const after = cursorOf(query);
    const patient = single(query, 'patient') ?? single(query, 'subject');
    const patientId = patient?.replace(/^Patient\//, '');
    if (patientId !== undefined && !FHIR_ID.test(patientId)) throw invalid(`patient must be a Patient id or Patient/<id> (got "${patient}")`);
    const code = single(query, 'code');
    const page = await this.reader.searchObservations({
      patientId,
      codes: code === undefined ? undefined : searchParam(() => parseCodeFilter(code)),
      dates: searchParam(() => parseDateParams(query['date'])),
      count,
      after,
    });
    return this.bundle(request, 'Observation', page.entries, page.next);
  }

  @Get('Observation/:id')
  @FhirRoute()
  @ApiOperation({ summary: 'An Observation' })
  @ApiOkResponse({ description: 'An Observation.' })
  @ApiFhirErrors(404)
  @Audited((_, body) => ({ fhirPatientIds: fhirSubjects(body) }))
  async observation(@Param('id') id: string): Promise<FhirResource> {
    return found(await this.reader.observation(id), 'Observation', id);
  }

  @Get('Device/:id')
  @FhirRoute()
  @ApiOperation({ summary: 'A device', description: 'By its id in Observations (the serial number in hex): serial number and manufacturer.' })
  @ApiOkResponse({ description: 'A Device.' })
  @ApiFhirErrors(404)
  async device(@Param('id') id: string): Promise<FhirResource> {
    return found(await this.reader.device(id), 'Device', id);
  }

  @Get('DocumentReference/:id')
  @FhirRoute()
  @ApiOperation({ summary: "A measurement's files", description: 'The ECG waveform and PDF report, or the SpO2 recording, as Viatom points at them.' })
  @ApiOkResponse({ description: 'A DocumentReference.' })
  @ApiFhirErrors(404)
  @Audited((_, body) => ({ fhirPatientIds: fhirSubjects(body) }))
  async documentReference(@Param('id') id: string): Promise<FhirResource> {
    return found(await this.reader.documentReference(id), 'DocumentReference', id);
  }

  private bundle(request: FastifyRequest, path: string, entries: Parameters<typeof searchsetBundle>[0], next: FhirPosition | null): FhirBundle {
    const baseUrl = this.baseUrl(request);
    const query = new URLSearchParams(request.url.split('?')[1] ?? '');
    const selfUrl = `${baseUrl}/${path}${query.size > 0 ? `?${query}` : ''}`;
    let nextUrl: string | undefined;
    if (next) {
      query.set('_cursor', `${next.measurementId}.${next.skip}`);
      nextUrl = `${baseUrl}/${path}?${query}`;
    }
    return searchsetBundle(entries, { selfUrl, nextUrl, baseUrl });
  }

  private baseUrl(request: FastifyRequest): string {
    return fhirBaseUrl(this.config, request);
  }
}

function found(resource: FhirResource | null, type: string, id: string): FhirResource {
  if (!resource) throw notFound(type, id);
  return resource;
}

function notFound(type: string, id: string): NotFoundException {
  // The id as given, cut short: it is the caller's own text, but need not be echoed whole.
  return new NotFoundException(problem(404, `${type}/${id.slice(0, 64)} is not known.`));
}

function invalid(message: string): BadRequestException {
  return new BadRequestException(problem(400, message));
}

function searchParam<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof FhirSearchError) throw invalid(error.message);
    throw error;
  }
}

/**
 * No search modifier is supported (`code:not`, `patient:missing`…): FHIR asks a server to refuse
 * one it does not support rather than answer as if it were not there (the opposite, for `:not`).
 */
function noModifiers(query: FhirQuery): void {
  const modified = Object.keys(query).find((name) => name.includes(':'));
  if (modified) throw invalid(`The search modifier of "${modified.slice(0, 64)}" is not supported`);
}

/** A parameter that may be given once. */
function single(query: FhirQuery, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw invalid(`${name} may be given once`);
  return value;
}

function countOf(query: FhirQuery, fallback: number, max: number): number {
  const value = single(query, '_count');
  if (value === undefined) return fallback;
  if (!/^\d{1,6}$/.test(value) || Number(value) < 1 || Number(value) > max) throw invalid(`_count must be a whole number from 1 to ${max} (got "${value}")`);
  return Number(value);
}

function cursorOf(query: FhirQuery): FhirPosition | null {
  const value = single(query, '_cursor');
  if (value === undefined) return null;
  const match = CURSOR.exec(value);
  if (!match) throw invalid('_cursor is not one this server gave: follow the Bundle\'s next link as it is');
  return { measurementId: Number(match[1]), skip: Number(match[2]) };
}
