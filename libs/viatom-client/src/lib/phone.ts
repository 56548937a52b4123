/**
 * Phone numbers: Viatom identifies a user by phone, and so does this project.
 * A phone is trimmed, then must be digits with an optional leading '+', 6 to 20 digits.
 */
export const PHONE_PATTERN = /^\+?\d{6,20}$/;
export const PHONE_RULE = 'digits with an optional leading "+", 6 to 20 digits';

/** The normalised phone, or null when it is not a phone. */
export function normalizePhone(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return PHONE_PATTERN.test(trimmed) ? trimmed : null;
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
