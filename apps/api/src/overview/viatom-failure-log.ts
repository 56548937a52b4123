import type { ViatomCallOutcome, ViatomCallReport } from '@health-bridge/viatom-client';

/** How many failed calls the log keeps. */
export const VIATOM_FAILURES_KEPT = 20;

/** One failed call to Viatom, as the overview shows it. */
export interface ViatomFailure {
  /** When the call ended (its every attempt and backoff). */
  at: Date;
  endpoint: ViatomCallReport['endpoint'];
  /** The HTTP status of the last attempt's answer; null when none came. */
  status: number | null;
  /** How the call ended: its outcome (`timeout`, `http-status`, `refused`…), a small fixed set. */
  error: Exclude<ViatomCallOutcome, 'ok'>;
  /** The whole call, in whole milliseconds. */
  durationMs: number;
}

/**
 * The last failed calls to Viatom this process made, kept in memory for the overview (the Viatom
 * client's `onCall` observer feeds it; a restart forgets them). Each entry is made of the client's
 * report alone, which names the endpoint, the outcome and the HTTP status but never the phone, the
 * credentials or Viatom's URL: nothing personal or secret can reach it.
 *
 * A call that failed fast while the circuit was open is left out: Viatom was not called (the
 * circuit's state says so), and a burst of them would push out the failures that opened it.
 */
export class ViatomFailureLog {
  /** Oldest first, at most VIATOM_FAILURES_KEPT. */
  private readonly kept: ViatomFailure[] = [];

  /** For `onCall`: on every call's path, so a few assignments and nothing that can throw. */
  readonly observe = (call: ViatomCallReport): void => {
    if (call.outcome === 'ok' || call.outcome === 'circuit-open') return;
    this.kept.push({ at: new Date(), endpoint: call.endpoint, status: call.httpStatus, error: call.outcome, durationMs: Math.round(call.durationMs) });
    if (this.kept.length > VIATOM_FAILURES_KEPT) this.kept.shift();
  };

  /** Newest first. */
  recent(): ViatomFailure[] {
    return this.kept.map((failure) => ({ ...failure })).reverse();
  }
}
