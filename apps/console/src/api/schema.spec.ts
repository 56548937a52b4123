import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderApiTypes, SCHEMA_FILE } from '../../scripts/api-types.mjs';

describe('the console types of the REST API', () => {
  it('are the ones generated from the committed OpenAPI document (run `npm run console:api-types` after `npm run openapi:export`)', async () => {
    const generated: string = await renderApiTypes();
    expect(readFileSync(SCHEMA_FILE, 'utf8') === generated).toBe(true);
  }, 30_000);
});
