import { CONFIG_SCHEMA } from './config-schema';
import { CONFIG_GROUPS, type ConfigVariable } from './config-variables';
import { maskUrlPassword } from './security-config';

/*
 * .env.example and the README's configuration table, written from the schema: `npm run
 * config:docs` (tools/scripts/config-docs.ts) writes them, config-docs.spec.ts fails when
 * either differs from what is written here.
 */

export const README_TABLE_BEGIN = '<!-- config:begin -->';
export const README_TABLE_END = '<!-- config:end -->';
export const CONFIG_DOCS_COMMAND = 'npm run config:docs';

const SCHEMA_FILE = 'apps/api/src/config/config-schema.ts';
const WIDTH = 96;
const variables = CONFIG_SCHEMA as readonly ConfigVariable[];

/** The groups in their order, each with its variables in schema order. */
function groups() {
  return CONFIG_GROUPS.map((group) => ({ ...group, variables: variables.filter((v) => v.group === group.id) }));
}

/** The default as it may be shown: none for a secret, a URL's password masked. */
function shownDefault(variable: ConfigVariable): string | undefined {
  if (variable.defaultText === undefined || variable.secret === true) return undefined;
  return variable.secret === 'url-password' ? maskUrlPassword(variable.defaultText) : variable.defaultText;
}

/** What the docs add to a secret's description. */
function secrecyNote(variable: ConfigVariable): string {
  if (variable.secret === true) return 'Secret: never logged.';
  if (variable.secret === 'url-password') return 'Its password is never logged.';
  return '';
}

/** A sentence of the description, ended. */
const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1) + (text.endsWith('.') ? '' : '.');

/** Markdown as plain text: code spans and emphasis unmarked, a link to a README section named. */
function plain(markdown: string): string {
  return markdown
    .replace(/\[([^\]]+)\]\(#[^)]+\)/g, 'README "$1"')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\*([^*]+)\*/g, '$1');
}

/** `# `-prefixed lines of at most WIDTH characters (a word longer than that stands alone); `tail` is kept whole. */
function comment(text: string, tail?: string): string[] {
  const lines: string[] = [];
  let line = '#';
  for (const word of [...text.split(/\s+/).filter(Boolean), ...(tail === undefined ? [] : [tail])]) {
    if (line.length + 1 + word.length > WIDTH && line !== '#') {
      lines.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  if (line !== '#') lines.push(line);
  return lines;
}

/**
 * .env.example: every variable with its description; the required ones set (to an example, or
 * empty for a secret), the others commented out at their default or an example.
 */
export function renderEnvExample(): string {
  const out = [
    ...comment(`Generated from ${SCHEMA_FILE} by ${CONFIG_DOCS_COMMAND}: edit the schema, not this file.`),
    ...comment(
      'health-bridge configuration. Copy to .env (read at start when present; real environment variables win) and fill in the required variables; uncomment a line to change a default. Every variable is validated at start: a bad one stops the service with a message naming it. npm start sets development values of its own (tools/scripts/start-dev.mjs).',
    ),
  ];
  for (const group of groups()) {
    out.push('', `# --- ${group.title} `.padEnd(WIDTH, '-'));
    if ('note' in group) out.push(...comment(plain(group.note)));
    for (const variable of group.variables) {
      const accepts = variable.required === undefined ? plain(variable.accepts) : `${plain(variable.accepts)}, required`;
      out.push('', ...comment(`${plain(sentence(variable.description))} ${secrecyNote(variable)}`, `(${accepts})`));
      const value = shownDefault(variable) ?? (variable.secret === true ? '' : (variable.example ?? ''));
      out.push(variable.required === undefined ? `# ${variable.name}=${value}` : `${variable.name}=${value}`);
    }
  }
  return `${out.join('\n')}\n`;
}

const cell = (markdown: string) => markdown.replace(/\|/g, '\\|');

function defaultCell(variable: ConfigVariable): string {
  if (variable.required !== undefined) return '**required**';
  const shown = shownDefault(variable);
  if (shown === undefined) return '(none)';
  return shown === '' ? '(empty)' : `\`${shown}\``;
}

/** The README's configuration tables, one per group, markers included. */
export function renderReadmeTable(): string {
  const out = [README_TABLE_BEGIN, `<!-- Generated from ${SCHEMA_FILE} by \`${CONFIG_DOCS_COMMAND}\`: edit the schema, not this table. -->`];
  for (const group of groups()) {
    out.push('', `**${group.title}**`, ...('note' in group ? ['', group.note] : []), '', '| variable | default | accepts | meaning |', '| --- | --- | --- | --- |');
    for (const v of group.variables) {
      const example = v.example === undefined ? '' : ` E.g. \`${v.example}\`.`;
      const meaning = `${sentence(v.description)}${example} ${secrecyNote(v)}`.trim();
      out.push(`| \`${v.name}\` | ${defaultCell(v)} | ${cell(v.accepts)} | ${cell(meaning)} |`);
    }
  }
  out.push('', README_TABLE_END);
  return out.join('\n');
}

/** The README with the text between its markers replaced by the generated tables. */
export function withReadmeTable(readme: string): string {
  const begin = readme.indexOf(README_TABLE_BEGIN);
  const end = readme.indexOf(README_TABLE_END);
  if (begin === -1 || end < begin) {
    throw new Error(`README.md has no ${README_TABLE_BEGIN} … ${README_TABLE_END} markers in its "Configuration" section: put them back where the table goes`);
  }
  return readme.slice(0, begin) + renderReadmeTable() + readme.slice(end + README_TABLE_END.length);
}
