/**
 * The `date` search parameter (https://hl7.org/fhir/R4/search.html#date) read into one range of
 * instants: `from` inclusive, `to` exclusive. A value names a period, as long as its precision
 * (`2024` is the whole year); the prefix says which side of it is wanted.
 */
import { FhirSearchError } from './errors';

export interface DateRange {
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
}

type Prefix = 'eq' | 'ge' | 'gt' | 'le' | 'lt';

const SUPPORTED_PREFIXES: readonly string[] = ['eq', 'ge', 'gt', 'le', 'lt'];
/** FHIR's other date prefixes: recognised, to say they are not supported rather than that the value is junk. */
const UNSUPPORTED_PREFIXES: readonly string[] = ['ne', 'sa', 'eb', 'ap'];

const VALUE = /^([a-z]{2})?(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

const MINUTE = 60_000;
const DAY = 86_400_000;

function utc(year: number, monthIndex: number, day = 1, hours = 0, minutes = 0, seconds = 0, ms = 0): Date {
  // setUTCFullYear, because Date.UTC reads years 0-99 as 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, day);
  date.setUTCHours(hours, minutes, seconds, ms);
  return date;
}

const invalid = (value: string, why: string) => new FhirSearchError(`The date parameter "${value}" ${why}`);

/** The period a value names, in UTC for a date without a time (this server keeps instants; a day is read as a UTC day). */
function periodOf(value: string, match: RegExpExecArray): { start: Date; end: Date } {
  const [, , y, mo, d, h, mi, s, fraction, zone] = match;
  const year = Number(y);
  const month = mo === undefined ? 1 : Number(mo);
  const day = d === undefined ? 1 : Number(d);
  const daysInMonth = utc(year, month, 0).getUTCDate();
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth) throw invalid(value, 'is not a calendar date');
  if (mo === undefined) return { start: utc(year, 0), end: utc(year + 1, 0) };
  if (d === undefined) return { start: utc(year, month - 1), end: utc(year, month) };
  if (h === undefined) {
    const start = utc(year, month - 1, day);
    return { start, end: new Date(start.getTime() + DAY) };
  }

  if (zone === undefined) throw invalid(value, 'has a time but no time zone (add Z or an offset such as +08:00)');
  const [hours, minutes, seconds] = [Number(h), Number(mi), s === undefined ? 0 : Number(s)];
  if (hours > 23 || minutes > 59 || seconds > 59) throw invalid(value, 'is not a time of day');
  const offsetMinutes = zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  if (Math.abs(offsetMinutes) > 14 * 60 || Number(zone.slice(4, 6)) > 59) throw invalid(value, 'has a time zone offset that does not exist');

  const ms = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  const precision = s === undefined ? MINUTE : fraction === undefined ? 1000 : 10 ** Math.max(0, 3 - fraction.length);
  const start = new Date(utc(year, month - 1, day, hours, minutes, seconds, ms).getTime() - offsetMinutes * MINUTE);
  return { start, end: new Date(start.getTime() + precision) };
}

function rangeOf(value: string): DateRange {
  if (typeof value !== 'string') throw new FhirSearchError('The date parameter is not text');
  if (value === '') throw new FhirSearchError('The date parameter is empty');
  if (value.includes(',')) throw invalid(value, 'is a list (one date per parameter: repeat the parameter to combine them)');
  const prefix = /^[a-z]{2}/.exec(value)?.[0];
  if (prefix && UNSUPPORTED_PREFIXES.includes(prefix)) throw invalid(value, `uses the prefix "${prefix}", which this server does not support`);
  const match = VALUE.exec(value);
  if (!match || (prefix && !SUPPORTED_PREFIXES.includes(prefix))) {
    throw invalid(value, 'is not a FHIR date search value ([eq|ge|gt|le|lt]YYYY[-MM[-DD[Thh:mm[:ss[.sss]]±hh:mm]]])');
  }
  const { start, end } = periodOf(value, match);
  switch ((prefix ?? 'eq') as Prefix) {
    case 'eq':
      return { from: start, to: end };
    case 'ge':
      return { from: start };
    case 'gt':
      return { from: end };
    case 'le':
      return { to: end };
    case 'lt':
      return { to: start };
  }
}

/**
 * Reads the `date` parameter, given once or repeated (repeats are ANDed: `ge2024&date=lt2025`).
 * Throws a FhirSearchError naming the value for junk, a time without a zone, a list (OR) or an
 * unsupported prefix (ne, sa, eb, ap). An empty range (`from >= to`) is returned as it is: it matches nothing.
 */
export function parseDateParams(values: string | string[] | undefined): DateRange {
  const list = values === undefined ? [] : Array.isArray(values) ? values : [values];
  const range: DateRange = {};
  for (const { from, to } of list.map(rangeOf)) {
    if (from && (!range.from || from > range.from)) range.from = from;
    if (to && (!range.to || to < range.to)) range.to = to;
  }
  return range;
}
