import { applyDecorators, Header } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import type { AppConfig } from '../config/app-config';

/** FHIR's JSON media type: every answer under `/fhir`, errors included. */
export const FHIR_CONTENT_TYPE = 'application/fhir+json; charset=utf-8';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set by `@FhirRoute()`: errors on the route answer as a FHIR OperationOutcome. */
    fhir?: boolean;
  }
}

/**
 * Marks a route of the FHIR API: it answers `application/fhir+json`, and its errors (the API
 * key's 401, a bad search parameter's 400, a 404, the rate limit) answer an OperationOutcome
 * instead of problem+json. Known by this mark on the route, never by its path (as the push receiver is).
 */
export const FhirRoute = (): MethodDecorator => applyDecorators(RouteConfig({ fhir: true }), Header('content-type', FHIR_CONTENT_TYPE));

/** The FHIR base as the client reached it: FHIR_BASE_URL, or this request's scheme and host (X-Forwarded-* with TRUST_PROXY). */
export function fhirBaseUrl(config: Pick<AppConfig, 'fhir'>, request: FastifyRequest): string {
  return config.fhir.baseUrl ?? `${request.protocol}://${request.host}/fhir`;
}

export function isFhirRoute(request: FastifyRequest): boolean {
  return request.routeOptions?.config?.fhir === true;
}

const ERRORS: Record<number, { description: string; code: string; diagnostics: string }> = {
  400: { description: 'A search parameter this server cannot read (issue code `invalid`).', code: 'invalid', diagnostics: '_count must be a whole number from 1 to 200 (got "0")' },
  401: { description: 'No or a wrong X-API-Key (`security`).', code: 'security', diagnostics: 'The X-API-Key header is missing.' },
  404: { description: 'No such resource (`not-found`).', code: 'not-found', diagnostics: 'Patient/0123456789abcdef0123456789abcdef is not known.' },
  429: { description: 'Too many requests (`throttled`).', code: 'throttled', diagnostics: 'Too many requests: at most 600 per 60 s. Try again in 42 s.' },
};

/** The error answers of a FHIR route, for the OpenAPI document: OperationOutcomes, not problem+json. */
export function ApiFhirErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: ERRORS[status]?.description ?? 'Error.',
        content: {
          'application/fhir+json': {
            schema: { type: 'object', description: 'An OperationOutcome of one issue: severity, code, diagnostics.' },
            example: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: ERRORS[status]?.code ?? 'exception', diagnostics: ERRORS[status]?.diagnostics ?? 'Error.' }] },
          },
        },
      }),
    ),
  );
}
