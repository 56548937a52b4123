import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { AxiosInstance } from 'axios';
import type { ViatomTransportFailure } from './errors';
import type { ViatomLanguage } from '@health-bridge/viatom-protocol';

/**
 * Retries of one call. Only what is safe is retried: failures before an answer (connection
 * refused, reset or dropped, network errors, an attempt's own timeout), gateway statuses
 * (502, 503, 504) and Viatom's "system busy" code 109999. Never a credential or parameter
 * code, any other non-zero code, a 4xx, or an answer that is not JSON or not the envelope.
 */
export interface ViatomRetryOptions {
  /** Attempts per call, the first included (1 = no retry). Default 3. */
  maxAttempts?: number;
  /** First backoff delay, in milliseconds; later ones grow exponentially, with jitter. Default 100. */
  baseDelayMs?: number;
  /** Cap of one backoff delay, in milliseconds. Default 2000. */
  maxDelayMs?: number;
  /**
   * Deadline of one attempt, in milliseconds, so that a hung attempt can be retried within
   * the call's deadline (`timeoutMs`). Default: none, an attempt may use all the time left.
   */
  attemptTimeoutMs?: number;
}

/** The circuit breaker in front of Viatom: after a run of failed calls, fail fast for a while. */
export interface ViatomCircuitBreakerOptions {
  /**
   * Consecutive failed calls (after their retries) that open the circuit. Failures are
   * Viatom being unwell: no usable answer, a 5xx, or 109999; a refusal (any other code) or
   * a 4xx is an answer, and counts as neither failure nor success. Default 5.
   */
  failureThreshold?: number;
  /** How long the circuit stays open before one trial call is let through, in milliseconds. Default 30000. */
  cooldownMs?: number;
}

/**
 * How a call to Viatom ended: `ok`, or why it failed. A small fixed set (fit for a metric label):
 * `refused` (a non-zero code), `credentials-rejected` (a credential code), `busy` (109999 after
 * the retries), `circuit-open` (failed fast, Viatom not called), or the transport failure.
 */
export type ViatomCallOutcome = 'ok' | 'refused' | 'credentials-rejected' | 'busy' | 'circuit-open' | ViatomTransportFailure;

/** One call to Viatom, once it has settled. */
export interface ViatomCallReport {
  /** Viatom's endpoint, by the last segment of its path. */
  endpoint: 'jump_path' | 'cancel';
  outcome: ViatomCallOutcome;
  /** Attempts made, retries included (0 when the circuit was open). */
  attempts: number;
  /** The whole call, every attempt and backoff included. */
  durationMs: number;
  /**
   * The HTTP status of the last attempt's answer (Viatom's, or a gateway's or proxy's before it);
   * null when that attempt got none (refused, reset, timed out) or Viatom was not called.
   */
  httpStatus: number | null;
}

/** How to reach Viatom's open API. Plain values: the app reads them from its configuration. */
export interface ViatomClientOptions {
  /** Viatom's host, e.g. `https://open.viatomtech.com.cn` (or the sandbox's URL). */
  baseUrl: string;
  /** The `secret` issued by Lepu/Viatom. Never logged. */
  secret: string;
  /** The health-archive business line's `access-token`. Never logged. */
  accessToken: string;
  /** Default `language` header; a call may override it. Default `zh-CN`. */
  language?: ViatomLanguage;
  /** Deadline of a whole call, every attempt and backoff included, in milliseconds. Default 10000. */
  timeoutMs?: number;
  /** Retries with capped exponential backoff and jitter. */
  retry?: ViatomRetryOptions;
  /** The circuit breaker. */
  circuitBreaker?: ViatomCircuitBreakerOptions;
  /**
   * Told of every call once it has settled, before its caller is (e.g. to count calls in
   * metrics). It should be quick: it runs on the call's path. What it throws or rejects is
   * logged and never reaches the call.
   */
  onCall?: (call: ViatomCallReport) => void;
  /**
   * An egress proxy every call goes through, e.g. `http://user:password@proxy.example:3128`
   * (an http:// proxy; the user and password percent-encoded, sent as `Proxy-Authorization`
   * and never logged). An http:// Viatom URL is requested from the proxy by its absolute URL;
   * an https:// one through a CONNECT tunnel, the TLS to Viatom inside it. Default: none, and
   * the environment's `HTTP_PROXY`/`HTTPS_PROXY` are ignored (a lib never reads the environment).
   */
  proxyUrl?: string;
  /**
   * The agent for an http:// Viatom URL (to the proxy, with `proxyUrl`). Default: a keep-alive
   * agent of the client's own, closed with the module. One you pass stays yours to close.
   */
  httpAgent?: HttpAgent;
  /**
   * The agent for an https:// Viatom URL (e.g. with your CA, a client certificate). Default: a
   * keep-alive agent of the client's own, closed with the module. With `proxyUrl`, the client's
   * tunnelling agent is used instead, with this agent's TLS options (`ca`, `cert`, `key`,
   * `rejectUnauthorized`…) for the TLS to Viatom.
   */
  httpsAgent?: HttpsAgent;
  /**
   * Called once with the client's own axios instance (made by `HttpModule` for this client
   * alone), e.g. to add interceptors: `(axios) => axios.interceptors.request.use(addTraceHeader)`.
   * Request interceptors see Viatom's credentials in the headers: never log them. Responses
   * reach interceptors with `data` as text, at most 1 MiB. What the client sets on each request
   * (no redirects, the 1 MiB limit, any status accepted, the text answer) is its contract: an
   * interceptor that changes those changes what the client promises. The instance's default
   * headers are those of every method (`defaults.headers.common`) and of POST
   * (`defaults.headers.post`): the client sends nothing else.
   */
  configureAxios?: (axios: AxiosInstance) => void;
}

export const DEFAULT_VIATOM_TIMEOUT_MS = 10_000;
export const DEFAULT_VIATOM_RETRY: Required<Omit<ViatomRetryOptions, 'attemptTimeoutMs'>> = {
  maxAttempts: 3,
  baseDelayMs: 100,
  maxDelayMs: 2_000,
};
export const DEFAULT_VIATOM_CIRCUIT_BREAKER: Required<ViatomCircuitBreakerOptions> = {
  failureThreshold: 5,
  cooldownMs: 30_000,
};

export const {
  ConfigurableModuleClass: ViatomClientConfigurableModule,
  MODULE_OPTIONS_TOKEN: VIATOM_CLIENT_OPTIONS,
  OPTIONS_TYPE: VIATOM_CLIENT_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: VIATOM_CLIENT_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ViatomClientOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
