import type { ViatomEndpoint } from './wire';

/** Base of every failure talking to Viatom. Never carries the secret or the access token. */
export abstract class ViatomError extends Error {
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

export type ViatomTransportFailure =
  | 'timeout'
  | 'connection-refused'
  | 'connection-reset'
  | 'network'
  | 'http-status'
  | 'invalid-json'
  | 'invalid-envelope';

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
