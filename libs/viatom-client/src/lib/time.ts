/**
 * Viatom writes times as `YYYY-MM-DD HH:mm:ss` with no zone. They are read in a
 * configured UTC offset (`+08:00` unless told otherwise) and become UTC instants.
 */
export const DEFAULT_VIATOM_TIME_ZONE = '+08:00';

const OFFSET_PATTERN = /^(?:Z|[+-](?:0\d|1[0-4]):[0-5]\d)$/;
const VIATOM_TIME_PATTERN = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/;

export function isValidUtcOffset(offset: string): boolean {
  return OFFSET_PATTERN.test(offset);
}

/** Minutes east of UTC of each offset met so far (a handful: read once, not per push). */
const offsetCache = new Map<string, number>();

/** The offset in minutes; a RangeError for anything but `Z` or ±HH:MM. */
function offsetMinutes(offset: string): number {
  const known = offsetCache.get(offset);
  if (known !== undefined) return known;
  if (!isValidUtcOffset(offset)) {
    throw new RangeError(`Invalid UTC offset "${offset}": expected "Z" or ±HH:MM`);
  }
  const sign = offset.startsWith('-') ? -1 : 1;
  const minutes = offset === 'Z' ? 0 : sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  offsetCache.set(offset, minutes);
  return minutes;
}

/**
 * Parses a Viatom time in the given offset. Returns null for anything that is not
 * a real calendar time (`2022-02-30 10:00:00` is rejected, not rolled over).
 */
export function parseViatomTime(value: string, offset: string = DEFAULT_VIATOM_TIME_ZONE): Date | null {
  const offsetMs = offsetMinutes(offset) * 60_000;
  const match = VIATOM_TIME_PATTERN.exec(value.trim());
  if (!match) return null;
  const [, y, mo, d, h, mi, s, ms] = match;
  const fields = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number((ms ?? '0').padEnd(3, '0'))] as const;
  const asUtc = Date.UTC(...fields);
  const check = new Date(asUtc);
  if (
    check.getUTCFullYear() !== fields[0] ||
    check.getUTCMonth() !== fields[1] ||
    check.getUTCDate() !== fields[2] ||
    check.getUTCHours() !== fields[3] ||
    check.getUTCMinutes() !== fields[4] ||
    check.getUTCSeconds() !== fields[5]
  ) {
    return null;
  }
  return new Date(asUtc - offsetMs);
}

/** Formats an instant the way Viatom writes times, in the given offset. */
export function formatViatomTime(instant: Date, offset: string = DEFAULT_VIATOM_TIME_ZONE): string {
  const shifted = new Date(instant.getTime() + offsetMinutes(offset) * 60_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${shifted.getUTCFullYear()}-${pad(shifted.getUTCMonth() + 1)}-${pad(shifted.getUTCDate())} ` +
    `${pad(shifted.getUTCHours())}:${pad(shifted.getUTCMinutes())}:${pad(shifted.getUTCSeconds())}`
  );
}
