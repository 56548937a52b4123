/**
 * Viatom's wire format, exactly as the open API speaks it (snake_case stays here).
 * See docs: every call is a JSON POST answered with this envelope.
 */
export interface ViatomEnvelope<T = unknown> {
  code: number;
  message: string;
  reason: string;
  data: T;
}

export type ViatomLanguage = 'zh-CN' | 'en-US';
export const VIATOM_LANGUAGES: readonly ViatomLanguage[] = ['zh-CN', 'en-US'];

/** Paths of the open API, relative to the configured base URL. */
export const ViatomEndpoint = {
  AuthJumpPath: '/api/v1/open/auth/jump_path',
  AuthCancel: '/api/v1/open/auth/cancel',
} as const;
export type ViatomEndpoint = (typeof ViatomEndpoint)[keyof typeof ViatomEndpoint];

/** Headers Viatom requires on every call. */
export const ViatomHeader = {
  Secret: 'secret',
  AccessToken: 'access-token',
  Language: 'language',
} as const;

export interface JumpPathData {
  jump_path: string;
}

export interface CancelRequestBody {
  phone: string;
}

/** Error codes seen in Viatom's public guides; unknown codes are plain failures. */
export const ViatomErrorCode = {
  ParameterError: 20015,
  AccountNotFound: 100003,
  AccountDisabled: 100004,
  ServiceDisabled: 100005,
  ServiceInvalid: 100006,
  NoAuthorizedUser: 101009,
  UserTokenExpired: 101025,
  AccessTokenInvalid: 109993,
  AccessTokenNotGranted: 109994,
  AccessTokenNotMatched: 109996,
  SecretError: 109997,
  SystemBusy: 109999,
} as const;

/** Codes that mean this service's own credentials (secret / access token) were refused. */
export const CREDENTIAL_ERROR_CODES: readonly number[] = [
  ViatomErrorCode.AccessTokenInvalid,
  ViatomErrorCode.AccessTokenNotGranted,
  ViatomErrorCode.AccessTokenNotMatched,
  ViatomErrorCode.SecretError,
];

/** The answer Viatom expects from a push receiver (its own envelope). */
export function pushAcknowledgement(): ViatomEnvelope<Record<string, never>> {
  return { code: 0, message: 'success', reason: '', data: {} };
}

/** The wire shape of a push as Viatom sends it. */
export interface ViatomPushWire {
  type: number;
  data_tag?: string;
  account_id?: string;
  member_id?: string;
  device_sn?: string;
  data?: Record<string, unknown>;
  user_info?: Record<string, unknown>;
  create_time?: string;
  update_time?: string;
  [extra: string]: unknown;
}
