import type { ViatomEndpoint } from '@health-bridge/viatom-protocol';

/** Base of every failure talking to Viatom. Never carries the secret or the access token. */
export abstract class ViatomError extends Error {
  /** Attempts made before the call failed (0 when it failed fast without calling Viatom). */
  attempts = 1;

  protected constructor(
    message: string,
    readonly endpoint: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Viatom answered with its envelope and a non-zero `code`: it refused the call. */
export class ViatomApiError extends ViatomError {
  constructor(
    readonly code: number,
    /** Viatom's human-readable text. */
    readonly viatomMessage: string,
    /** Viatom's detail, often a stack trace: log it, never show it to end users. */
    readonly reason: string,
    endpoint: ViatomEndpoint | string,
  ) {
    super(`Viatom refused ${endpoint}: code ${code} (${viatomMessage})`, endpoint);
  }
}

/**
 * Viatom still said "system busy" (109999) after the retries, or the deadline left no time
 * for another attempt. A `ViatomApiError` (code 109999) that also says when to try again.
 */
export class ViatomBusyError extends ViatomApiError {
  constructor(
    source: ViatomApiError,
    attempts: number,
    /** A reasonable wait before trying again, in milliseconds. */
    readonly retryAfterMs: number,
  ) {
    super(source.code, source.viatomMessage, source.reason, source.endpoint);
    this.attempts = attempts;
    this.message = `Viatom ${source.endpoint}: still busy (code ${source.code}) after ${attempts} attempt${attempts === 1 ? '' : 's'}`;
  }
}

/**
 * The circuit breaker is open: Viatom failed too often in a row, so the call failed fast
 * without reaching Viatom. `retryAfterMs` says when a trial call will be let through.
 */
export class ViatomCircuitOpenError extends ViatomError {
  constructor(
    endpoint: ViatomEndpoint | string,
    readonly retryAfterMs: number,
  ) {
    super(`Viatom ${endpoint}: not called, the circuit is open after repeated failures (trial in ${Math.ceil(retryAfterMs / 1000)} s)`, endpoint);
    this.attempts = 0;
  }
}

export type ViatomTransportFailure =
  | 'timeout'
  | 'connection-refused'
  | 'connection-reset'
  | 'network'
  | 'http-status'
  | 'invalid-json'
  | 'invalid-envelope'
  | 'answer-too-large';

/** The call did not produce a usable Viatom envelope. `kind` says why. */
export class ViatomTransportError extends ViatomError {
  constructor(
    readonly kind: ViatomTransportFailure,
    detail: string,
    endpoint: ViatomEndpoint | string,
    /** The HTTP status, when there was a response. */
    readonly status?: number,
  ) {
    super(`Viatom ${endpoint}: ${kind}: ${detail}`, endpoint);
  }
}
