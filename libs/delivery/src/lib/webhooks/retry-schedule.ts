/**
 * When a failed delivery is tried again. `scheduleMs[n]` is the delay before attempt n + 1
 * (the first entry: before the first attempt, usually 0), stretched or shrunk by up to 20 %
 * at random so that the retries of many deliveries that failed together (a receiver's outage)
 * do not all come back at the same instant. A receiver that asked for a pause (Retry-After on a
 * 429 or 503) gets at least that pause. Past the schedule's last entry: null (the delivery failed).
 */
export function nextAttemptAt(
  attemptsMade: number,
  scheduleMs: readonly number[],
  now: Date,
  options: { retryAfterMs?: number | null; random?: () => number } = {},
): Date | null {
  if (attemptsMade >= scheduleMs.length) return null;
  const jitter = 0.8 + 0.4 * (options.random ?? Math.random)();
  const delay = Math.max(Math.round(scheduleMs[attemptsMade] * jitter), options.retryAfterMs ?? 0);
  return new Date(now.getTime() + delay);
}

/** The longest pause a receiver's Retry-After is granted: beyond it, the retry schedule rules. */
export const MAX_RETRY_AFTER_MS = 24 * 3600 * 1000;

/**
 * A Retry-After header (RFC 9110: whole seconds, or an HTTP date) as a pause from `now` in
 * milliseconds, at most a day; null when absent or unreadable; 0 for a date already past.
 */
export function retryAfterMs(header: string | null | undefined, now: Date): number | null {
  if (header === null || header === undefined) return null;
  const value = header.trim();
  if (/^\d{1,10}$/.test(value)) return Math.min(Number(value) * 1000, MAX_RETRY_AFTER_MS);
  // Every HTTP date form starts with the day of the week: that keeps stray numbers and text out.
  if (!/^[A-Za-z]{3,9},?\s/.test(value)) return null;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return null;
  return Math.min(Math.max(at - now.getTime(), 0), MAX_RETRY_AFTER_MS);
}
