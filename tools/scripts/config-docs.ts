/**
 * `npm run config:docs`: writes .env.example and the README's configuration table (between its
 * `<!-- config:begin -->` / `<!-- config:end -->` markers) from the API's configuration schema,
 * apps/api/src/config/config-schema.ts. A test fails while either is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderEnvExample, withReadmeTable } from '../../apps/api/src/config/config-docs';

const root = join(__dirname, '..', '..');

function update(file: string, render: (current: string) => string): void {
  const path = join(root, file);
  const current = readFileSync(path, 'utf8');
  const next = render(current);
  if (next === current) {
    console.log(`${file}: up to date`);
    return;
  }
  writeFileSync(path, next);
  console.log(`${file}: rewritten from the schema`);
}

update('.env.example', () => renderEnvExample());
update('README.md', withReadmeTable);
