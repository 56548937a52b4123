#!/usr/bin/env node
// `npm start`: builds the API and the Viatom sandbox, then runs both, wired to each other,
// on the embedded SQLite database. For development and demos only: every secret below is a
// published development default, printed as such.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const apiPort = process.env.PORT ?? '3000';
const sandboxPort = process.env.SANDBOX_PORT ?? '4010';
const DEV = {
  secret: 'dev-sandbox-secret',
  accessToken: 'dev-sandbox-access-token',
  apiKey: 'dev-api-key-change-me',
  webhookToken: 'dev-webhook-token-change-me',
};

if (!process.argv.includes('--no-build')) {
  const build = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '-p', 'api', 'viatom-sandbox', '--output-style=static'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NX_DAEMON: 'false' },
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const apiEnv = {
  PORT: apiPort,
  DATABASE_URL: 'sqlite:./data/health-bridge.sqlite',
  VIATOM_BASE_URL: `http://127.0.0.1:${sandboxPort}`,
  VIATOM_SECRET: DEV.secret,
  VIATOM_ACCESS_TOKEN: DEV.accessToken,
  API_KEYS: DEV.apiKey,
  WEBHOOK_TOKEN: DEV.webhookToken,
  ...process.env,
};
const sandboxEnv = {
  SANDBOX_PORT: sandboxPort,
  SANDBOX_SECRET: apiEnv.VIATOM_SECRET,
  SANDBOX_ACCESS_TOKEN: apiEnv.VIATOM_ACCESS_TOKEN,
  SANDBOX_PUSH_URL: `http://127.0.0.1:${apiPort}/api/v1/webhooks/viatom?token=${encodeURIComponent(apiEnv.WEBHOOK_TOKEN)}`,
  ...process.env,
};

const children = [
  spawn(process.execPath, ['dist/tools/viatom-sandbox/main.js'], { cwd: root, stdio: 'inherit', env: sandboxEnv }),
  spawn(process.execPath, ['dist/apps/api/main.js'], { cwd: root, stdio: 'inherit', env: apiEnv }),
];

let stopping = false;
const stop = (code) => {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 200).unref();
};
for (const child of children) child.on('exit', (code) => stop(code ?? 0));
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

const usingDevKey = apiEnv.API_KEYS === DEV.apiKey;
setTimeout(() => {
  if (stopping) return;
  console.log(`
  health-bridge is running (development defaults, SQLite at ${apiEnv.DATABASE_URL.replace('sqlite:', '')}):
    Swagger UI       http://localhost:${apiPort}/docs   (Authorize with X-API-Key: ${usingDevKey ? `${DEV.apiKey}, the development default` : 'one of your API_KEYS'})
    API              http://localhost:${apiPort}/api/v1
    Viatom sandbox   http://localhost:${sandboxPort}/admin   (consent page: the jumpPath that POST /api/v1/authorizations/auth-url returns)
  Try it:
    curl -s -X POST -H 'X-API-Key: ${usingDevKey ? DEV.apiKey : '<key>'}' http://localhost:${apiPort}/api/v1/authorizations/auth-url
  Ctrl+C stops both.
`);
}, 2500).unref();
