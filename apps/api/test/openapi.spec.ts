import SwaggerParser from '@apidevtools/swagger-parser';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OpenAPIV3 } from 'openapi-types';
import { AppModule } from '../src/app.module';
import { loadConfig } from '../src/config/app-config';
import { configureApp, fastifyOptions, NEST_APP_OPTIONS } from '../src/configure-app';
import { createOpenApiDocument } from '../src/swagger';

/** The committed OpenAPI document: what enterprise teams generate clients from. */
const COMMITTED = join(__dirname, '..', 'openapi.json');

const FHIR_ISSUE_STATUS: Record<string, number> = { invalid: 400, security: 401, 'not-found': 404, throttled: 429 };

describe('the OpenAPI document', () => {
  let document: OpenAPIV3.Document;

  beforeAll(async () => {
    const config = loadConfig({
      DATABASE_URL: 'sqlite::memory:',
      VIATOM_BASE_URL: 'https://open.viatomtech.com.cn',
      VIATOM_SECRET: 'unused',
      VIATOM_ACCESS_TOKEN: 'unused',
      API_KEYS: 'openapi-export-key-unused',
      LOG_LEVEL: 'silent',
      SWAGGER_ENABLED: 'false',
    });
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] }).compile();
    const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(fastifyOptions(config)), {
      ...NEST_APP_OPTIONS,
      logger: false,
    });
    configureApp(app, config);
    await app.init();
    document = JSON.parse(JSON.stringify(createOpenApiDocument(app)));
    await app.close();
    if (process.env.UPDATE_OPENAPI === '1') writeFileSync(COMMITTED, `${JSON.stringify(document, null, 2)}\n`);
  });

  it('matches the committed apps/api/openapi.json (run `npm run openapi:export` after changing the API)', () => {
    expect(document).toEqual(JSON.parse(readFileSync(COMMITTED, 'utf8')));
  });

  it('is a valid OpenAPI 3 document', async () => {
    await expect(SwaggerParser.validate(JSON.parse(JSON.stringify(document)))).resolves.toBeTruthy();
  });

  it('describes every route, the API-key scheme and the problem answers', () => {
    expect(Object.keys(document.paths).sort()).toEqual(
      [
        '/api/v1/audit',
        '/api/v1/authorizations',
        '/api/v1/authorizations/auth-url',
        '/api/v1/authorizations/cancel',
        '/api/v1/authorizations/{phone}',
        '/api/v1/events',
        '/api/v1/measurements',
        '/api/v1/overview',
        '/api/v1/people/{phone}',
        '/api/v1/people/{phone}/consents',
        '/api/v1/people/{phone}/export',
        '/api/v1/pushes',
        '/api/v1/webhook-endpoints',
        '/api/v1/webhook-endpoints/{id}',
        '/api/v1/webhook-endpoints/{id}/deliveries',
        '/api/v1/webhook-endpoints/{id}/deliveries/{eventId}/retry',
        '/api/v1/webhook-endpoints/{id}/recover',
        '/api/v1/webhook-endpoints/{id}/secret',
        '/api/v1/webhook-endpoints/{id}/secret/rotate',
        '/api/v1/webhooks/viatom',
        '/fhir/Device/{id}',
        '/fhir/DocumentReference/{id}',
        '/fhir/Observation',
        '/fhir/Observation/{id}',
        '/fhir/Patient/{id}',
        '/fhir/Patient/{id}/$everything',
        '/fhir/metadata',
        '/health',
        '/health/live',
        '/health/ready',
      ].sort(),
    );
    expect(document.components?.securitySchemes?.['api-key']).toEqual(expect.objectContaining({ type: 'apiKey', in: 'header', name: 'x-api-key' }));
    const cancel = document.paths['/api/v1/authorizations/cancel']?.post as OpenAPIV3.OperationObject;
    expect(cancel.security).toEqual([{ 'api-key': [] }]);
    expect(Object.keys(cancel.responses).sort()).toEqual(['200', '400', '401', '429', '502', '503', '504']);
    const receiver = document.paths['/api/v1/webhooks/viatom']?.post as OpenAPIV3.OperationObject;
    expect(receiver.security).toBeUndefined();
    expect(document.components?.schemas?.['ProblemDto']).toBeDefined();
  });

  it('gives every DTO property a description or an example', () => {
    const missing: string[] = [];
    for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) {
      for (const [property, value] of Object.entries((schema as OpenAPIV3.SchemaObject).properties ?? {})) {
        const v = value as OpenAPIV3.SchemaObject;
        if (v.description === undefined && v.example === undefined && !('items' in v)) missing.push(`${name}.${property}`);
      }
    }
    expect(missing).toEqual([]);
  });

  // A `string | null` property without `type: String` is reflected as `object`: generated clients (the
  // console's) then type it as an object. A property with string constraints must be a string.
  it('types every property that has string constraints as a string', () => {
    const wrong: string[] = [];
    for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) {
      for (const [property, value] of Object.entries((schema as OpenAPIV3.SchemaObject).properties ?? {})) {
        const v = value as OpenAPIV3.SchemaObject;
        const constrained = v.maxLength !== undefined || v.minLength !== undefined || v.pattern !== undefined || v.format !== undefined;
        if (constrained && v.type !== 'string') wrong.push(`${name}.${property}: ${v.type}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  const operations = () =>
    Object.entries(document.paths).flatMap(([path, item]) =>
      (['get', 'post'] as const).flatMap((method) => (item?.[method] ? [{ route: `${method.toUpperCase()} ${path}`, operation: item[method] as OpenAPIV3.OperationObject }] : [])),
    );

  it('prefills nothing in "Try it out" on a list: no query parameter has an example, only limit a default', () => {
    const lists = operations().filter(({ route }) => route.startsWith('GET ') && !route.includes('{'));
    expect(lists.map(({ route }) => route)).toEqual(expect.arrayContaining(['GET /api/v1/measurements', 'GET /api/v1/pushes', 'GET /api/v1/authorizations']));
    const prefilled = lists.flatMap(({ route, operation }) =>
      ((operation.parameters ?? []) as OpenAPIV3.ParameterObject[])
        .filter((parameter) => parameter.in === 'query')
        .filter((parameter) => {
          const schema = (parameter.schema ?? {}) as OpenAPIV3.SchemaObject;
          return parameter.example !== undefined || parameter.examples !== undefined || schema.example !== undefined || (schema.default !== undefined && parameter.name !== 'limit');
        })
        .map((parameter) => `${route} ?${parameter.name}`),
    );
    expect(prefilled).toEqual([]);
    // What an example was for is said in the description instead.
    const measurements = document.paths['/api/v1/measurements']?.get?.parameters as OpenAPIV3.ParameterObject[];
    expect(measurements.find((parameter) => parameter.name === 'from')?.description).toContain('2022-12-29T00:00:00Z');
  });

  it('gives each error status its own examples, each saying that status', () => {
    const byStatus = new Map<string, Set<string>>();
    const missing: string[] = [];
    const wrongStatus: string[] = [];
    for (const { route, operation } of operations()) {
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!/^[45]/.test(status)) continue;
        for (const [type, media] of Object.entries((response as OpenAPIV3.ResponseObject).content ?? {})) {
          const values = media.examples ? Object.values(media.examples).map((e) => (e as OpenAPIV3.ExampleObject).value) : media.example !== undefined ? [media.example] : [];
          if (values.length === 0) missing.push(`${route} ${status} ${type}`);
          for (const value of values) {
            // A problem says its status; Viatom's envelope its code (20015 for a bad push). A
            // health answer is neither: it says what is down, in its own words.
            // A FHIR OperationOutcome says its status by its issue code.
            const fhir = value.resourceType === 'OperationOutcome' ? FHIR_ISSUE_STATUS[value.issue?.[0]?.code] : undefined;
            const said = fhir ?? value.status ?? (value.code === 20015 ? 400 : value.code);
            if (!route.includes(' /health') && String(said) !== status) wrongStatus.push(`${route} ${status}: ${JSON.stringify(value)}`);
            byStatus.set(status, (byStatus.get(status) ?? new Set()).add(JSON.stringify(value)));
          }
        }
      }
    }
    expect(missing).toEqual([]);
    expect(wrongStatus).toEqual([]);
    const statuses = [...byStatus.keys()];
    const shared = statuses.flatMap((a) => statuses.filter((b) => a < b && [...byStatus.get(a)!].some((value) => byStatus.get(b)!.has(value))).map((b) => `${a} and ${b}`));
    expect(shared).toEqual([]);
    expect(statuses.sort()).toEqual(expect.arrayContaining(['400', '401', '404', '429', '502', '503', '504']));
  });

  it('marks the auth-url body optional (it may be absent), and the cancel body required', () => {
    expect(document.paths['/api/v1/authorizations/auth-url']?.post?.requestBody).toMatchObject({ required: false });
    expect(document.paths['/api/v1/authorizations/cancel']?.post?.requestBody).toMatchObject({ required: true });
  });
});
