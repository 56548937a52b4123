import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger as PinoLogger } from 'pino';
import { operationOutcome, type IssueType } from '@health-bridge/fhir';
import { FHIR_CONTENT_TYPE, isFhirRoute } from '../fhir/fhir-route';
import { isPushReceiverRoute } from '../webhooks/push-receiver';
import { toProblem } from './error-mapping';
import { logRequestCutOff, ROOT_LOGGER } from './logging';
import { Problem, PROBLEM_CONTENT_TYPE } from './problem';

/** Viatom's envelope for an error answer to a push: `code` ≠ 0 and a message saying what is wrong. */
export function pushErrorEnvelope(status: number, message: string) {
  // Viatom's "parameter error" where it fits; otherwise the HTTP status.
  return { code: status === 400 ? 20015 : status, message, reason: '', data: null };
}

/** Set on a socket when node's HTTP layer answered it (408 at REQUEST_TIMEOUT_MS…): the status. */
export const TRANSPORT_ANSWER = Symbol('transport answer');

/**
 * The one exception filter: every error answers as application/problem+json, except on a route
 * marked `@PushReceiver()`, which answers in Viatom's envelope, and on a route marked `@FhirRoute()`,
 * which answers a FHIR OperationOutcome. Errors Fastify raises before
 * Nest's pipeline (bad JSON, body too large, wrong content type or charset) come here too,
 * through Nest's exception layer: the route's Fastify config says which route they were on.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  constructor(@Inject(ROOT_LOGGER) private readonly root: PinoLogger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    // A body that never arrived whole (the client went away, or node cut it off at
    // REQUEST_TIMEOUT_MS): there is nobody left to answer, and nothing wrong with the service.
    if (request.raw.destroyed && !request.raw.complete) {
      const answered = (request.raw.socket as { [TRANSPORT_ANSWER]?: number } | null)?.[TRANSPORT_ANSWER];
      logRequestCutOff(this.root, request, reply, answered);
      return;
    }
    // Retry-After travels as a header, not in the body.
    const { retryAfterSeconds, ...body } = describeBeforeRouting(toProblem(error), error, request);
    // Viatom's failures are logged by the client, each call once (wrong credentials at error
    // level once per burst): logging them here too would say everything twice.
    if (body.status >= 500 && !body.type.startsWith('/problems/viatom-')) {
      // The route pattern, never the URL: a URL may hold a phone number or a token.
      const route = request.routeOptions?.url ?? 'unmatched route';
      const text = `${request.method} ${route} -> ${body.status} ${body.title}: ${(error as Error)?.message ?? String(error)}`;
      this.logger.error(text);
    }
    if (body.status === 503) reply.header('retry-after', String(retryAfterSeconds ?? 5));
    if (isPushReceiverRoute(request)) {
      reply.status(body.status).send(pushErrorEnvelope(body.status, body.detail));
      return;
    }
    if (isFhirRoute(request)) {
      reply.status(body.status).header('content-type', FHIR_CONTENT_TYPE).send(operationOutcome(fhirIssueType(body.status), body.detail));
      return;
    }
    reply.status(body.status).header('content-type', PROBLEM_CONTENT_TYPE).send(body);
  }
}

/** The R4 issue type of an error answer's status. */
function fhirIssueType(status: number): IssueType {
  if (status === 400 || status === 413 || status === 415) return 'invalid';
  if (status === 401 || status === 403) return 'security';
  if (status === 404) return 'not-found';
  if (status === 429) return 'throttled';
  if (status === 503) return 'transient';
  return 'exception';
}

/**
 * Fastify's own words for errors before routing (Nest hands them on as their bare message),
 * said the way this API says them; the detail of an unknown route names it without its query
 * string, which may hold a token.
 */
function describeBeforeRouting(body: Problem, error: unknown, request: FastifyRequest): Problem {
  if (request.is404 && body.status === 404) return { ...body, detail: `No route ${request.method} ${request.url.split('?')[0]}.` };
  if (!(error instanceof HttpException) || typeof error.getResponse() !== 'string') return body;
  if (body.status === 413) return { ...body, detail: 'The body is larger than the configured limit (BODY_LIMIT_BYTES).' };
  if (body.status === 415) return { ...body, detail: 'The body must be JSON (Content-Type: application/json).' };
  return body;
}
