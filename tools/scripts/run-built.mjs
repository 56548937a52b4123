#!/usr/bin/env node
// `npm run start:api` / `npm run start:sandbox`: runs a built entry point (dist/…) in this very
// process (signals and exit status are its own), or says that there is no build yet, where
// Node would print "Cannot find module" and a stack.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const entry = process.argv[2];
if (!entry) {
  console.error('usage: node tools/scripts/run-built.mjs dist/<project>/main.js');
  process.exit(2);
}
const file = resolve(root, entry);
if (!existsSync(file)) {
  console.error(`${entry} is missing: run npm run build first (npm start builds by itself).`);
  process.exit(1);
}
// The entry point is the program, as with `node dist/<project>/main.js`: what it finds beside
// itself through process.argv[1] (the API's built console, dist/apps/console) is found.
process.argv.splice(1, 2, file);
createRequire(import.meta.url)(file);
