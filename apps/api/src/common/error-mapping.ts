import { HttpException } from '@nestjs/common';
import { ENDPOINT_ID_PATTERN, InvalidWebhookEndpointError, WebhookEndpointNotFoundError } from '@health-bridge/delivery';
import { InvalidCursorError, PersonReauthorizedError } from '@health-bridge/health-archive';
import { CREDENTIAL_ERROR_CODES } from '@health-bridge/viatom-protocol';
import { ViatomApiError, ViatomBusyError, ViatomCircuitOpenError, ViatomTransportError } from '@health-bridge/viatom-client';
import { Problem, problem, ProblemType } from './problem';

/**
 * Failures of the database, not of the request: connection errors; PostgreSQL classes 08
 * (connection), 53 (insufficient resources: too many connections, disk full) and 57P0x
 * (server shutting down); SQLite's busy, locked, I/O, full and cannot-open families (with
 * their extended codes, e.g. SQLITE_IOERR_WRITE).
 */
const DATABASE_DOWN_CODE = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EPIPE|08\w{3}|53\w{3}|57P0\d|SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN)(_\w+)?)$/;

export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    const e = current as { code?: string; name?: string; driverError?: unknown; cause?: unknown; message?: string };
    if (e.code && DATABASE_DOWN_CODE.test(e.code)) return true;
    // TypeORM's own words for "no connection": a DataSource closed or never connected; a query
    // runner it released because its connection died between two statements of a transaction.
    const noConnection = ['CannotExecuteNotConnectedError', 'ConnectionIsNotSetError', 'QueryRunnerAlreadyReleasedError', 'QueryRunnerProviderAlreadyReleasedError'];
    if (e.name && noConnection.includes(e.name)) return true;
    if (/Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(e.message ?? '')) {
      return true;
    }
    current = e.driverError ?? e.cause;
  }
  return false;
}

/** Whole seconds for Retry-After, at least 1. */
function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * Turns any error into the problem to answer. Viatom's `reason` never reaches the caller
 * (it is logged by the client); an unexpected error says nothing of its internals.
 */
export function toProblem(error: unknown): Problem {
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const body = error.getResponse();
    if (typeof body === 'object' && body !== null && 'type' in body && 'detail' in body) return body as Problem;
    const message = typeof body === 'string' ? body : (body as { message?: string | string[] }).message;
    return problem(status, Array.isArray(message) ? message.join('; ') : (message ?? error.message));
  }
  if (error instanceof InvalidCursorError) {
    return problem(400, error.message, { type: ProblemType.Validation, errors: [{ field: 'cursor', message: error.message }] });
  }
  if (error instanceof PersonReauthorizedError) {
    return problem(409, 'The person authorized again while their erasure ran, so nothing was deleted: their authorization is granted again. Ask again to erase.');
  }
  if (error instanceof WebhookEndpointNotFoundError) {
    return problem(404, `No webhook endpoint has ${ENDPOINT_ID_PATTERN.test(error.id) ? `the id ${error.id}` : 'this id'}.`);
  }
  if (error instanceof InvalidWebhookEndpointError) {
    return problem(400, error.message, { type: ProblemType.Validation, title: 'Validation failed', errors: [{ field: error.field, message: error.message }] });
  }
  if (error instanceof ViatomCircuitOpenError) {
    const seconds = retryAfterSeconds(error.retryAfterMs);
    return problem(503, `Viatom failed repeatedly, so calls to it are paused (circuit open); Viatom was not called. Try again in ${seconds} s.`, {
      type: ProblemType.ViatomUnavailable,
      title: 'Viatom unavailable',
      retryAfterSeconds: seconds,
    });
  }
  if (error instanceof ViatomBusyError) {
    const seconds = retryAfterSeconds(error.retryAfterMs);
    return problem(503, `Viatom is busy (code ${error.code}) and stayed busy after ${error.attempts} attempt${error.attempts === 1 ? '' : 's'}. Try again in ${seconds} s.`, {
      type: ProblemType.ViatomBusy,
      title: 'Viatom busy',
      viatomCode: error.code,
      viatomMessage: error.viatomMessage,
      retryAfterSeconds: seconds,
    });
  }
  if (error instanceof ViatomApiError) {
    if (CREDENTIAL_ERROR_CODES.includes(error.code)) {
      return problem(502, "Viatom rejected this service's credentials (secret or access token): check VIATOM_SECRET and VIATOM_ACCESS_TOKEN.", {
        type: ProblemType.ViatomCredentials,
        title: 'Viatom rejected the credentials',
        viatomCode: error.code,
        viatomMessage: error.viatomMessage,
      });
    }
    return problem(502, `Viatom refused the request: ${error.viatomMessage || `code ${error.code}`}`, {
      type: ProblemType.ViatomRefused,
      title: 'Viatom refused the request',
      viatomCode: error.code,
      viatomMessage: error.viatomMessage,
    });
  }
  if (error instanceof ViatomTransportError) {
    switch (error.kind) {
      case 'timeout':
        return problem(504, 'Viatom did not answer in time.', { type: ProblemType.ViatomTimeout, title: 'Viatom timed out' });
      case 'connection-refused':
        return problem(503, 'Viatom cannot be reached: the connection was refused. Try again later.', {
          type: ProblemType.ViatomUnavailable,
          title: 'Viatom unavailable',
        });
      case 'network':
        return problem(503, 'Viatom cannot be reached: network error. Try again later.', {
          type: ProblemType.ViatomUnavailable,
          title: 'Viatom unavailable',
        });
      case 'connection-reset':
        return problem(502, 'Viatom dropped the connection before answering.', { type: ProblemType.ViatomBadAnswer, title: 'Bad answer from Viatom' });
      case 'invalid-json':
        return problem(502, 'Viatom answered with something that is not JSON.', { type: ProblemType.ViatomBadAnswer, title: 'Bad answer from Viatom' });
      case 'answer-too-large':
        return problem(502, 'Viatom answered with more than this service reads (1 MiB).', { type: ProblemType.ViatomBadAnswer, title: 'Bad answer from Viatom' });
      case 'invalid-envelope':
        return problem(502, "Viatom's answer was JSON but not its usual envelope.", { type: ProblemType.ViatomBadAnswer, title: 'Bad answer from Viatom' });
      case 'http-status':
        return problem(502, `Viatom answered HTTP ${error.status ?? 'error'}.`, { type: ProblemType.ViatomBadAnswer, title: 'Bad answer from Viatom' });
    }
  }
  if (isDatabaseUnavailable(error)) {
    return problem(503, 'The database is unavailable. Try again later.', { type: ProblemType.DatabaseUnavailable, title: 'Database unavailable' });
  }
  return problem(500, 'An unexpected error occurred.');
}
