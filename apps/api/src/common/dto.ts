import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE } from '@health-bridge/health-archive';
import { normalizePhone, PHONE_PATTERN, PHONE_RULE } from '@health-bridge/viatom-protocol';

export const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/**
 * A whole number from a query string: decimal digits only. `Number()` alone would read
 * `''` as 0 and take `0x10` or `1e3`; those become NaN here, so `@IsInt` rejects them.
 */
export const toInteger = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? (/^-?\d{1,15}$/.test(value) ? Number(value) : Number.NaN) : value;

/** A decimal number from a query string (`140`, `-2.5`, `.5`): no hex, no exponent, no empty string (NaN: `@IsNumber` refuses it). */
export const toDecimal = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? (/^-?(?:\d{1,15}(?:\.\d{1,15})?|\.\d{1,15})$/.test(value) ? Number(value) : Number.NaN) : value;

/**
 * An ISO 8601 instant with an explicit zone (`Z`, `±hh:mm` or `±hhmm`): a bare local time is
 * ambiguous. Seconds may carry up to 9 fraction digits (Python's `isoformat()` writes 6). A space where the zone's `+` should be is read as `+`: an unencoded
 * `+` in a query string arrives as a space.
 */
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+\- ])(\d{2}):?(\d{2}))$/i;

/**
 * A query's instant (`@Transform(toInstant)`, then `@IsDate`): the instant, or an invalid Date,
 * which `@IsDate` refuses; a date that is not on the calendar (02-30, 24:00) or an offset beyond
 * ±23:59 is invalid, not rolled over.
 */
export const toInstant = ({ value }: { value: unknown }): Date => {
  const match = typeof value === 'string' ? ISO_INSTANT.exec(value) : null;
  if (!match) return new Date(NaN);
  const [y, mo, d, h, mi, s] = match.slice(1, 7).map((part) => Number(part ?? 0));
  // Kept to the millisecond, rounded up: stored times are whole milliseconds, so `>= from` and
  // `< to` select the same measurements as they would with every digit.
  const fraction = (match[7] ?? '').padEnd(3, '0');
  const ms = Number(fraction.slice(0, 3)) + (/[1-9]/.test(fraction.slice(3)) ? 1 : 0);
  const wall = new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms));
  const onCalendar =
    wall.getUTCFullYear() === y && wall.getUTCMonth() === mo - 1 && wall.getUTCDate() === d && wall.getUTCHours() === h && wall.getUTCMinutes() === mi && wall.getUTCSeconds() === s;
  const [offsetHours, offsetMinutes] = match[8] ? [0, 0] : [Number(match[10]), Number(match[11])];
  if (!onCalendar || offsetHours > 23 || offsetMinutes > 59) return new Date(NaN);
  const sign = match[9] === '-' ? -1 : 1;
  return new Date(wall.getTime() - sign * (offsetHours * 60 + offsetMinutes) * 60_000);
};

/** A phone in any form the service reads (`normalizePhone`) becomes its canonical form; anything else stays as given and fails. */
const toCanonicalPhone = ({ value }: { value: unknown }) => (typeof value === 'string' ? (normalizePhone(value) ?? value) : value);

/** Validation of a phone field, shared by bodies and queries. */
export function IsPhone(): PropertyDecorator {
  return (target, key) => {
    Transform(toCanonicalPhone)(target, key);
    IsString({ message: `${String(key)} must be a string` })(target, key);
    Matches(PHONE_PATTERN, { message: `${String(key)} must be a phone number: ${PHONE_RULE}` })(target, key);
  };
}

/**
 * `limit` and `cursor` of every list. No query parameter of a list carries an `example`:
 * Swagger UI's "Try it out" would fill it in, and Execute would then filter by it.
 */
export class PageQueryDto {
  @ApiProperty({ required: false, minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE, description: 'Page size.' })
  @IsOptional()
  @Transform(toInteger)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1, { message: 'limit must be at least 1' })
  @Max(MAX_PAGE_SIZE, { message: `limit must be at most ${MAX_PAGE_SIZE}` })
  limit?: number;

  @ApiProperty({ required: false, description: 'The `nextCursor` of the previous page, as it was (e.g. `aWQ6MTIz`); absent for the first page.' })
  @IsOptional()
  @IsString()
  @MaxLength(64, { message: 'cursor must be at most 64 characters' })
  cursor?: string;
}

export class PageDto {
  @ApiProperty({ type: String, nullable: true, description: 'Cursor of the next page; null on the last page.', example: 'aWQ6MTIz' })
  nextCursor!: string | null;
}
