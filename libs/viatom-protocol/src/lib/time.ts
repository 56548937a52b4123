/**
 * Viatom's times. The health-archive document writes `YYYY-MM-DD HH:mm:ss` with no zone; its
 * ViHealth guide writes epoch milliseconds as strings. A receiver that refused a push for the
 * form of a time could lose it for good, so every reasonable form is read (see
 * `readViatomTime`); zone-less text is read in a configured UTC offset (`+08:00` unless told
 * otherwise). Every result is a UTC instant.
 */
export const DEFAULT_VIATOM_TIME_ZONE = '+08:00';

const OFFSET_PATTERN = /^(?:Z|[+-](?:0\d|1[0-4]):[0-5]\d)$/;
/** `YYYY-MM-DD HH:mm:ss`, `T` or space, optional fraction: the health-archive document's form. */
const VIATOM_TIME_PATTERN = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/;
/**
 * Calendar text in any of the forms read: `-` or `/` between date parts, `T`/`t` or space,
 * an optional fraction (any precision, kept to the millisecond), an optional zone (`Z`,
 * `±HH:MM`, `±HHMM`, `±HH`).
 */
const CALENDAR_PATTERN = /^(\d{4})([-/])(\d{2})\2(\d{2})[ Tt](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;
/** A whole or decimal number of seconds (9 or 10 digits) or milliseconds (up to 13) since the epoch. */
const EPOCH_PATTERN = /^\d{9,13}(?:\.\d+)?$/;
/** `YYYYMMDDHHmmss`, zone-less: 14 digits would otherwise read as milliseconds in the 26th century. */
const COMPACT_PATTERN = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;

/** Epoch numbers at or above this are milliseconds (1973-03-03 in ms; year 5138 in seconds). */
const EPOCH_MS_THRESHOLD = 1e11;
/** Below this an epoch number is not taken for a time (1973-03-03 in seconds): `0` is "no time". */
const EPOCH_S_MIN = 1e8;
/** Instants believed at all: 1900-01-01 to 9999-12-31 UTC. Outside: a zero date, a placeholder. */
const EARLIEST = Date.UTC(1900, 0, 1);
const LATEST = Date.UTC(10000, 0, 1);

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

/** Milliseconds since the epoch of calendar fields read as UTC, or null when they are no real time. */
function utcMillis(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number | null {
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const check = new Date(asUtc);
  // `2022-02-30` must be refused, not rolled over to March.
  if (
    check.getUTCFullYear() !== y ||
    check.getUTCMonth() !== mo - 1 ||
    check.getUTCDate() !== d ||
    check.getUTCHours() !== h ||
    check.getUTCMinutes() !== mi ||
    check.getUTCSeconds() !== s
  ) {
    return null;
  }
  return asUtc;
}

const believable = (ms: number): Date | null => (Number.isFinite(ms) && ms >= EARLIEST && ms < LATEST ? new Date(ms) : null);

/**
 * Parses Viatom's own form, `YYYY-MM-DD HH:mm:ss` (`T` or space, optional milliseconds), in the
 * given offset. Returns null for anything that is not a real calendar time (`2022-02-30` is
 * rejected, not rolled over). The strict form the sandbox and the tests write; pushes are read
 * with the lenient `readViatomTime`.
 */
export function parseViatomTime(value: string, offset: string = DEFAULT_VIATOM_TIME_ZONE): Date | null {
  const offsetMs = offsetMinutes(offset) * 60_000;
  const match = VIATOM_TIME_PATTERN.exec(value.trim());
  if (!match) return null;
  const [, y, mo, d, h, mi, s, ms] = match;
  const asUtc = utcMillis(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), Number((ms ?? '0').padEnd(3, '0')));
  return asUtc === null ? null : new Date(asUtc - offsetMs);
}

/**
 * Reads a time field of a push, whatever reasonable form it came in, or null when it holds no
 * usable time (absent, empty, a zero date like `0000-00-00 00:00:00`, `0`, an impossible date,
 * or an instant before 1900 or after 9999):
 * - `YYYY-MM-DD HH:mm:ss` (`/` for `-`, `T` for the space, any fraction), read in `offset`;
 * - the same with a zone (ISO 8601: `Z`, `±HH:MM`, `±HHMM`, `±HH`), read in its own zone;
 * - epoch milliseconds (a number ≥ 10^11) or seconds (from 10^8, i.e. 1973, up to 10^11), as a
 *   JSON number or as a string of 9 to 13 digits, with or without a fraction;
 * - 14 digits, `YYYYMMDDHHmmss`, read in `offset`.
 */
export function readViatomTime(value: unknown, offset: string = DEFAULT_VIATOM_TIME_ZONE): Date | null {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 1e13 && value < 1e14 ? compactTime(String(value), offset) : epochTime(value);
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (text === '') return null;
  if (EPOCH_PATTERN.test(text)) return epochTime(Number(text));
  if (text.length === 14) return compactTime(text, offset);
  const match = CALENDAR_PATTERN.exec(text);
  if (!match) return null;
  const [, y, , mo, d, h, mi, s, fraction, zulu, sign, zoneHours, zoneMinutes] = match;
  const asUtc = utcMillis(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), Number((fraction ?? '0').slice(0, 3).padEnd(3, '0')));
  if (asUtc === null) return null;
  let zoneMs: number;
  if (zulu) zoneMs = 0;
  else if (sign) {
    const hours = Number(zoneHours);
    const minutes = Number(zoneMinutes ?? '0');
    if (hours > 14 || minutes > 59) return null;
    zoneMs = (sign === '-' ? -1 : 1) * (hours * 60 + minutes) * 60_000;
  } else zoneMs = offsetMinutes(offset) * 60_000;
  return believable(asUtc - zoneMs);
}

function compactTime(text: string, offset: string): Date | null {
  const match = COMPACT_PATTERN.exec(text);
  if (!match) return null;
  const [y, mo, d, h, mi, s] = match.slice(1).map(Number);
  const asUtc = utcMillis(y, mo, d, h, mi, s, 0);
  return asUtc === null ? null : believable(asUtc - offsetMinutes(offset) * 60_000);
}

function epochTime(n: number): Date | null {
  if (!Number.isFinite(n) || n < EPOCH_S_MIN) return null;
  return believable(n >= EPOCH_MS_THRESHOLD ? Math.trunc(n) : Math.round(n * 1000));
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
