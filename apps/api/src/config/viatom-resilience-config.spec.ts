import { loadConfig } from './app-config';
import { problemsOf, REQUIRED_ENV } from './testing-env';

const REQUIRED = REQUIRED_ENV;

describe('loadConfig: Viatom retries and circuit breaker', () => {
  it('has defaults', () => {
    const { viatom } = loadConfig(REQUIRED);
    expect(viatom.timeoutMs).toBe(10_000);
    expect(viatom.retry).toEqual({ maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 2_000, attemptTimeoutMs: undefined });
    expect(viatom.circuitBreaker).toEqual({ failureThreshold: 5, cooldownMs: 30_000 });
  });

  it('reads every variable', () => {
    const { viatom } = loadConfig({
      ...REQUIRED,
      VIATOM_TIMEOUT_MS: '5000',
      VIATOM_ATTEMPT_TIMEOUT_MS: '1500',
      VIATOM_RETRY_MAX_ATTEMPTS: '5',
      VIATOM_RETRY_BASE_DELAY_MS: '50',
      VIATOM_RETRY_MAX_DELAY_MS: '800',
      VIATOM_BREAKER_THRESHOLD: '10',
      VIATOM_BREAKER_COOLDOWN_MS: '60000',
    });
    expect(viatom.retry).toEqual({ maxAttempts: 5, baseDelayMs: 50, maxDelayMs: 800, attemptTimeoutMs: 1500 });
    expect(viatom.circuitBreaker).toEqual({ failureThreshold: 10, cooldownMs: 60_000 });
  });

  it('names every bad variable at once', () => {
    const problems = problemsOf({
      ...REQUIRED,
      VIATOM_RETRY_MAX_ATTEMPTS: '0',
      VIATOM_RETRY_BASE_DELAY_MS: 'soon',
      VIATOM_BREAKER_THRESHOLD: '-1',
      VIATOM_BREAKER_COOLDOWN_MS: '1.5',
      VIATOM_ATTEMPT_TIMEOUT_MS: '50',
    });
    for (const name of [
      'VIATOM_RETRY_MAX_ATTEMPTS',
      'VIATOM_RETRY_BASE_DELAY_MS',
      'VIATOM_BREAKER_THRESHOLD',
      'VIATOM_BREAKER_COOLDOWN_MS',
      'VIATOM_ATTEMPT_TIMEOUT_MS',
    ]) {
      expect(problems.filter((p) => p.startsWith(name))).toHaveLength(1);
    }
  });

  it('refuses a max delay below the base delay, and an attempt timeout beyond the whole deadline', () => {
    expect(problemsOf({ ...REQUIRED, VIATOM_RETRY_BASE_DELAY_MS: '500', VIATOM_RETRY_MAX_DELAY_MS: '100' })).toEqual([
      expect.stringMatching(/^VIATOM_RETRY_MAX_DELAY_MS .* must not be less than VIATOM_RETRY_BASE_DELAY_MS/),
    ]);
    expect(problemsOf({ ...REQUIRED, VIATOM_TIMEOUT_MS: '1000', VIATOM_ATTEMPT_TIMEOUT_MS: '2000' })).toEqual([
      expect.stringMatching(/^VIATOM_ATTEMPT_TIMEOUT_MS .* must not be more than VIATOM_TIMEOUT_MS/),
    ]);
  });
});
