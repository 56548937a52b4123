import { applyDecorators, Header } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';

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

export function isFhirRoute(request: FastifyRequest): boolean {
  return request.routeOptions?.config?.fhir === true;
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'A search parameter this server cannot read (issue code `invalid`).',
  401: 'No or a wrong X-API-Key (`security`).',
  404: 'No such resource (`not-found`).',
  429: 'Too many requests (`throttled`).',
};

/** The error answers of a FHIR route, for the OpenAPI document: OperationOutcomes, not problem+json. */
export function ApiFhirErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: ERROR_DESCRIPTIONS[status] ?? 'Error.',
        content: { 'application/fhir+json': { schema: { type: 'object', description: 'An OperationOutcome of one issue: severity, code, diagnostics.' } } },
      }),
    ),
  );
}
