import { ViatomErrorCode, type ViatomEnvelope, type ViatomLanguage } from '@health-bridge/viatom-protocol';

export const LANGUAGES: readonly ViatomLanguage[] = ['zh-CN', 'en-US'];

export function toLanguage(value: unknown): ViatomLanguage | null {
  return LANGUAGES.includes(value as ViatomLanguage) ? (value as ViatomLanguage) : null;
}

const SUCCESS: Record<ViatomLanguage, string> = { 'zh-CN': '请求成功', 'en-US': 'success' };

/** Viatom's texts for the codes of its public guides (the sandbox's wording). */
const CODE_TEXT: Record<number, Record<ViatomLanguage, string>> = {
  [ViatomErrorCode.ParameterError]: { 'zh-CN': '参数错误', 'en-US': 'parameter error' },
  [ViatomErrorCode.AccountNotFound]: { 'zh-CN': '账号不存在', 'en-US': 'account does not exist' },
  [ViatomErrorCode.AccountDisabled]: { 'zh-CN': '账号已禁用', 'en-US': 'account is disabled' },
  [ViatomErrorCode.ServiceDisabled]: { 'zh-CN': '应用服务已禁用', 'en-US': 'application service disabled' },
  [ViatomErrorCode.ServiceInvalid]: { 'zh-CN': '应用服务无效', 'en-US': 'application service invalid' },
  [ViatomErrorCode.NoAuthorizedUser]: { 'zh-CN': '不存在授权用户', 'en-US': 'no authorized user exists' },
  [ViatomErrorCode.UserTokenExpired]: { 'zh-CN': '用户token已过期', 'en-US': 'user token expired' },
  [ViatomErrorCode.AccessTokenInvalid]: { 'zh-CN': 'access-token无效', 'en-US': 'access token invalid' },
  [ViatomErrorCode.AccessTokenNotGranted]: { 'zh-CN': 'access-token未授权', 'en-US': 'access token not granted' },
  [ViatomErrorCode.AccessTokenNotMatched]: { 'zh-CN': 'access-token不匹配', 'en-US': 'access token not matched' },
  [ViatomErrorCode.SecretError]: { 'zh-CN': 'secret错误,认证失败', 'en-US': 'secret error' },
  [ViatomErrorCode.SystemBusy]: { 'zh-CN': '系统繁忙,请稍后再试', 'en-US': 'system busy, try again later' },
};

export function codeText(code: number, language: ViatomLanguage): string {
  return CODE_TEXT[code]?.[language] ?? (language === 'zh-CN' ? '请求失败' : 'request failed');
}

export function success<T>(data: T, language: ViatomLanguage): ViatomEnvelope<T> {
  return { code: 0, message: SUCCESS[language], reason: '', data };
}

export function failure(code: number, language: ViatomLanguage, reason: string, message?: string): ViatomEnvelope<null> {
  return { code, message: message ?? codeText(code, language), reason, data: null };
}
