/** Options of `createSandbox`. */
export interface SandboxOptions {
  /** The `secret` header the open API expects. */
  secret: string;
  /** The `access-token` header the open API expects. */
  accessToken: string;
  /**
   * Where pushes are POSTed, e.g. `http://127.0.0.1:3000/api/v1/webhooks/viatom?token=x`.
   * May be set or changed later (`setPushUrl`, `POST /admin/push-url`). Without one,
   * pushes are recorded as failed ("no push URL configured").
   */
  pushUrl?: string | null;
  /** Base URL of the consent-page link handed out by jump_path; default: the listening address. */
  publicUrl?: string;
  /** UTC offset in which create_time / update_time / measure_time are written; default `+08:00`. */
  timeZone?: string;
  /** Fastify's request log (pino) on stdout; default false. */
  logger?: boolean;
  /** Deadline of one push POST, in milliseconds; default 10000. */
  pushTimeoutMs?: number;
}

/** The two open-API calls, by their last path segment. */
export type SandboxEndpointName = 'jump_path' | 'cancel';

/**
 * A fault injected into open-API calls (never into admin or consent routes).
 * At most one of `dropConnection`, `nonJson`, `noEnvelope`, `oversized`, `errorCode` is set;
 * `httpStatus` alone answers a Spring-style non-envelope JSON error body, and combined
 * with `nonJson` / `noEnvelope` / `oversized` / `errorCode` sets the HTTP status of that answer.
 * `latencyMs` delays whatever the answer is (alone: a slow but normal answer).
 */
export interface SandboxFault {
  /** Delay before answering (or before dropping the connection). */
  latencyMs?: number;
  /** Answer Viatom's envelope with this non-zero code (HTTP 200 unless `httpStatus`). */
  errorCode?: number;
  /** The envelope's `message` with `errorCode`; default: Viatom's text for the code. */
  errorMessage?: string;
  /** The HTTP status of the answer (100-599). */
  httpStatus?: number;
  /** Answer `text/html` `not json` (HTTP 200 unless `httpStatus`). */
  nonJson?: boolean;
  /** Answer JSON that is not Viatom's envelope (no `code`), HTTP 200 unless `httpStatus`. */
  noEnvelope?: boolean;
  /** Answer Viatom's envelope padded to 2 MiB (HTTP 200 unless `httpStatus`): more than a client should read. */
  oversized?: boolean;
  /** Destroy the socket without answering. */
  dropConnection?: boolean;
  /** Apply to the next N matching open-API calls only, then clear; absent = until reset. */
  count?: number;
  /** Only these endpoints; absent = both. */
  endpoints?: SandboxEndpointName[];
}

/** Whether a credential header was sent and matched (its value is never recorded). */
export type CredentialVerdict = 'valid' | 'invalid' | 'missing';

/** One open-API call the sandbox received. */
export interface OpenApiCall {
  /** 1, 2, 3... in arrival order. */
  id: number;
  at: Date;
  /** `jump_path` or `cancel`. */
  endpoint: SandboxEndpointName;
  /** The full path, e.g. `/api/v1/open/auth/jump_path`. */
  path: string;
  /** Every request header, lower-case; `secret` and `access-token` values replaced by `[redacted]`. */
  headers: Record<string, string>;
  secret: CredentialVerdict;
  accessToken: CredentialVerdict;
  /** The `language` header as sent (undefined when absent). */
  language: string | undefined;
  /** The parsed body (undefined when empty; a string when it was not JSON). */
  body: unknown;
  /** The fault applied to this call, if any. */
  fault: SandboxFault | null;
  /** What the sandbox answered (filled in when the answer is decided). */
  answer: { httpStatus: number; code: number | null } | { dropped: true } | null;
}

/** Why a push was sent. */
export type PushTrigger = 'consent' | 'cancel' | 'admin' | 'api';

/** One push the sandbox sent (or tried to). */
export interface PushRecord {
  id: number;
  at: Date;
  trigger: PushTrigger;
  /** The push URL used (null when none was configured). */
  url: string | null;
  /** The message as sent (a string for a raw body). */
  message: unknown;
  /** Receiver's HTTP status, when it answered. */
  status: number | null;
  /** Receiver's answer body (text, at most 64 KiB), when it answered. */
  body: string | null;
  /** True when the receiver answered 2xx. */
  ok: boolean;
  /** Why no answer was received (no URL, refused, timeout...). */
  error: string | null;
  durationMs: number;
}

/**
 * Options common to the push helpers. `time`: "YYYY-MM-DD HH:mm:ss" or 13-digit epoch milliseconds
 * ("1694676339000"), both used as is, or an ISO instant.
 */
export interface StatePushOptions {
  phone: string;
  time?: string;
  dataTag?: string;
}

export interface MeasurementPushOptions {
  /** The user's phone: derives account_id and is written into `data.phone`. */
  phone?: string;
  /** account_id to send (default: derived from the phone). At least one of phone / accountId. */
  accountId?: string;
  /** 1, 2, 3, 4, 5, 6, 7, 9, 10 or 15; default 2 (SpO2). */
  dataType?: number;
  /** `data.measure_time`; default five minutes ago. Same formats as `time`. */
  measureTime?: string;
  time?: string;
  /**
   * The form the defaults and ISO instants of `measureTime` / `time` are written in: `datetime`
   * ("YYYY-MM-DD HH:mm:ss", the default) or `epoch-ms` (the ViHealth guide's "1694676339000").
   * A time given in one of Viatom's own forms is sent as given.
   */
  timeFormat?: 'datetime' | 'epoch-ms';
  dataTag?: string;
  deviceSn?: string;
}

export interface RawPushOptions {
  /** Any JSON value, sent as JSON. */
  message?: unknown;
  /** Or a body sent verbatim (e.g. malformed JSON). */
  body?: string;
  /** Content type of `body`; default `application/json; charset=utf-8`. */
  contentType?: string;
}

/** Sends pushes in process, the same scenarios the admin API offers. Each resolves with what was sent. */
export interface SandboxPushSender {
  authorized(options: StatePushOptions): Promise<PushRecord[]>;
  cancelled(options: StatePushOptions): Promise<PushRecord[]>;
  measurement(options: MeasurementPushOptions): Promise<PushRecord[]>;
  samples(options: { phone: string }): Promise<PushRecord[]>;
  duplicate(options: { phone: string }): Promise<PushRecord[]>;
  emptyDataTag(options: { phone: string }): Promise<PushRecord[]>;
  outOfOrder(options: { phone: string }): Promise<PushRecord[]>;
  raw(options: RawPushOptions): Promise<PushRecord[]>;
}

export interface Sandbox {
  /** Starts listening; resolves with the base URL, e.g. `http://127.0.0.1:4010`. */
  listen(port?: number, host?: string): Promise<string>;
  /** Stops: pending latency timers are released, in-flight pushes aborted. Idempotent. */
  close(): Promise<void>;
  /** The base URL it listens on (throws before `listen`). */
  readonly url: string;
  /** Base URL of the consent-page links (the `publicUrl` option, else `url`). */
  readonly publicUrl: string;
  /** Open-API calls received, oldest first (live array). */
  readonly calls: readonly OpenApiCall[];
  /** Pushes sent, oldest first (live array). */
  readonly pushesSent: readonly PushRecord[];
  /** Phones that authorized and have not cancelled (live set: tests may add to it). */
  readonly authorizedPhones: Set<string>;
  /** Signs handed out by jump_path. */
  readonly issuedSigns: ReadonlySet<string>;
  /** The fault in force (with its remaining `count`), or null. */
  readonly fault: SandboxFault | null;
  /** Replaces the fault in force. Throws a TypeError listing what is wrong with it. */
  setFault(fault: SandboxFault): SandboxFault;
  resetFaults(): void;
  readonly pushUrl: string | null;
  setPushUrl(url: string | null): void;
  /** Resolves when no push is in flight (e.g. the type-3 push that follows a cancel). */
  settled(): Promise<void>;
  /** Forgets calls, pushes, authorized phones, signs and faults (keeps the push URL). */
  reset(): void;
  /** Sends pushes in process. */
  readonly send: SandboxPushSender;
}
