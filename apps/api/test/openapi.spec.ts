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
        '/api/v1/authorizations',
        '/api/v1/authorizations/auth-url',
        '/api/v1/authorizations/cancel',
        '/api/v1/authorizations/{phone}',
        '/api/v1/measurements',
        '/api/v1/pushes',
        '/api/v1/webhooks/viatom',
        '/health',
      ].sort(),
    );
    expect(document.components?.securitySchemes?.['api-key']).toEqual(expect.objectContaining({ type: 'apiKey', in: 'header', name: 'x-api-key' }));
    const cancel = document.paths['/api/v1/authorizations/cancel']?.post as OpenAPIV3.OperationObject;
    expect(cancel.security).toEqual([{ 'api-key': [] }]);
    expect(Object.keys(cancel.responses).sort()).toEqual(['200', '400', '401', '502', '503', '504']);
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
});
