/**
 * A strict reader of Prometheus' text exposition format (0.0.4), for the metrics tests: what a
 * scraper would refuse, this throws on (a malformed line, a sample of no declared family, a
 * repeated series, a histogram whose buckets do not add up).
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  type: MetricType;
  help: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Record<MetricType, string[]> = {
  counter: [''],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

function parseValue(text: string, line: string): number {
  // As Prometheus reads them (Go's ParseFloat): Inf and NaN in any case; prom-client writes `Nan`.
  if (/^\+?inf$/i.test(text)) return Infinity;
  if (/^-inf$/i.test(text)) return -Infinity;
  if (/^nan$/i.test(text)) return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`not a number: ${JSON.stringify(text)} in ${JSON.stringify(line)}`);
  return Number(text);
}

/** `{a="x",b="y\"z"}` from `at` (the `{`); returns the labels and the index after the `}`. */
function parseLabels(line: string, at: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = at + 1;
  const fail = (why: string): never => {
    throw new Error(`${why} at column ${i} of ${JSON.stringify(line)}`);
  };
  while (line[i] !== '}') {
    const eq = line.indexOf('=', i);
    if (eq < 0) fail('label without =');
    const name = line.slice(i, eq).trim();
    if (!LABEL_NAME.test(name)) fail(`bad label name ${JSON.stringify(name)}`);
    if (name in labels) fail(`label ${name} twice`);
    i = eq + 1;
    if (line[i] !== '"') fail('label value not quoted');
    let value = '';
    for (i += 1; line[i] !== '"'; i += 1) {
      if (i >= line.length) fail('unterminated label value');
      if (line[i] === '\\') {
        i += 1;
        const escaped = line[i];
        if (escaped === 'n') value += '\n';
        else if (escaped === '\\' || escaped === '"') value += escaped;
        else fail(`bad escape \\${escaped}`);
      } else {
        value += line[i];
      }
    }
    labels[name] = value;
    i += 1;
    if (line[i] === ',') i += 1;
    else if (line[i] !== '}') fail('expected , or }');
  }
  return { labels, end: i + 1 };
}

function parseSample(line: string): Sample {
  const brace = line.indexOf('{');
  const space = line.indexOf(' ');
  let name: string;
  let labels: Record<string, string> = {};
  let rest: string;
  if (brace >= 0 && (space < 0 || brace < space)) {
    name = line.slice(0, brace);
    const parsed = parseLabels(line, brace);
    labels = parsed.labels;
    rest = line.slice(parsed.end);
  } else {
    if (space < 0) throw new Error(`sample without a value: ${JSON.stringify(line)}`);
    name = line.slice(0, space);
    rest = line.slice(space);
  }
  if (!NAME.test(name)) throw new Error(`bad metric name ${JSON.stringify(name)}`);
  const parts = rest.trim().split(/ +/);
  if (parts.length < 1 || parts.length > 2 || parts[0] === '') throw new Error(`bad value or timestamp: ${JSON.stringify(line)}`);
  if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) throw new Error(`bad timestamp: ${JSON.stringify(line)}`);
  return { name, labels, value: parseValue(parts[0], line) };
}

const seriesKey = (sample: Sample) =>
  `${sample.name}{${Object.entries(sample.labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',')}}`;

/** Checks each histogram series: buckets cumulative, a +Inf bucket equal to _count. */
function checkHistogram(family: MetricFamily): void {
  const groups = new Map<string, { buckets: Array<[number, number]>; count?: number }>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = seriesKey({ name: '', labels: rest, value: 0 });
    const group = groups.get(key) ?? { buckets: [] };
    groups.set(key, group);
    if (sample.name.endsWith('_bucket')) {
      if (le === undefined) throw new Error(`${family.name}: a bucket without le`);
      group.buckets.push([parseValue(le, le), sample.value]);
    } else if (sample.name.endsWith('_count')) group.count = sample.value;
  }
  for (const [key, { buckets, count }] of groups) {
    const sorted = [...buckets].sort(([a], [b]) => a - b);
    if (sorted.at(-1)?.[0] !== Infinity) throw new Error(`${family.name}${key}: no +Inf bucket`);
    for (let i = 1; i < sorted.length; i += 1) {
      if (sorted[i][1] < sorted[i - 1][1]) throw new Error(`${family.name}${key}: buckets are not cumulative`);
    }
    if (sorted.at(-1)?.[1] !== count) throw new Error(`${family.name}${key}: the +Inf bucket is not _count`);
  }
}

/** Every family of the text, by name. Throws on anything a strict scraper would refuse. */
export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  const seen = new Set<string>();
  const familyOf = (sampleName: string): MetricFamily | undefined => {
    for (const family of families.values()) {
      if (SUFFIXES[family.type].some((suffix) => `${family.name}${suffix}` === sampleName)) return family;
    }
    return undefined;
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (!match) continue; // a plain comment
      const [, keyword, name, rest = ''] = match;
      if (!NAME.test(name)) throw new Error(`bad metric name in ${JSON.stringify(line)}`);
      const family = families.get(name) ?? { name, type: 'untyped' as MetricType, help: '', samples: [] };
      if (keyword === 'TYPE') {
        if (!TYPES.has(rest as MetricType)) throw new Error(`unknown type in ${JSON.stringify(line)}`);
        if (families.has(name) && family.samples.length > 0) throw new Error(`TYPE after samples: ${JSON.stringify(line)}`);
        family.type = rest as MetricType;
      } else {
        family.help = rest.replace(/\\(n|\\)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
      }
      families.set(name, family);
      continue;
    }
    const sample = parseSample(line);
    const family = familyOf(sample.name);
    if (!family) throw new Error(`a sample of no declared family: ${JSON.stringify(line)}`);
    const key = seriesKey(sample);
    if (seen.has(key)) throw new Error(`series twice: ${key}`);
    seen.add(key);
    family.samples.push(sample);
  }
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

/** The one sample of `name` whose labels are exactly these (0 labels: the unlabelled one); throws when there is none. */
export function sampleValue(families: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}): number {
  const wanted = seriesKey({ name, labels, value: 0 });
  for (const family of families.values()) {
    const found = family.samples.find((sample) => seriesKey(sample) === wanted);
    if (found) return found.value;
  }
  throw new Error(`no sample ${wanted}`);
}

/** Every sample of `name` (e.g. `x_count` of a histogram) whose labels include these. */
export function samplesOf(families: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}): Sample[] {
  return [...families.values()]
    .flatMap((family) => family.samples)
    .filter((sample) => sample.name === name && Object.entries(labels).every(([k, v]) => sample.labels[k] === v));
}
