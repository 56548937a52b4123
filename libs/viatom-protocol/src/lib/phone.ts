/**
 * Phone numbers: Viatom identifies a user by phone, and so does this project. One person has
 * one canonical form however the number was written (`normalizePhone`):
 * 1. full-width digits and plus (`１５３…`, `＋`) are read as ASCII;
 * 2. spaces, dashes, dots, slashes and brackets are removed;
 * 3. a Chinese mobile number (`1[3-9]` and nine digits) loses its country code: `+86`, `0086`
 *    or `86` before it;
 * 4. what is left must be 6 to 20 digits with an optional leading `+`.
 * A JSON number is read as its digits.
 */
export const PHONE_PATTERN = /^\+?\d{6,20}$/;
export const PHONE_RULE =
  '6 to 20 digits with an optional leading "+"; spaces, dashes, dots and brackets are ignored, and +86 / 0086 / 86 before a Chinese mobile number is dropped';

/** Separators people write inside phone numbers. */
const SEPARATORS = /[\s\-.()[\]/\u00a0\u3000\u2010-\u2015\uff08\uff09\uff0d\uff0e]/g;
const FULL_WIDTH_DIGITS = /[\uff10-\uff19]/g;
/** A Chinese mobile number with a country code in front of it. */
const CHINESE_MOBILE_WITH_CODE = /^(?:\+86|0086|86)(1[3-9]\d{9})$/;

/** Full-width digits (`１５３`, as Chinese input methods write them) read as ASCII digits; the rest as it is. */
export function asciiDigits(text: string): string {
  return text.replace(FULL_WIDTH_DIGITS, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

/** A phone as written, without its formatting: full-width digits and plus read as ASCII, separators dropped (steps 1 and 2). */
export function unformatPhone(text: string): string {
  return asciiDigits(text).replace(/\uff0b/g, '+').replace(SEPARATORS, '');
}

/** The canonical phone, or null when the value is not a phone in any form. */
export function normalizePhone(value: unknown): string | null {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) text = String(value);
  else return null;
  // Already plain (the usual case on the hot path): nothing to unformat.
  if (!PHONE_PATTERN.test(text)) {
    text = unformatPhone(text);
    if (!PHONE_PATTERN.test(text)) return null;
  }
  const national = CHINESE_MOBILE_WITH_CODE.exec(text);
  return national ? national[1] : text;
}

/**
 * A phone as it may appear in logs: first three and last four digits kept
 * (`153****1234`); short numbers keep less so that at least half is hidden.
 */
export function maskPhone(phone: string | null | undefined): string {
  if (!phone) return '';
  const p = phone.trim();
  const plus = p.startsWith('+') ? '+' : '';
  const digits = plus ? p.slice(1) : p;
  if (digits.length >= 11) return `${plus}${digits.slice(0, 3)}****${digits.slice(-4)}`;
  const keep = Math.floor(digits.length / 4);
  return `${plus}${digits.slice(0, keep)}****${keep > 0 ? digits.slice(-keep) : ''}`;
}
