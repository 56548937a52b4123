/*
 * The kinds of environment variable the configuration schema (config-schema.ts) is written in,
 * and how one is read. A variable is declared once, with everything the loader and the
 * generated docs (.env.example, the README's table) need to know of it.
 */

/** Sections of the docs, in the order both outputs use. */
export const CONFIG_GROUPS = [
  { id: 'http', title: 'Service and HTTP' },
  { id: 'database', title: 'Database' },
  { id: 'viatom', title: 'Viatom' },
  { id: 'callers', title: 'Who may call' },
  {
    id: 'push-checks',
    title: 'Which pushes are believed',
    note: 'Each optional, all combinable; a push failing any is answered 401. With `NODE_ENV=production` at least one of `WEBHOOK_TOKEN`, `WEBHOOK_IP_ALLOWLIST` and `WEBHOOK_SIGNATURE_SECRETS` is required.',
  },
  { id: 'rate-limits', title: 'Rate limits', note: 'In memory, per process; with `REDIS_URL`, in Redis, shared by every replica.' },
  {
    id: 'delivery',
    title: 'Event delivery',
    note: 'The event feed, webhook endpoints (managed over the REST API) and the RabbitMQ publisher; see [Events and delivery](#events-and-delivery).',
  },
  {
    id: 'privacy',
    title: 'Personal data',
    note: 'What happens to a person\'s data when their consent ends; see [Deletion on withdrawal](#deletion-on-withdrawal).',
  },
  { id: 'fhir', title: 'FHIR', note: 'HL7 FHIR R4 under `/fhir`, with the API key; see [FHIR R4](#fhir-r4).' },
  { id: 'logs', title: 'Logs' },
  { id: 'metrics', title: 'Metrics', note: 'Prometheus text format at `GET /metrics`, outside `/api/v1`, without the API key; see [Metrics](#metrics).' },
] as const satisfies readonly { id: string; title: string; note?: string }[];

export type ConfigGroupId = (typeof CONFIG_GROUPS)[number]['id'];

/**
 * What of a value may be shown, in the docs and in a message: `false` all of it; `true` none
 * of it (a key, a token: the docs show no default either); `'url-password'` all but the
 * password of the URL it is (a database, Redis or proxy URL), which becomes `***`.
 */
export type Secrecy = boolean | 'url-password';

/** A value read from its text: the value, what is wrong with it, or nothing (as if unset). */
export type Parsed<T> = { value: T } | { problems: string[] } | { absent: true };

export interface ConfigVariable<N extends string = string, T = unknown> {
  readonly name: N;
  readonly kind: 'integer' | 'boolean' | 'enum' | 'text' | 'list';
  readonly group: ConfigGroupId;
  /** What it does, in Markdown (the README shows it as is, .env.example as plain text). */
  readonly description: string;
  readonly secret: Secrecy;
  /** Set when the variable must be given: what to give, for the message naming it. */
  readonly required?: string;
  /** The default as written in the environment; undefined: none. */
  readonly defaultText?: string;
  /** The value when unset (and, for a variable that is wrong, what the rules never see). */
  readonly fallback: T;
  /** A value to show in .env.example when there is no default (never for a secret). */
  readonly example?: string;
  /** What it accepts, in Markdown, for the docs: `1 to 500`, `` `hex` or `base64` ``… */
  readonly accepts: string;
  /** Integers: the bounds. Enumerations: the values allowed. */
  readonly min?: number;
  readonly max?: number;
  readonly values?: readonly string[];
  /** Reads the trimmed, non-blank text of the variable. */
  parse(text: string): Parsed<T>;
}

interface Common {
  group: ConfigGroupId;
  description: string;
  secret?: Secrecy;
  example?: string;
}

/** A check of a value: the problems found, each naming the variable. */
export type Check<T> = (value: T, name: string) => string[];

function checked<T>(value: T, name: string, check: Check<T> | undefined): Parsed<T> {
  const problems = check?.(value, name) ?? [];
  return problems.length > 0 ? { problems } : { value };
}

/** A whole number within bounds, written in decimal digits only (no sign, fraction, exponent or hex). */
export function integer<N extends string, D extends number | undefined = undefined>(
  name: N,
  options: Common & { min: number; max: number; default?: D },
): ConfigVariable<N, D extends number ? number : number | undefined> {
  const { min, max } = options;
  return {
    ...variable(name, options),
    kind: 'integer',
    min,
    max,
    accepts: `${min} to ${max}`,
    defaultText: options.default === undefined ? undefined : String(options.default),
    fallback: options.default as D extends number ? number : number | undefined,
    parse(text) {
      const n = Number(text);
      if (!/^\d+$/.test(text) || n < min || n > max) return { problems: [`${name} must be a whole number from ${min} to ${max} (got "${text}")`] };
      return { value: n };
    },
  };
}

const TRUE = ['true', '1', 'yes'];
const FALSE = ['false', '0', 'no'];

/** `true`/`false`, `1`/`0` or `yes`/`no`, in any case. */
export function boolean<N extends string>(name: N, options: Common & { default: boolean }): ConfigVariable<N, boolean> {
  return {
    ...variable(name, options),
    kind: 'boolean',
    accepts: '`true` or `false`',
    defaultText: String(options.default),
    fallback: options.default,
    parse(text) {
      const lower = text.toLowerCase();
      if (TRUE.includes(lower)) return { value: true };
      if (FALSE.includes(lower)) return { value: false };
      return { problems: [`${name} must be true or false (got "${text}")`] };
    },
  };
}

/** One of a few values; in any case (and read in lower case) unless `caseSensitive`. */
export function oneOf<N extends string, V extends string>(
  name: N,
  options: Common & { values: readonly V[]; default: NoInfer<V>; caseSensitive?: boolean },
): ConfigVariable<N, V> {
  const { values } = options;
  return {
    ...variable(name, options),
    kind: 'enum',
    values,
    accepts: alternatives(values.map((v) => `\`${v}\``)),
    defaultText: options.default,
    fallback: options.default,
    parse(text) {
      const candidate = (options.caseSensitive ? text : text.toLowerCase()) as V;
      if (!values.includes(candidate)) return { problems: [`${name} must be one of ${values.join(', ')} (got "${text}")`] };
      return { value: candidate };
    },
  };
}

/** `a`, `b` or `c`. */
function alternatives(items: string[]): string {
  return items.length === 1 ? items[0] : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** Free text, optionally checked, then normalised (e.g. a header name in lower case). */
export function text<N extends string, D extends string | undefined = undefined, R extends string | undefined = undefined>(
  name: N,
  options: Common & { default?: D; required?: R; accepts?: string; check?: Check<string>; normalize?: (value: string) => string },
): ConfigVariable<N, D extends string ? string : R extends string ? string : string | undefined> {
  type T = D extends string ? string : R extends string ? string : string | undefined;
  return {
    ...variable(name, options),
    kind: 'text',
    required: options.required,
    accepts: options.accepts ?? 'text',
    defaultText: options.default,
    fallback: (options.default ?? (options.required === undefined ? undefined : '')) as T,
    parse(value) {
      const result = checked(value, name, options.check);
      return 'value' in result && options.normalize ? { value: options.normalize(result.value) as T } : (result as Parsed<T>);
    },
  };
}

/** Comma-separated entries, trimmed, empty ones dropped; no entry at all is as unset. */
export function list<N extends string>(
  name: N,
  options: Common & { required?: string; accepts?: string; check?: Check<string[]> },
): ConfigVariable<N, string[]> {
  return {
    ...variable(name, options),
    kind: 'list',
    required: options.required,
    accepts: options.accepts ?? 'comma-separated list',
    // A new array each time: no two configurations share one.
    get fallback(): string[] {
      return [];
    },
    parse(value) {
      const entries = value
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean);
      return entries.length === 0 ? { absent: true } : checked(entries, name, options.check);
    },
  };
}

function variable<N extends string>(name: N, options: Common): Pick<ConfigVariable<N>, 'name' | 'group' | 'description' | 'secret' | 'example'> {
  return { name, group: options.group, description: options.description, secret: options.secret ?? false, example: options.example };
}

/** `${name} must be at least n characters long`. */
export function atLeast(length: number): Check<string> {
  return (value, name) => (value.length < length ? [`${name} must be at least ${length} characters long`] : []);
}

const ISO_DURATION = /^P(?:(\d{1,6})W)?(?:(\d{1,6})D)?(?:T(?:(\d{1,6})H)?(?:(\d{1,6})M)?(?:(\d{1,9})(?:\.(\d{1,3}))?S)?)?$/;

/**
 * An ISO 8601 duration of weeks, days, hours, minutes and seconds (`P30D`, `PT24H`, `PT0.5S`),
 * in milliseconds; null when it is not one. Years and months are refused: their length varies.
 */
export function parseIsoDuration(text: string): number | null {
  const match = ISO_DURATION.exec(text.toUpperCase());
  // At least one part, and no `T` without a time after it.
  if (!match || !match.slice(1, 6).some((part) => part !== undefined) || /T$/i.test(text)) return null;
  const [w, d, h, m, s] = match.slice(1, 6).map((part) => Number(part ?? 0));
  const ms = Number((match[6] ?? '').padEnd(3, '0'));
  return ((((w * 7 + d) * 24 + h) * 60 + m) * 60 + s) * 1000 + ms;
}

function durationProblem(name: string, text: string, minMs: number, maxMs: number): string | null {
  const ms = parseIsoDuration(text);
  if (ms === null) return `${name} must be an ISO 8601 duration such as PT15S, PT24H or P30D (got "${text}")`;
  if (ms < minMs || ms > maxMs) return `${name} must be from ${formatDuration(minMs)} to ${formatDuration(maxMs)} (got "${text}")`;
  return null;
}

/** Milliseconds as the shortest ISO 8601 duration that says them (`PT5M`, `P5D`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return 'PT0S';
  const days = Math.floor(ms / 86_400_000);
  const rest = ms - days * 86_400_000;
  const h = Math.floor(rest / 3_600_000);
  const m = Math.floor((rest % 3_600_000) / 60_000);
  const s = (rest % 60_000) / 1000;
  const time = `${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s ? `${s}S` : ''}`;
  return `P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
}

/** A duration (ISO 8601), read as milliseconds, within bounds. */
export function duration<N extends string>(
  name: N,
  options: Common & { default: string; minMs: number; maxMs: number },
): ConfigVariable<N, number> {
  const fallback = parseIsoDuration(options.default);
  if (fallback === null) throw new Error(`${name}: the default "${options.default}" is not an ISO 8601 duration`);
  return {
    ...variable(name, options),
    kind: 'text',
    accepts: `ISO 8601 duration, ${formatDuration(options.minMs)} to ${formatDuration(options.maxMs)}`,
    defaultText: options.default,
    fallback,
    parse(text) {
      const problem = durationProblem(name, text, options.minMs, options.maxMs);
      return problem ? { problems: [problem] } : { value: parseIsoDuration(text) as number };
    },
  };
}

/** Comma-separated ISO 8601 durations, each within bounds, read as milliseconds. */
export function durations<N extends string>(
  name: N,
  options: Common & { default: string; minMs: number; maxMs: number; maxEntries: number },
): ConfigVariable<N, number[]> {
  const read = (text: string): Parsed<number[]> => {
    const entries = text.split(',').map((entry) => entry.trim());
    if (entries.length > options.maxEntries) return { problems: [`${name} may hold at most ${options.maxEntries} durations (got ${entries.length})`] };
    const problems = entries.flatMap((entry) => durationProblem(name, entry, options.minMs, options.maxMs) ?? []);
    return problems.length > 0 ? { problems } : { value: entries.map((entry) => parseIsoDuration(entry) as number) };
  };
  const fallback = read(options.default);
  if (!('value' in fallback)) throw new Error(`${name}: the default "${options.default}" is not a list of durations`);
  return {
    ...variable(name, options),
    kind: 'list',
    accepts: `comma-separated ISO 8601 durations, ${formatDuration(options.minMs)} to ${formatDuration(options.maxMs)} each`,
    defaultText: options.default,
    get fallback(): number[] {
      return [...fallback.value];
    },
    parse: read,
  };
}
