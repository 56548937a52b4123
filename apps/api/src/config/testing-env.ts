import { ConfigurationError, loadConfig } from './app-config';

/** For the configuration tests: the least a valid environment holds. */
export const REQUIRED_ENV = {
  VIATOM_BASE_URL: 'https://open.viatomtech.com.cn',
  VIATOM_SECRET: 'the-secret',
  VIATOM_ACCESS_TOKEN: 'the-access-token',
  API_KEYS: 'an-integrator-key-0123456789',
};

/** Data-protection keys for a production environment in the configuration tests (not secret: tests only). */
export const PRODUCTION_DATA_KEYS = {
  DATA_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
  DATA_HASH_KEY: Buffer.alloc(32, 2).toString('base64'),
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
