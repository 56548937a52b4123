import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_DOCS_COMMAND, README_TABLE_BEGIN, README_TABLE_END, renderEnvExample, renderReadmeTable, withReadmeTable } from './config-docs';
import { CONFIG_SCHEMA } from './config-schema';
import { CONFIG_GROUPS } from './config-variables';

const ROOT = join(__dirname, '..', '..', '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const names = CONFIG_SCHEMA.map((v) => v.name);

/** Null when `current` is what the schema gives; else what differs first, and the command that fixes it. */
function staleness(file: string, current: string, expected: string): string | null {
  if (current === expected) return null;
  const have = current.split('\n');
  const want = expected.split('\n');
  const line = want.findIndex((text, i) => have[i] !== text);
  const at = line === -1 ? want.length : line;
  return `${file} is out of date with apps/api/src/config/config-schema.ts: line ${at + 1} is ${JSON.stringify(have[at])}, the schema gives ${JSON.stringify(want[at])}. Run \`${CONFIG_DOCS_COMMAND}\`.`;
}

describe('the configuration docs, generated from the schema', () => {
  it('.env.example is up to date', () => {
    expect(staleness('.env.example', read('.env.example'), renderEnvExample())).toBeNull();
  });

  it("the README's configuration table is up to date", () => {
    const readme = read('README.md');
    expect(staleness('README.md', readme, withReadmeTable(readme))).toBeNull();
  });

  it('says which line differs and which command fixes it', () => {
    const stale = staleness('.env.example', renderEnvExample().replace('# PORT=3000', '# PORT=8080'), renderEnvExample());
    expect(stale).toMatch(/^\.env\.example is out of date .*: line \d+ is "# PORT=8080", the schema gives "# PORT=3000"\. Run `npm run config:docs`\.$/);
  });

  it('puts the table inside the README\'s "Configuration" section, and nothing else between the markers', () => {
    const readme = read('README.md');
    const section = readme.indexOf('\n## Configuration\n');
    const next = readme.indexOf('\n## ', section + 1);
    expect(section).toBeGreaterThan(-1);
    expect(readme.indexOf(README_TABLE_BEGIN)).toBeGreaterThan(section);
    expect(readme.indexOf(README_TABLE_END)).toBeLessThan(next);
    expect(readme.split(README_TABLE_BEGIN)).toHaveLength(2);
  });

  it('replaces only what is between the markers, and refuses a README without them', () => {
    const readme = `before\n${README_TABLE_BEGIN}\nold table\n${README_TABLE_END}\nafter\n`;
    expect(withReadmeTable(readme)).toBe(`before\n${renderReadmeTable()}\nafter\n`);
    expect(withReadmeTable(withReadmeTable(readme))).toBe(withReadmeTable(readme));
    expect(() => withReadmeTable('no markers')).toThrow(/README\.md has no <!-- config:begin --> … <!-- config:end --> markers/);
  });

  it('lists every variable once, in the schema order, grouped in the same order in both', () => {
    const assigned = [...renderEnvExample().matchAll(/^(?:# )?([A-Z][A-Z0-9_]*)=\S*$/gm)].map((m) => m[1]);
    const rows = [...renderReadmeTable().matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((m) => m[1]);
    expect(assigned).toEqual(names);
    expect(rows).toEqual(names);
    const titles = CONFIG_GROUPS.map((g) => g.title);
    expect([...renderEnvExample().matchAll(/^# --- (.+?) -+$/gm)].map((m) => m[1])).toEqual(titles);
    expect([...renderReadmeTable().matchAll(/^\*\*(.+?)\*\*/gm)].map((m) => m[1])).toEqual(titles);
  });

  it('shows no value of a secret, and sets only the required variables in .env.example', () => {
    const example = renderEnvExample();
    for (const variable of CONFIG_SCHEMA) {
      const line = example.split('\n').find((l) => new RegExp(`^(# )?${variable.name}=`).test(l));
      if (variable.secret === true) expect(line).toMatch(new RegExp(`^(# )?${variable.name}=$`));
      expect(line?.startsWith('# ')).toBe(!('required' in variable && variable.required));
    }
    const row = (name: string) => renderReadmeTable().split('\n').find((l) => l.startsWith(`| \`${name}\` |`));
    expect(row('API_KEYS')).toMatch(/^\| `API_KEYS` \| \*\*required\*\* \|.*Secret: never logged\. \|$/);
    expect(row('METRICS_TOKEN')).toMatch(/^\| `METRICS_TOKEN` \| \(none\) \|/);
    expect(row('VIATOM_PROXY_URL')).toMatch(/^\| `VIATOM_PROXY_URL` \| \(none\) \|.*Its password is never logged\. \|$/);
  });

  it('keeps a table row in one line, a | in the text escaped', () => {
    const row = renderReadmeTable()
      .split('\n')
      .find((l) => l.startsWith('| `API_KEYS` |'));
    expect(row).toContain('echo -n "$KEY" \\| sha256sum');
    expect(row?.split(/(?<!\\)\|/)).toHaveLength(6);
  });
});
