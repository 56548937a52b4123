import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { API_KEY_HEADER } from './common/api-key.guard';
import { ProblemDto } from './common/problem.dto';

export const SWAGGER_PATH = 'docs';

/** The OpenAPI document: every route, DTO, example and error, and the API-key scheme. */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('health-bridge')
    .setDescription(
      [
        "Connects your systems to Viatom's (Lepu Medical) health-archive open platform.",
        '',
        '1. `POST /api/v1/authorizations/auth-url` gives the URL of Viatom\'s consent page: show it to your user.',
        '2. When the user consents, Viatom pushes to `POST /api/v1/webhooks/viatom` and the user becomes `authorized` (`GET /api/v1/authorizations/{phone}`); measurements arrive the same way (`GET /api/v1/measurements`).',
        '3. `POST /api/v1/authorizations/cancel` cancels a user\'s authorization.',
        '',
        'What arrives is handed on: every fact is an event, in the feed (`GET /api/v1/events`, oldest first, by cursor), POSTed to your webhook endpoints signed per Standard Webhooks (`/api/v1/webhook-endpoints`, with their delivery logs), and published to RabbitMQ when the service is given one. ' +
          'Readings are also HL7 FHIR R4 under `/fhir` (outside `/api/v1`). A person\'s consents, export and erasure are under `/api/v1/people/{phone}`.',
        '',
        'Every route needs your key in the `X-API-Key` header (the Authorize button), FHIR included, except: the push receiver (it has its own checks); the health probes `/health`, `/health/live` and `/health/ready`; this documentation, `/docs` and `/docs-json`; ' +
          "the operator console's static files under `/console/`; and `/metrics` (locked by its own bearer token when METRICS_TOKEN is set). " +
          'Errors are `application/problem+json` (RFC 9457; FHIR answers an OperationOutcome). Times are ISO 8601 UTC. A phone may be written in any form a person writes one (`+86 153-1234-1234`, full-width digits…).',
      ].join('\n'),
    )
    .setVersion('1.0')
    .addApiKey({ type: 'apiKey', in: 'header', name: API_KEY_HEADER, description: 'An integrator API key (one of API_KEYS).' }, 'api-key')
    .build();
  return SwaggerModule.createDocument(app, config, { extraModels: [ProblemDto], operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}` });
}

export function setupSwagger(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup(SWAGGER_PATH, app, document, {
    jsonDocumentUrl: `${SWAGGER_PATH}-json`,
    customSiteTitle: 'health-bridge API',
    swaggerOptions: { persistAuthorization: true },
  });
}
