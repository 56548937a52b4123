import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { HttpService } from '@nestjs/axios';
import axios from 'axios';
import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  halfJitterGenerator,
  handleWhen,
  IsolatedCircuitError,
  retry,
  TaskCancelledError,
  timeout,
  TimeoutStrategy,
  type CircuitBreakerPolicy,
  type RetryPolicy,
  type TimeoutPolicy,
} from 'cockatiel';
import {
  CREDENTIAL_ERROR_CODES,
  maskPhone,
  ViatomEndpoint,
  ViatomErrorCode,
  ViatomHeader,
  type CancelRequestBody,
  type JumpPathData,
  type ViatomEnvelope,
  type ViatomLanguage,
} from '@health-bridge/viatom-protocol';
import { ViatomApiError, ViatomBusyError, ViatomCircuitOpenError, ViatomError, ViatomTransportError } from './errors';
import { closeOwnAgents, HttpTransportError, httpPost, leanDefaults, viatomHttpModuleOptions, type HttpAnswer } from './http-transport';
import {
  DEFAULT_VIATOM_CIRCUIT_BREAKER,
  DEFAULT_VIATOM_RETRY,
  DEFAULT_VIATOM_TIMEOUT_MS,
  VIATOM_CLIENT_OPTIONS,
  type ViatomCallOutcome,
  type ViatomCallReport,
  type ViatomClientOptions,
} from './viatom-client.options';

export interface ViatomCallOptions {
  /** Overrides the configured `language` header for this call. */
  language?: ViatomLanguage;
}

/**
 * The circuit breaker's state. `half-open`: the cool-down is over, the next call is the one
 * trial let through (others wait for its outcome); its success closes the circuit.
 */
export type ViatomCircuitState = 'closed' | 'open' | 'half-open';

export interface ViatomCircuitSnapshot {
  state: ViatomCircuitState;
  /** While open: milliseconds until a trial call is let through; otherwise 0. */
  retryAfterMs: number;
}

/** A credential rejection within this long of the previous one belongs to the same burst. */
const CREDENTIAL_BURST_QUIET_MS = 60_000;

/** What one call has been through so far, across its attempts. */
interface CallState {
  attempts: number;
  inFlight: boolean;
  lastError?: unknown;
  /** An earlier attempt failed after the request may have reached Viatom (reset, timeout, 5xx). */
  mayHaveReachedViatom: boolean;
  /** The HTTP status of the last attempt's answer; null before one came. */
  httpStatus: number | null;
}

/**
 * The typed client of Viatom's health-archive open API: a deadline over the whole call,
 * retries where safe, a circuit breaker, keep-alive connections (see the README). Its HTTP
 * goes through the HttpService of its module's own HttpModule (`ViatomClientModule`), or of
 * `createViatomClient` outside Nest.
 */
@Injectable()
export class ViatomClient implements OnApplicationShutdown {
  private readonly logger = new Logger(ViatomClient.name);
  private readonly timeoutMs: number;
  private readonly attemptTimeoutMs: number | undefined;
  private readonly maxAttempts: number;
  private readonly busyRetryAfterMs: number;
  private readonly cooldownMs: number;
  private readonly deadline: TimeoutPolicy;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly retries: RetryPolicy;
  private circuitOpenedAt = 0;
  private credentialBurstUntil = 0;
  private observerFailed = false;

  constructor(
    @Inject(VIATOM_CLIENT_OPTIONS) private readonly options: ViatomClientOptions,
    private readonly http: HttpService,
  ) {
    this.timeoutMs = positive(options.timeoutMs ?? DEFAULT_VIATOM_TIMEOUT_MS, 'timeoutMs');
    const retryOptions = { ...DEFAULT_VIATOM_RETRY, ...definedOnly(options.retry) };
    const breakerOptions = { ...DEFAULT_VIATOM_CIRCUIT_BREAKER, ...definedOnly(options.circuitBreaker) };
    this.maxAttempts = Math.floor(positive(retryOptions.maxAttempts, 'retry.maxAttempts'));
    const baseDelayMs = Math.max(0, retryOptions.baseDelayMs);
    const maxDelayMs = Math.max(baseDelayMs, retryOptions.maxDelayMs);
    this.attemptTimeoutMs =
      retryOptions.attemptTimeoutMs === undefined ? undefined : positive(retryOptions.attemptTimeoutMs, 'retry.attemptTimeoutMs');
    // Nothing tells how long Viatom stays busy: suggest waiting about one full backoff.
    this.busyRetryAfterMs = Math.max(1_000, maxDelayMs);
    this.cooldownMs = positive(breakerOptions.cooldownMs, 'circuitBreaker.cooldownMs');

    // Outermost: the deadline of the whole call. Aggressive: the caller gets its answer at the
    // deadline, even during a backoff; the attempt in flight is aborted through the signal.
    // Nothing outlives a settled call, so its signal is not aborted on return (an abort builds a
    // DOMException, with its stack: a real cost on every call).
    this.deadline = timeout(this.timeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
    // Then the breaker, counting whole calls (after their retries), so one trial is one call.
    this.breaker = circuitBreaker(
      handleWhen((error) => isViatomUnwell(error)),
      {
        halfOpenAfter: this.cooldownMs,
        breaker: new ConsecutiveBreaker(Math.floor(positive(breakerOptions.failureThreshold, 'circuitBreaker.failureThreshold'))),
      },
    );
    this.breaker.onBreak(() => {
      this.circuitOpenedAt = Date.now();
    });
    this.breaker.onStateChange((state) => this.logCircuit(state));
    // Innermost: the retries (cockatiel counts retries, not attempts).
    this.retries = retry(
      handleWhen((error) => isRetryable(error)),
      {
        maxAttempts: this.maxAttempts - 1,
        // Delay n is random in [½, 1) × min(maxDelayMs, baseDelayMs × 2^(n-1)): capped, jittered, never near zero.
        backoff: new ExponentialBackoff({
          initialDelay: Math.max(1, baseDelayMs),
          maxDelay: Math.max(1, maxDelayMs),
          generator: halfJitterGenerator,
        }),
      },
    );
    leanDefaults(http.axiosRef);
    options.configureAxios?.(http.axiosRef);
  }

  /** The circuit breaker's state, e.g. for a health check. */
  get circuitState(): ViatomCircuitState {
    return this.circuit.state;
  }

  /** The circuit breaker's state, and how long until a trial call while it is open. */
  get circuit(): ViatomCircuitSnapshot {
    switch (this.breaker.state) {
      case CircuitState.Closed:
        return { state: 'closed', retryAfterMs: 0 };
      case CircuitState.HalfOpen:
        return { state: 'half-open', retryAfterMs: 0 };
      default: {
        const retryAfterMs = this.circuitRetryAfterMs();
        return { state: retryAfterMs > 0 ? 'open' : 'half-open', retryAfterMs };
      }
    }
  }

  /** Closes the connections the client keeps alive (agents you passed in stay open: they are yours). */
  close(): void {
    closeOwnAgents(this.http.axiosRef);
  }

  /** Last, after the host's HTTP server has drained: a cancel in flight at a stop keeps its connection to the end. */
  onApplicationShutdown(): void {
    this.close();
  }

  /** The URL of Viatom's consent page, exactly as Viatom sent it (never re-encoded). */
  async getAuthorizationUrl(options: ViatomCallOptions = {}): Promise<string> {
    const data = await this.call<JumpPathData>(ViatomEndpoint.AuthJumpPath, undefined, options, '', '', (answer) => {
      if (typeof answer?.jump_path !== 'string' || answer.jump_path.length === 0) {
        throw new ViatomTransportError('invalid-envelope', 'data.jump_path is missing', ViatomEndpoint.AuthJumpPath, 200);
      }
    });
    return data.jump_path;
  }

  /**
   * Cancels the authorization the user with this phone gave. Resolves when Viatom said yes.
   * When an earlier attempt may have reached Viatom (dropped, timed out, 5xx) and a retry is
   * answered 101009 "no authorized user", that earlier attempt did the cancel: success.
   */
  async cancelAuthorization(phone: string, options: ViatomCallOptions = {}): Promise<void> {
    const body: CancelRequestBody = { phone };
    await this.call<unknown>(ViatomEndpoint.AuthCancel, body, options, maskPhone(phone), phone.trim());
  }

  /**
   * One call: deadline → breaker → retries → attempt. Logged once, with the endpoint, the
   * duration, the attempts and the outcome. `subject` names the call in logs; `unmasked`
   * (the raw phone) is replaced by it wherever Viatom echoes it.
   */
  private async call<T>(
    endpoint: ViatomEndpoint,
    body: unknown,
    options: ViatomCallOptions,
    subject = '',
    unmasked = '',
    check?: (data: T) => void,
  ): Promise<T> {
    const started = performance.now();
    const state: CallState = { attempts: 0, inFlight: false, mayHaveReachedViatom: false, httpStatus: null };
    const scrub = (text: unknown) => (unmasked.length >= 6 ? String(text ?? '').split(unmasked).join(subject) : String(text ?? ''));
    const line = (result: string) =>
      `Viatom ${endpoint}${subject ? ` for ${subject}` : ''}: ${result}; ${state.attempts} attempt${state.attempts === 1 ? '' : 's'} in ${Math.round(performance.now() - started)} ms`;
    try {
      const data = await this.deadline.execute(({ signal }) =>
        this.breaker.execute(
          ({ signal: breakerSignal }) =>
            this.retries.execute(
              ({ signal: retrySignal }) => this.attempt<T>(endpoint, body, options, state, retrySignal, line, check),
              breakerSignal,
            ),
          signal,
        ),
      );
      this.logger.log(line('ok'));
      this.report(endpoint, 'ok', state, started);
      return data;
    } catch (raw) {
      const error = this.finalError(raw, endpoint, state);
      error.attempts = state.attempts;
      this.logFailure(error, line, scrub);
      this.report(endpoint, outcomeOf(error), state, started);
      throw error;
    }
  }

  /** Tells the `onCall` observer; nothing it does may change the call's result. */
  private report(endpoint: ViatomEndpoint, outcome: ViatomCallOutcome, state: CallState, started: number): void {
    const observer = this.options.onCall;
    if (!observer) return;
    const failed = (error: unknown) => {
      // Once: a broken observer fails on every call, and the calls themselves are unharmed.
      if (this.observerFailed) return;
      this.observerFailed = true;
      this.logger.warn(`The onCall observer failed (${error instanceof Error ? error.message : String(error)}); calls are unaffected. Not logged again.`);
    };
    try {
      const result: unknown = observer({
        endpoint: ENDPOINT_NAMES[endpoint],
        outcome,
        attempts: state.attempts,
        durationMs: performance.now() - started,
        httpStatus: state.attempts === 0 ? null : state.httpStatus,
      });
      // Typed as returning nothing, but an async function fits that type: its rejection must not go unhandled.
      if (result instanceof Promise) result.catch(failed);
    } catch (error) {
      failed(error);
    }
  }

  private async attempt<T>(
    endpoint: ViatomEndpoint,
    body: unknown,
    options: ViatomCallOptions,
    state: CallState,
    signal: AbortSignal,
    line: (result: string) => string,
    check?: (data: T) => void,
  ): Promise<T> {
    // The deadline passed during a backoff: the retry loop wakes up, but Viatom is not called.
    if (signal.aborted) throw new ViatomTransportError('timeout', `no answer within ${this.timeoutMs} ms`, endpoint);
    state.attempts += 1;
    state.inFlight = true;
    state.httpStatus = null;
    try {
      const data = await this.send<T>(endpoint, body, options, signal, state);
      check?.(data);
      return data;
    } catch (error) {
      if (
        endpoint === ViatomEndpoint.AuthCancel &&
        state.mayHaveReachedViatom &&
        error instanceof ViatomApiError &&
        error.code === ViatomErrorCode.NoAuthorizedUser
      ) {
        this.logger.warn(line('answered 101009 on a retry after an attempt that may have gone through: taken as cancelled'));
        return undefined as T;
      }
      if (mayHaveReachedViatom(error)) state.mayHaveReachedViatom = true;
      state.lastError = error;
      if (isRetryable(error) && state.attempts < this.maxAttempts && !signal.aborted) {
        this.logger.debug(line(`attempt failed (${describeBriefly(error)}), retrying`));
      }
      throw error;
    } finally {
      state.inFlight = false;
    }
  }

  /** The error the caller gets, from what the policies threw. */
  private finalError(raw: unknown, endpoint: ViatomEndpoint, state: CallState): ViatomError {
    let error = raw;
    if (raw instanceof BrokenCircuitError || raw instanceof IsolatedCircuitError) {
      return new ViatomCircuitOpenError(endpoint, Math.max(this.circuitRetryAfterMs(), 1_000));
    }
    if (raw instanceof TaskCancelledError) {
      // The deadline passed. During an attempt: a timeout. During a backoff: the last failure is the truth.
      error =
        state.inFlight || state.lastError === undefined
          ? new ViatomTransportError('timeout', `no answer within ${this.timeoutMs} ms`, endpoint)
          : state.lastError;
    }
    if (error instanceof ViatomApiError && error.code === ViatomErrorCode.SystemBusy && !(error instanceof ViatomBusyError)) {
      return new ViatomBusyError(error, state.attempts, this.busyRetryAfterMs);
    }
    if (error instanceof ViatomError) return error;
    // Not expected (the attempt maps everything); never pass on an error that may hold the headers.
    return new ViatomTransportError('network', error instanceof Error ? error.name : 'unknown error', endpoint);
  }

  private circuitRetryAfterMs(): number {
    if (this.breaker.state !== CircuitState.Open) return 0;
    return Math.max(0, this.circuitOpenedAt + this.cooldownMs - Date.now());
  }

  private logFailure(error: ViatomError, line: (result: string) => string, scrub: (text: unknown) => string): void {
    if (error instanceof ViatomCircuitOpenError) {
      this.logger.debug(line(`not called, circuit open (trial in ${error.retryAfterMs} ms)`));
      return;
    }
    if (error instanceof ViatomApiError) {
      // `reason` is Viatom's detail (often a stack trace): it belongs in the log, not in answers.
      const text = line(
        `${error instanceof ViatomBusyError ? 'still busy' : 'refused'} with code ${error.code} (${scrub(error.viatomMessage)}); reason: ${scrub(error.reason)}`,
      );
      if (CREDENTIAL_ERROR_CODES.includes(error.code)) {
        // Wrong credentials fail every call: one error per burst, the rest as warnings.
        const now = Date.now();
        const firstOfBurst = now > this.credentialBurstUntil;
        this.credentialBurstUntil = now + CREDENTIAL_BURST_QUIET_MS;
        if (firstOfBurst) {
          this.logger.error(`${text}. Viatom rejected this service's credentials (secret or access token): check the configuration.`);
          return;
        }
      }
      this.logger.warn(text);
      return;
    }
    this.logger.warn(line(`failed (${describeBriefly(error)})`));
  }

  private logCircuit(state: CircuitState): void {
    switch (state) {
      case CircuitState.Open: {
        const last = this.breaker.lastFailure;
        const cause = last && 'error' in last ? describeBriefly(last.error) : 'failures';
        this.logger.warn(`Viatom circuit open after repeated failures (last: ${cause}): calls fail fast for ${this.cooldownMs} ms`);
        break;
      }
      case CircuitState.HalfOpen:
        this.logger.log('Viatom circuit half-open: one trial call is let through');
        break;
      case CircuitState.Closed:
        this.logger.log('Viatom circuit closed: calls go through again');
        break;
      default:
        this.logger.warn(`Viatom circuit ${CircuitState[state] ?? state}`);
    }
  }

  /** One HTTP exchange with Viatom, turned into the envelope's data or a typed error. */
  private async send<T>(endpoint: ViatomEndpoint, body: unknown, options: ViatomCallOptions, callSignal: AbortSignal, state: CallState): Promise<T> {
    let response: HttpAnswer;
    try {
      response = await httpPost(this.http, endpoint, body, {
        headers: {
          'content-type': 'application/json; charset=utf-8',
          accept: 'application/json',
          [ViatomHeader.Secret]: this.options.secret,
          [ViatomHeader.AccessToken]: this.options.accessToken,
          [ViatomHeader.Language]: options.language ?? this.options.language ?? 'zh-CN',
        },
        // The attempt's own timeout (ETIMEDOUT), if any; the call's deadline aborts it through the signal.
        timeoutMs: this.attemptTimeoutMs,
        signal: callSignal,
        maxAnswerBytes: MAX_ANSWER_BYTES,
      });
    } catch (error) {
      const failure = this.toTransportError(error, endpoint, callSignal.aborted);
      state.httpStatus = failure.status ?? null; // a proxy that refused the tunnel answered a status
      throw failure;
    }
    state.httpStatus = response.status;

    let envelope: unknown;
    try {
      envelope = JSON.parse(response.body);
    } catch {
      if (response.status < 200 || response.status >= 300) {
        throw new ViatomTransportError('http-status', `HTTP ${response.status}`, endpoint, response.status);
      }
      throw new ViatomTransportError('invalid-json', 'the answer is not JSON', endpoint, response.status);
    }
    if (!isEnvelope(envelope)) {
      const kind = response.status >= 200 && response.status < 300 ? 'invalid-envelope' : 'http-status';
      throw new ViatomTransportError(
        kind,
        kind === 'http-status' ? `HTTP ${response.status}` : 'the answer is not a Viatom envelope {code, message, data}',
        endpoint,
        response.status,
      );
    }
    if (envelope.code !== 0) {
      throw new ViatomApiError(envelope.code, envelope.message ?? '', envelope.reason ?? '', endpoint);
    }
    if (response.status < 200 || response.status >= 300) {
      throw new ViatomTransportError('http-status', `HTTP ${response.status}`, endpoint, response.status);
    }
    return envelope.data as T;
  }

  private toTransportError(error: unknown, endpoint: ViatomEndpoint, deadlinePassed: boolean): ViatomTransportError {
    const code = error instanceof HttpTransportError ? error.code : undefined;
    switch (code) {
      case 'ETIMEDOUT':
      case 'ERR_CANCELED': {
        const ms = deadlinePassed || this.attemptTimeoutMs === undefined ? this.timeoutMs : this.attemptTimeoutMs;
        return new ViatomTransportError('timeout', `no answer within ${ms} ms${deadlinePassed ? '' : ' (one attempt)'}`, endpoint);
      }
      case 'ECONNREFUSED':
        return new ViatomTransportError('connection-refused', 'the connection was refused', endpoint);
      case 'ERR_ANSWER_TOO_LARGE':
        return new ViatomTransportError('answer-too-large', `the answer is longer than ${MAX_ANSWER_BYTES} bytes`, endpoint);
      case 'ERR_PROXY_TUNNEL': {
        // As when a proxy answers an http:// call itself: its status, retried only for a gateway's.
        const status = (error as HttpTransportError).status;
        return new ViatomTransportError('http-status', `the proxy refused the tunnel with HTTP ${status}`, endpoint, status);
      }
      case 'ECONNRESET':
      case 'EPIPE':
        return new ViatomTransportError('connection-reset', 'the connection was dropped before an answer', endpoint);
      default: {
        const message = error instanceof Error ? error.message : String(error);
        return new ViatomTransportError('network', `${code ?? 'error'}: ${message}`, endpoint);
      }
    }
  }
}

/**
 * A client outside Nest (scripts, benchmarks): the same options, and an HttpService set up as
 * `ViatomClientModule` sets up its own. Call `close()` when done, to close its connections.
 */
export function createViatomClient(options: ViatomClientOptions): ViatomClient {
  return new ViatomClient(options, new HttpService(axios.create(viatomHttpModuleOptions(options))));
}

const ENDPOINT_NAMES: Record<ViatomEndpoint, ViatomCallReport['endpoint']> = {
  [ViatomEndpoint.AuthJumpPath]: 'jump_path',
  [ViatomEndpoint.AuthCancel]: 'cancel',
};

function outcomeOf(error: ViatomError): ViatomCallOutcome {
  if (error instanceof ViatomCircuitOpenError) return 'circuit-open';
  if (error instanceof ViatomBusyError) return 'busy';
  if (error instanceof ViatomApiError) return CREDENTIAL_ERROR_CODES.includes(error.code) ? 'credentials-rejected' : 'refused';
  if (error instanceof ViatomTransportError) return error.kind;
  return 'network';
}

/** A longer answer is not Viatom's (its envelopes are a few hundred bytes). */
const MAX_ANSWER_BYTES = 1024 * 1024;

/** Gateway statuses: the answer comes from in front of Viatom, saying Viatom is unavailable or slow. */
const RETRYABLE_HTTP_STATUSES = new Set([502, 503, 504]);

/**
 * Safe to try again: nothing usable came back, and both calls are idempotent in effect
 * (jump_path only issues another URL; a repeated cancel is answered 101009, see cancelAuthorization).
 */
function isRetryable(error: unknown): boolean {
  if (error instanceof ViatomApiError) return error.code === ViatomErrorCode.SystemBusy;
  if (!(error instanceof ViatomTransportError)) return false;
  switch (error.kind) {
    case 'connection-refused':
    case 'connection-reset':
    case 'network':
    case 'timeout':
      return true;
    case 'http-status':
      return error.status !== undefined && RETRYABLE_HTTP_STATUSES.has(error.status);
    default:
      return false;
  }
}

/** Viatom (or what stands before it) is not well: counts towards opening the circuit. */
function isViatomUnwell(error: unknown): boolean {
  if (error instanceof ViatomApiError) return error.code === ViatomErrorCode.SystemBusy;
  if (!(error instanceof ViatomTransportError)) return false;
  return error.kind !== 'http-status' || error.status === undefined || error.status >= 500;
}

/** The request may have been processed although no answer came back. */
function mayHaveReachedViatom(error: unknown): boolean {
  return error instanceof ViatomTransportError && ['connection-reset', 'timeout', 'http-status'].includes(error.kind);
}

function describeBriefly(error: unknown): string {
  if (error instanceof ViatomApiError) return `code ${error.code}`;
  if (error instanceof ViatomTransportError) return error.kind === 'http-status' ? `HTTP ${error.status}` : error.kind;
  return error instanceof Error ? error.name : 'error';
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`ViatomClient: ${name} must be a positive number (got ${value})`);
  return value;
}

function definedOnly<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Viatom's envelope: at least a numeric `code` (message, reason and data may be absent on errors). */
function isEnvelope(value: unknown): value is ViatomEnvelope {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Number.isInteger((value as ViatomEnvelope).code);
}
