#!/usr/bin/env node
// The console's types of the REST API, generated from the API's committed OpenAPI document
// (apps/api/openapi.json): a change to the API that breaks the console breaks its type-check.
// `npm run console:api-types` rewrites src/api/schema.d.ts; a console test fails when it drifts.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const here = dirname(fileURLToPath(import.meta.url));
export const OPENAPI_DOCUMENT = resolve(here, '../../api/openapi.json');
export const SCHEMA_FILE = resolve(here, '../src/api/schema.d.ts');

const HEADER = `/**
 * Generated from apps/api/openapi.json by \`npm run console:api-types\`: do not edit.
 * A console test fails when this file and the document differ.
 */

`;

/** The schema file's text for the document as it is now. */
export async function renderApiTypes() {
  const document = JSON.parse(readFileSync(OPENAPI_DOCUMENT, 'utf8'));
  const ast = await openapiTS(document, { alphabetize: false, exportType: false });
  return HEADER + astToString(ast);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeFileSync(SCHEMA_FILE, await renderApiTypes());
  console.log(`wrote ${SCHEMA_FILE}`);
}
