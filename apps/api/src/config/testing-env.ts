import { ConfigurationError, loadConfig } from './app-config';

/** For the configuration tests: the least a valid environment holds. */
export const REQUIRED_ENV = {
  VIATOM_BASE_URL: 'https://open.viatomtech.com.cn',
  VIATOM_SECRET: 'the-secret',
  VIATOM_ACCESS_TOKEN: 'the-access-token',
  API_KEYS: 'an-integrator-key-0123456789',
};

/** The problems loadConfig reports for this environment ([] when it is valid). */
export function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
}
