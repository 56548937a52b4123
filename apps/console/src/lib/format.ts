import type { Language } from './i18n';

const LOCALES: Record<Language, string> = { en: 'en-GB', zh: 'zh-CN' };

/**
 * An instant in the operator's own zone, to the second ("2026-12-01 14:03:05"); `—` for none.
 * `timeZone` is for tests: the browser's zone otherwise.
 */
export function formatDateTime(iso: string | null | undefined, language: Language, timeZone?: string): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const parts = new Intl.DateTimeFormat(LOCALES[language], {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZone,
  }).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}:${part('second')}`;
}

/** A number as the locale writes it, without more decimals than it has (at most 2). */
export function formatNumber(value: number, language: Language): string {
  return new Intl.NumberFormat(LOCALES[language], { maximumFractionDigits: 2 }).format(value);
}

/** UCUM units as a reader expects them next to a value. */
const UNIT_LABELS: Record<string, string> = {
  'mm[Hg]': 'mmHg',
  '/min': '/min',
  Cel: '°C',
  '%': '%',
  'mmol/L': 'mmol/L',
  kg: 'kg',
  'kg/m2': 'kg/m²',
  s: 's',
  '1': '',
};

export function unitLabel(ucum: string): string {
  return UNIT_LABELS[ucum] ?? ucum;
}

/** "128 mmHg", "36.6 °C", "3" (a count has no unit). */
export function formatQuantity(value: number, ucum: string, language: Language): string {
  const unit = unitLabel(ucum);
  const number = formatNumber(value, language);
  if (!unit) return number;
  return `${number} ${unit}`;
}

/** A ratio as a percentage ("97.5 %"), `—` when there is none. */
export function formatPercent(ratio: number | null | undefined, language: Language): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  return `${formatNumber(Math.round(ratio * 1000) / 10, language)} %`;
}

/**
 * The value of a `<input type="datetime-local">` for an instant in the browser's zone, and back.
 * The console sends the API instants with a zone (`toISOString()`), as its parameters require.
 */
export function toLocalInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function fromLocalInput(value: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}
