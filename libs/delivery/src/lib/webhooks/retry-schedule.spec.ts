import { MAX_RETRY_AFTER_MS, nextAttemptAt, retryAfterMs } from './retry-schedule';

const NOW = new Date('2025-01-08T10:00:00.000Z');
const SCHEDULE = [0, 5_000, 300_000];
const at = (ms: number) => new Date(NOW.getTime() + ms);

describe('nextAttemptAt', () => {
  it('takes the delay of the attempt to come, with up to 20 % jitter either way', () => {
    expect(nextAttemptAt(1, SCHEDULE, NOW, { random: () => 0.5 })).toEqual(at(5_000));
    expect(nextAttemptAt(1, SCHEDULE, NOW, { random: () => 0 })).toEqual(at(4_000));
    expect(nextAttemptAt(1, SCHEDULE, NOW, { random: () => 0.999999 })).toEqual(at(6_000));
    expect(nextAttemptAt(2, SCHEDULE, NOW, { random: () => 0.5 })).toEqual(at(300_000));
  });

  it('spreads retries at random within the band', () => {
    const delays = Array.from({ length: 200 }, () => (nextAttemptAt(2, SCHEDULE, NOW) as Date).getTime() - NOW.getTime());
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(240_000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(360_000);
    expect(new Set(delays).size).toBeGreaterThan(100);
  });

  it('is null once every entry of the schedule was used: the delivery failed', () => {
    expect(nextAttemptAt(3, SCHEDULE, NOW)).toBeNull();
    expect(nextAttemptAt(9, SCHEDULE, NOW)).toBeNull();
    expect(nextAttemptAt(1, [0], NOW)).toBeNull();
  });

  it("waits at least the receiver's Retry-After, but not longer when the schedule waits more", () => {
    expect(nextAttemptAt(1, SCHEDULE, NOW, { random: () => 0.5, retryAfterMs: 60_000 })).toEqual(at(60_000));
    expect(nextAttemptAt(2, SCHEDULE, NOW, { random: () => 0.5, retryAfterMs: 60_000 })).toEqual(at(300_000));
    expect(nextAttemptAt(3, SCHEDULE, NOW, { retryAfterMs: 60_000 })).toBeNull();
  });
});

describe('retryAfterMs', () => {
  it.each([
    ['120', 120_000],
    [' 7 ', 7_000],
    ['0', 0],
    ['Wed, 08 Jan 2025 10:00:30 GMT', 30_000],
    ['Wednesday, 08-Jan-25 10:00:30 GMT', 30_000],
    ['Wed, 08 Jan 2025 09:00:00 GMT', 0],
    ['99999999', MAX_RETRY_AFTER_MS],
    ['Fri, 08 Jan 2100 10:00:00 GMT', MAX_RETRY_AFTER_MS],
  ])('reads %p as %p ms', (header, expected) => {
    expect(retryAfterMs(header, NOW)).toBe(expected);
  });

  it.each([[null], [undefined], [''], ['-5'], ['1.5'], ['soon'], ['2025-01-08T10:01:00Z'], ['Wed, 99 Foo 2025']])('ignores %p', (header) => {
    expect(retryAfterMs(header, NOW)).toBeNull();
  });
});
