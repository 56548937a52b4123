import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from './app-config';
import { CONFIG_RULES, CONFIG_SCHEMA } from './config-schema';
import { CONFIG_GROUPS, type ConfigVariable } from './config-variables';
import { problemsOf, REQUIRED_ENV } from './testing-env';

const variables = CONFIG_SCHEMA as readonly ConfigVariable[];
const names = variables.map((v) => v.name);
const ofKind = (test: (v: ConfigVariable) => boolean) => variables.filter(test).map((v) => [v.name, v] as const);

/** Problems about this variable (`NAME ` or `NAME:` at the start). */
const about = (problems: string[], name: string) => problems.filter((p) => p.startsWith(`${name} `) || p.startsWith(`${name}:`));

describe('the configuration schema', () => {
  it('declares each variable once, with a name, a known group, a description and what it accepts', () => {
    expect(new Set(names).size).toBe(names.length);
    const groups = CONFIG_GROUPS.map((g) => g.id as string);
    for (const v of variables) {
      expect(v.name).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
      expect(groups).toContain(v.group);
      expect(v.description).not.toBe('');
      expect(v.accepts).not.toBe('');
    }
    // Grouped: a group's variables sit together, the groups in their order.
    const order = variables.map((v) => groups.indexOf(v.group));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(new Set(order).size).toBe(groups.length);
  });

  it('is where every variable the API reads is declared: the config reads no variable by its name', () => {
    const sources = readdirSync(__dirname).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));
    for (const file of sources) {
      const text = readFileSync(join(__dirname, file), 'utf8');
      expect({ file, reads: /process\.env|env\.[A-Z]|env\[['"]/.test(text) }).toEqual({ file, reads: false });
    }
    // The rules name only declared variables.
    for (const rule of CONFIG_RULES) for (const name of rule.uses) expect(names).toContain(name);
  });

  it('gives no secret a default or an example, and a required variable neither a default', () => {
    for (const v of variables) {
      if (v.secret === true) expect({ name: v.name, defaultText: v.defaultText, example: v.example }).toEqual({ name: v.name, defaultText: undefined, example: undefined });
      if (v.required !== undefined) expect({ name: v.name, defaultText: v.defaultText }).toEqual({ name: v.name, defaultText: undefined });
    }
  });

  it('reads each default as itself: the documented default is the value used', () => {
    for (const v of variables.filter((x) => x.defaultText !== undefined)) {
      expect({ name: v.name, parsed: v.parse(v.defaultText as string) }).toEqual({ name: v.name, parsed: { value: v.fallback } });
    }
    // And an example is a valid value.
    for (const v of variables.filter((x) => x.example !== undefined)) {
      expect({ name: v.name, parsed: 'value' in v.parse(v.example as string) }).toEqual({ name: v.name, parsed: true });
    }
  });

  it('starts with the required variables alone, and names each of them when missing', () => {
    expect(() => loadConfig(REQUIRED_ENV)).not.toThrow();
    const required = variables.filter((v) => v.required !== undefined).map((v) => v.name);
    expect(Object.keys(REQUIRED_ENV).sort()).toEqual([...required].sort());
    expect(problemsOf({})).toEqual(required.map((name) => expect.stringMatching(new RegExp(`^${name} is required: `))));
  });

  describe.each(ofKind((v) => v.kind === 'integer'))('integer %s', (name, v) => {
    const min = v.min as number;
    const max = v.max as number;
    it.each([String(min), String(max), ` ${max} `])('accepts %s', (value) => {
      expect(about(problemsOf({ ...REQUIRED_ENV, [name]: value }), name).filter((p) => p.includes('whole number'))).toEqual([]);
    });
    it.each([...(min > 0 ? [String(min - 1)] : []), String(max + 1), '-1', '1.5', '1e3', '0x10', 'ten'])('refuses %s, naming its bounds', (value) => {
      expect(problemsOf({ ...REQUIRED_ENV, [name]: value })).toEqual([`${name} must be a whole number from ${min} to ${max} (got "${value}")`]);
    });
  });

  describe.each(ofKind((v) => v.kind === 'boolean'))('boolean %s', (name) => {
    it.each(['true', 'YES', '1', 'false', 'No', '0'])('accepts %s', (value) => {
      expect(problemsOf({ ...REQUIRED_ENV, [name]: value })).toEqual([]);
    });
    it.each(['on', 'maybe', '2'])('refuses %s', (value) => {
      expect(problemsOf({ ...REQUIRED_ENV, [name]: value })).toEqual([`${name} must be true or false (got "${value}")`]);
    });
  });

  describe.each(ofKind((v) => v.kind === 'enum'))('enumeration %s', (name, v) => {
    const values = v.values as readonly string[];
    it.each(values)('accepts %s', (value) => {
      // A scheme alone is refused for its missing secrets: that is another rule.
      expect(about(problemsOf({ ...REQUIRED_ENV, [name]: value }), name).filter((p) => p.includes('must be one of'))).toEqual([]);
    });
    it('refuses anything else, listing what it takes', () => {
      expect(problemsOf({ ...REQUIRED_ENV, [name]: 'not-a-value' })).toEqual([`${name} must be one of ${values.join(', ')} (got "not-a-value")`]);
    });
  });

  it('gives each configuration lists of its own', () => {
    const [one, two] = [loadConfig(REQUIRED_ENV), loadConfig(REQUIRED_ENV)];
    expect(one.trustProxy).toEqual([]);
    expect(one.trustProxy).not.toBe(two.trustProxy);
    expect(one.pushAuth.ipAllowlist).not.toBe(two.pushAuth.ipAllowlist);
  });

  it('checks a variable that is set even where nothing uses it (an hmac setting without secrets)', () => {
    expect(problemsOf({ ...REQUIRED_ENV, WEBHOOK_SIGNATURE_ALGORITHM: 'md5', WEBHOOK_SIGNATURE_TOLERANCE_SECONDS: '0' })).toEqual([
      'WEBHOOK_SIGNATURE_ALGORITHM must be one of sha256, sha512 (got "md5")',
      'WEBHOOK_SIGNATURE_TOLERANCE_SECONDS must be a whole number from 1 to 86400 (got "0")',
    ]);
  });

  it('checks a rule only with valid values, so that a wrong variable is not blamed on another', () => {
    // The base delay is wrong: its default is not compared with the max delay.
    expect(problemsOf({ ...REQUIRED_ENV, VIATOM_RETRY_BASE_DELAY_MS: 'soon', VIATOM_RETRY_MAX_DELAY_MS: '50' })).toEqual([
      'VIATOM_RETRY_BASE_DELAY_MS must be a whole number from 1 to 60000 (got "soon")',
    ]);
  });

  it('never repeats a secret, nor the password of a URL, when it refuses one', () => {
    for (const v of variables.filter((x) => x.secret !== false)) {
      const value = v.secret === true ? 'S3CRET' : 'ftp://user:S3CRET@host:1/path?q#f';
      const problems = problemsOf({ ...REQUIRED_ENV, [v.name]: value });
      expect({ name: v.name, leaked: problems.filter((p) => p.includes('S3CRET')) }).toEqual({ name: v.name, leaked: [] });
    }
  });
});
