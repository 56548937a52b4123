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
  // The development data keys (apps/api/src/config/config-schema.ts refuses them in production): the embedded database
  // stays readable across restarts of `npm start`.
  dataEncryptionKeys: 'dev:ZGV2LWRhdGEta2V5LWNoYW5nZS1tZS0wMTIzNDU2Nzg=',
  dataHashKey: 'ZGV2LWhhc2gta2V5LWNoYW5nZS1tZS0wMTIzNDU2Nzg5',
};

if (!process.argv.includes('--no-build')) {
  const build = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '-p', 'api', 'viatom-sandbox', 'console', '--output-style=static'], {
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
  DATA_ENCRYPTION_KEYS: DEV.dataEncryptionKeys,
  DATA_HASH_KEY: DEV.dataHashKey,
  ...process.env,
};
const sandboxEnv = {
  SANDBOX_PORT: sandboxPort,
  SANDBOX_SECRET: apiEnv.VIATOM_SECRET,
  SANDBOX_ACCESS_TOKEN: apiEnv.VIATOM_ACCESS_TOKEN,
  SANDBOX_PUSH_URL: `http://127.0.0.1:${apiPort}/api/v1/webhooks/viatom?token=${encodeURIComponent(apiEnv.WEBHOOK_TOKEN)}`,
  ...process.env,
};

// Each through the launcher, which says "run npm run build" when a build is missing (--no-build).
const services = [
  { name: 'the Viatom sandbox', entry: 'dist/tools/viatom-sandbox/main.js', env: sandboxEnv },
  { name: 'the API', entry: 'dist/apps/api/main.js', env: apiEnv },
].map((service) => ({
  ...service,
  child: spawn(process.execPath, ['tools/scripts/run-built.mjs', service.entry], { cwd: root, stdio: 'inherit', env: service.env }),
}));

// Exits once both have exited: non-zero when either failed (a non-zero status, or killed by
// anything but the stop signals), saying which; 0 when both stopped as asked. A service that
// stops cleanly on its own (someone sent it SIGTERM) stops the other one too.
let stopping = false;
let failed = false;
// Each service stops on its first SIGTERM or SIGINT and dies at once on a second of the same
// kind. A signal sent to the whole process group (Ctrl+C, `kill -TERM -<pgid>`) reaches the
// services as well as this script: what this script forwards is therefore the other signal, so
// that a service never gets the same one twice and always stops cleanly.
const stop = (received) => {
  if (stopping) return;
  stopping = true;
  const forwarded = received === 'SIGTERM' ? 'SIGINT' : 'SIGTERM';
  for (const { child } of services) if (child.exitCode === null && child.signalCode === null) child.kill(forwarded);
  setTimeout(() => {
    for (const { name, child } of services) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      console.error(`npm start: ${name} did not stop within 15 s: killing it`);
      failed = true;
      child.kill('SIGKILL');
    }
  }, 15_000).unref();
};
for (const { name, child } of services) {
  child.on('exit', (code, signal) => {
    const clean = code === 0 || signal === 'SIGTERM' || signal === 'SIGINT';
    if (!clean) {
      failed = true;
      const others = services.filter((s) => s.child !== child && s.child.exitCode === null && s.child.signalCode === null);
      const how = code !== null ? `exit status ${code}` : `killed by ${signal}`;
      console.error(`npm start: ${name} failed (${how}; its message is above)${!stopping && others.length > 0 ? `: stopping ${others.map((s) => s.name).join(' and ')}` : ''}.`);
    }
    stop();
    if (services.every((s) => s.child.exitCode !== null || s.child.signalCode !== null)) process.exit(failed ? 1 : 0);
  });
}
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));

const usingDevKey = apiEnv.API_KEYS === DEV.apiKey;
setTimeout(() => {
  if (stopping) return;
  console.log(`
  health-bridge is running (development defaults, SQLite at ${apiEnv.DATABASE_URL.replace('sqlite:', '')}):
    Swagger UI       http://localhost:${apiPort}/docs   (Authorize with X-API-Key: ${usingDevKey ? `${DEV.apiKey}, the development default` : 'one of your API_KEYS'})
    Console          http://localhost:${apiPort}/console/   (sign in with ${usingDevKey ? `${DEV.apiKey}, the development default` : 'one of your API_KEYS'})
    API              http://localhost:${apiPort}/api/v1
    Viatom sandbox   http://localhost:${sandboxPort}/   (its landing page: the consent page, the admin API, the sample scenarios)
  Try it:
    curl -s -X POST -H 'X-API-Key: ${usingDevKey ? DEV.apiKey : '<key>'}' http://localhost:${apiPort}/api/v1/authorizations/auth-url
  Ctrl+C stops both.
`);
}, 2500).unref();
