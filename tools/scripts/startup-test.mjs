#!/usr/bin/env node
// Start-up and stop of the built API, the sandbox and `npm start`, as real processes (npm run
// build first; CI runs it after the build): each way of failing to start ends the process
// non-zero with one message naming the variable to change; SIGTERM drains and exits 0; the
// probes answer over HTTP. PostgreSQL cases run when TEST_DATABASE_URL is set. Loopback only;
// every wait is bounded and every process and server is closed whatever fails. Prints
// `N passed, M failed` and exits non-zero on a failure.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, sleep } from '../bench/lib.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(join(root, 'package.json'));
const API = join(root, 'dist/apps/api/main.js');
const SANDBOX = join(root, 'dist/tools/viatom-sandbox/main.js');
const API_KEY = 'startup-test-api-key-0123456789';
const PASSWORD = 'startup-test-Secret-pw';
/** How long any one process may take to do what is asked of it before the case fails (a hang guard, not a speed check). */
const PATIENCE_MS = 30_000;

for (const file of [API, SANDBOX]) {
  if (!existsSync(file)) {
    console.error(`${file.slice(root.length + 1)} is missing: run npm run build first.`);
    process.exit(2);
  }
}

const scratch = mkdtempSync(join(tmpdir(), 'startup-test-'));
const children = new Set();
/** How to close every server the run opened. */
const closers = [];
/** A port something else holds (closed by the end of the run). */
async function busyPort() {
  const server = createServer((socket) => socket.destroy());
  closers.push(() => server.close());
  await new Promise((res) => server.listen(0, '127.0.0.1', res));
  return server.address().port;
}

/** A port on which nothing listens: connections to it are refused. */
const closedPort = freePort;

let databases = 0;
function apiEnv(overrides = {}) {
  return {
    PATH: process.env.PATH,
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    DATABASE_URL: `sqlite:${join(scratch, `db-${++databases}`, 'health-bridge.sqlite')}`,
    VIATOM_BASE_URL: 'http://127.0.0.1:9',
    VIATOM_SECRET: 'unused-secret',
    VIATOM_ACCESS_TOKEN: 'unused-access-token',
    API_KEYS: API_KEY,
    LOG_LEVEL: 'info',
    ...overrides,
  };
}

/**
 * Spawns a process (cwd: a scratch directory, so that no developer's .env is read); its output is
 * kept. Each in a process group of its own, so that `killAll` also ends what it started (npm
 * start's API and sandbox), whatever a failed case left running.
 */
function start(args, env, { cwd = scratch } = {}) {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.add(child);
  child.out = '';
  child.err = '';
  child.stdout.on('data', (d) => (child.out += d));
  child.stderr.on('data', (d) => (child.err += d));
  child.exited = new Promise((res) =>
    child.on('exit', (code, signal) => {
      children.delete(child);
      res({ code, signal });
    }),
  );
  child.output = () => `${child.out}${child.err}`;
  return child;
}

/** SIGKILL to the child's whole process group (itself and what it started). */
function killAll(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

/** Waits for the process to exit; a process still running after PATIENCE_MS is killed and the case fails. */
async function exitOf(child) {
  const exit = await Promise.race([child.exited, sleep(PATIENCE_MS).then(() => null)]);
  if (exit) return exit;
  killAll(child);
  throw new Error(`still running after ${PATIENCE_MS / 1000} s; output:\n${child.output()}`);
}

async function waitFor(child, what, check) {
  const deadline = Date.now() + PATIENCE_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited (${child.exitCode ?? child.signalCode}) before ${what}:\n${child.output()}`);
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`no ${what} within ${PATIENCE_MS / 1000} s:\n${child.output()}`);
}

const live = (port) => () => fetch(`http://127.0.0.1:${port}/health/live`).then((r) => r.status === 200);

async function getJson(url) {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

/** Output that is one message, not a stack trace. */
function checkNoStack(text) {
  check(!/^\s+at .+:\d+:\d+\)?$/m.test(text), `a stack trace was printed:\n${text}`);
}

const results = [];
async function test(name, run) {
  try {
    await run();
    results.push(true);
    console.log(`  ok   ${name}`);
  } catch (error) {
    results.push(false);
    console.log(`  FAIL ${name}\n       ${String(error?.message ?? error).replace(/\n/g, '\n       ')}`);
  } finally {
    for (const child of children) killAll(child);
    await Promise.all([...children].map((c) => c.exited));
  }
}

/** PostgreSQL: a fresh schema per case, dropped at the end. */
const postgresUrl = process.env.TEST_DATABASE_URL;
const schemas = [];
async function withPg(work) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: postgresUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
async function freshSchema() {
  const schema = `startup_${process.pid}_${schemas.length}`;
  await withPg((c) => c.query(`CREATE SCHEMA "${schema}"`));
  schemas.push(schema);
  return schema;
}

/** A TCP relay to PostgreSQL on a given port, started late: until then the port refuses connections. */
async function relayTo(url, port) {
  const target = new URL(url);
  const sockets = new Set();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  closers.push(() => {
    server.close();
    for (const s of sockets) s.destroy();
  });
  await new Promise((res) => server.listen(port, '127.0.0.1', res));
  return server;
}

const scriptOf = (name) => JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts[name];

try {
  console.log('API start-up failures:');

  await test('a busy PORT: non-zero, one message naming PORT', async () => {
    const port = await busyPort();
    const api = start([API], apiEnv({ PORT: String(port) }));
    const { code } = await exitOf(api);
    check(code !== 0 && code !== null, `exit ${code}`);
    check(api.err.includes('PORT') && api.err.includes(String(port)), `stderr does not name PORT ${port}:\n${api.err}`);
    // Nothing started before the port was known to be taken (no workers sending webhooks).
    check(!api.output().includes('successfully started'), `the application started before it found the port taken:\n${api.output()}`);
    checkNoStack(api.output());
  });

  await test('a busy METRICS_PORT: non-zero, one message naming METRICS_PORT', async () => {
    const port = await busyPort();
    const api = start([API], apiEnv({ PORT: String(await freePort()), METRICS_PORT: String(port) }));
    const { code } = await exitOf(api);
    check(code !== 0 && code !== null, `exit ${code}`);
    check(api.err.includes('METRICS_PORT') && api.err.includes(String(port)), `stderr does not name METRICS_PORT ${port}:\n${api.err}`);
    checkNoStack(api.output());
  });

  await test('a bad variable (VIATOM_TIMEOUT_MS=abc): non-zero, names it', async () => {
    const api = start([API], apiEnv({ PORT: String(await freePort()), VIATOM_TIMEOUT_MS: 'abc' }));
    const { code } = await exitOf(api);
    check(code !== 0 && code !== null, `exit ${code}`);
    check(/VIATOM_TIMEOUT_MS.*"abc"/.test(api.err), `stderr does not name VIATOM_TIMEOUT_MS:\n${api.err}`);
  });

  await test('PostgreSQL unreachable: a line per attempt with the masked target, then one message naming DATABASE_URL', async () => {
    const port = await closedPort();
    const api = start([API], apiEnv({ PORT: String(await freePort()), DATABASE_URL: `postgres://app:${PASSWORD}@127.0.0.1:${port}/health`, DATABASE_CONNECT_TIMEOUT_MS: '3000' }));
    const { code } = await exitOf(api);
    check(code !== 0 && code !== null, `exit ${code}`);
    check(!api.output().includes(PASSWORD), `the password was printed:\n${api.output()}`);
    const attempts = api.out
      .split('\n')
      .filter((line) => line.includes('waiting for the database'))
      .map((line) => JSON.parse(line));
    check(attempts.length >= 2, `${attempts.length} attempt lines:\n${api.out}`);
    attempts.forEach((line, i) => {
      check(line.attempt === i + 1 && line.msg.includes(`attempt ${i + 1}`), `attempt line ${i + 1} is ${JSON.stringify(line)}`);
      check(line.msg.includes(`postgres://app:***@127.0.0.1:${port}/health`), `attempt line without the masked target: ${line.msg}`);
    });
    check(/DATABASE_URL/.test(api.err) && /DATABASE_CONNECT_TIMEOUT_MS/.test(api.err) && api.err.includes(`app:***@127.0.0.1:${port}`), `stderr:\n${api.err}`);
    check(api.err.trim().split('\n').length <= 3, `more than one message:\n${api.err}`);
    check(!api.output().includes('Unable to connect to the database'), "TypeOrmModule's own retry lines are printed");
    checkNoStack(api.output());
  });

  await test('an unusable SQLite path (its directory is a file): non-zero, names the path', async () => {
    const file = join(scratch, 'a-file');
    writeFileSync(file, 'not a directory');
    const path = join(file, 'db', 'health-bridge.sqlite');
    const api = start([API], apiEnv({ PORT: String(await freePort()), DATABASE_URL: `sqlite:${path}` }));
    const { code } = await exitOf(api);
    check(code !== 0 && code !== null, `exit ${code}`);
    check(api.err.includes(path) && api.err.includes('DATABASE_URL'), `stderr does not name ${path}:\n${api.err}`);
    checkNoStack(api.output());
  });

  await test('a SQLite path that cannot be opened (a directory): non-zero, names the path', async () => {
    const dir = join(scratch, 'a-directory');
    mkdirSync(dir);
    const api = start([API], apiEnv({ PORT: String(await freePort()), DATABASE_URL: `sqlite:${dir}` }));
    const { code } = await exitOf(api);
    check(code !== 0 && code !== null, `exit ${code}`);
    check(api.err.includes(dir) && /unable to open database file/.test(api.err), `stderr:\n${api.err}`);
    checkNoStack(api.output());
  });

  for (const script of ['start:api', 'start:sandbox']) {
    await test(`npm run ${script} without a build: "run npm run build"`, async () => {
      // The script's own command line, run from a copy of the tree that has no dist/.
      const [node, launcher, entry, ...rest] = scriptOf(script).split(' ');
      check(node === 'node' && rest.length === 0, `unexpected script: ${scriptOf(script)}`);
      const copy = join(scratch, `tree-${script.replace(':', '-')}`);
      mkdirSync(join(copy, dirname(launcher)), { recursive: true });
      copyFileSync(join(root, launcher), join(copy, launcher));
      const run = start([join(copy, launcher), entry], { PATH: process.env.PATH }, { cwd: copy });
      const { code } = await exitOf(run);
      check(code !== 0 && code !== null, `exit ${code}`);
      check(run.err.includes(entry) && run.err.includes('run npm run build'), `stderr:\n${run.err}`);
      checkNoStack(run.output());
    });
  }

  if (postgresUrl) {
    await test('PostgreSQL that comes up during the wait: attempt lines, then it starts', async () => {
      const port = await closedPort();
      const schema = await freshSchema();
      const url = new URL(postgresUrl);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      const apiPort = await freePort();
      const api = start([API], apiEnv({ PORT: String(apiPort), DATABASE_URL: url.toString(), DATABASE_SCHEMA: schema }));
      await waitFor(api, 'an attempt line', async () => api.out.includes('"attempt":2'));
      await relayTo(postgresUrl, port);
      await waitFor(api, '/health/ready 200', () => fetch(`http://127.0.0.1:${apiPort}/health/ready`).then((r) => r.status === 200));
      check(/database at .* reached \(attempt \d+\)/.test(api.out), `no "reached" line:\n${api.out}`);
    });
  }

  console.log('\nthe running API:');

  await test('production without DATA_ENCRYPTION_KEYS and DATA_HASH_KEY: non-zero, names both', async () => {
    const api = start([API], apiEnv({ PORT: String(await freePort()), NODE_ENV: 'production', WEBHOOK_TOKEN: 'a-production-token-0123456789' }));
    const { code } = await exitOf(api);
    check(code !== 0 && code !== null, `exit ${code}`);
    check(/needs DATA_ENCRYPTION_KEYS/.test(api.err) && /needs DATA_HASH_KEY/.test(api.err), `stderr does not name the keys:\n${api.err}`);
  });

  await test('development without data keys: starts on throw-away keys, and says so', async () => {
    const port = await freePort();
    const api = start([API], apiEnv({ PORT: String(port) }));
    await waitFor(api, '/health/live 200', live(port));
    check(/throw-away keys made for this run/.test(api.out + api.err), `no warning about throw-away keys:\n${api.out}${api.err}`);
    api.kill('SIGTERM');
    await exitOf(api);
  });

  await test('listening line, /health/live and /health/ready over HTTP', async () => {
    const port = await freePort();
    const api = start([API], apiEnv({ PORT: String(port) }));
    await waitFor(api, '/health/live 200', live(port));
    check(api.out.split('\n').filter((l) => l.includes('health-bridge listening on')).length === 1, `listening lines:\n${api.out}`);
    check((await getJson(`http://127.0.0.1:${port}/health/live`)).body.status === 'ok', '/health/live body');
    const ready = await getJson(`http://127.0.0.1:${port}/health/ready`);
    check(ready.status === 200 && ready.body.status === 'ready' && ready.body.database === 'up' && ready.body.migrations === 'applied', JSON.stringify(ready));
    check((await fetch(`http://127.0.0.1:${port}/api/v1/health/ready`)).status === 404, '/health/ready is also under /api/v1');
  });

  await test('SIGTERM: "stopping", the request in flight answered, "stopped: drained 1 request", exit 0', async () => {
    const port = await freePort();
    const api = start([API], apiEnv({ PORT: String(port), WEBHOOK_TOKEN: '' }));
    await waitFor(api, '/health/live 200', live(port));
    // A push whose body is still arriving is in flight.
    const body = JSON.stringify({
      type: 2,
      data_tag: 'startup-test',
      account_id: 'OA==|MTEx',
      member_id: 'OA==|LTE=',
      data: { phone: '15312341234' },
      create_time: '2022-12-29 10:00:00',
      update_time: '2022-12-29 10:00:00',
    });
    let sendTheRest;
    const answer = new Promise((res, rej) => {
      const req = request(
        { host: '127.0.0.1', port, method: 'POST', path: '/api/v1/webhooks/viatom', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res_) => {
          res_.resume();
          res_.on('end', () => res(res_.statusCode));
        },
      );
      req.on('error', rej);
      req.write(body.slice(0, 10));
      sendTheRest = () => req.end(body.slice(10));
    });
    await sleep(200);
    api.kill('SIGTERM');
    await waitFor(api, 'a "stopping" line', async () => /stopping \(SIGTERM\).*1 request in flight/.test(api.out));
    sendTheRest();
    check((await answer) === 200, `the push in flight was answered ${await answer}`);
    const exit = await exitOf(api);
    check(exit.code === 0, `exit ${JSON.stringify(exit)}:\n${api.output()}`);
    check(/stopped: drained 1 request in flight; database closed/.test(api.out), `no "stopped" line:\n${api.out}`);
  });

  console.log('\nthe sandbox and npm start:');

  await test('the sandbox on a busy SANDBOX_PORT: non-zero, names SANDBOX_PORT', async () => {
    const port = await busyPort();
    const sandbox = start([SANDBOX], { PATH: process.env.PATH, SANDBOX_PORT: String(port) });
    const { code } = await exitOf(sandbox);
    check(code !== 0 && code !== null, `exit ${code}`);
    check(sandbox.err.includes('SANDBOX_PORT') && sandbox.err.includes(String(port)), `stderr:\n${sandbox.err}`);
  });

  const startDev = async (env) =>
    start([join(root, 'tools/scripts/start-dev.mjs'), '--no-build'], {
      PATH: process.env.PATH,
      DATABASE_URL: `sqlite:${join(scratch, `db-${++databases}`, 'health-bridge.sqlite')}`,
      LOG_LEVEL: 'warn',
      ...env,
    });

  await test('npm start with the API port busy: non-zero, says the API failed, stops the sandbox', async () => {
    const [apiPort, sandboxPort] = [await busyPort(), await freePort()];
    const dev = await startDev({ PORT: String(apiPort), SANDBOX_PORT: String(sandboxPort) });
    const { code } = await exitOf(dev);
    check(code !== 0 && code !== null, `exit ${code}`);
    check(/the API failed/.test(dev.err) && dev.err.includes('PORT'), `stderr:\n${dev.err}`);
    check(!(await fetch(`http://127.0.0.1:${sandboxPort}/admin`).then(() => true, () => false)), 'the sandbox is still running');
  });

  await test('npm start with the sandbox port busy: non-zero, says the sandbox failed', async () => {
    const [apiPort, sandboxPort] = [await freePort(), await busyPort()];
    const dev = await startDev({ PORT: String(apiPort), SANDBOX_PORT: String(sandboxPort) });
    const { code } = await exitOf(dev);
    check(code !== 0 && code !== null, `exit ${code}`);
    check(/the Viatom sandbox failed/.test(dev.err) && dev.err.includes('SANDBOX_PORT'), `stderr:\n${dev.err}`);
    check(!(await fetch(`http://127.0.0.1:${apiPort}/health/live`).then(() => true, () => false)), 'the API is still running');
  });

  await test('npm start with a bad variable: non-zero, names it', async () => {
    const dev = await startDev({ PORT: String(await freePort()), SANDBOX_PORT: String(await freePort()), VIATOM_TIMEOUT_MS: 'abc' });
    const { code } = await exitOf(dev);
    check(code !== 0 && code !== null, `exit ${code}`);
    check(/VIATOM_TIMEOUT_MS/.test(dev.err) && /the API failed/.test(dev.err), `stderr:\n${dev.err}`);
  });

  await test('npm start serves the console, then SIGTERM: both stop, exit 0', async () => {
    const [apiPort, sandboxPort] = [await freePort(), await freePort()];
    const dev = await startDev({ PORT: String(apiPort), SANDBOX_PORT: String(sandboxPort), LOG_LEVEL: 'info' });
    await waitFor(dev, 'the API', live(apiPort));
    await waitFor(dev, 'the sandbox', () => fetch(`http://127.0.0.1:${sandboxPort}/admin`).then(() => true));
    // The URL its banner prints; the built console is found beside the built API.
    const consolePage = await fetch(`http://127.0.0.1:${apiPort}/console/`);
    const page = await consolePage.text();
    check(consolePage.status === 200 && /<html/i.test(page), `GET /console/: ${consolePage.status} ${page.slice(0, 200)}`);
    dev.kill('SIGTERM');
    const exit = await exitOf(dev);
    check(exit.code === 0, `exit ${JSON.stringify(exit)}:\n${dev.output()}`);
    check(/stopped: drained/.test(dev.out) && /Viatom sandbox: SIG(TERM|INT), closing/.test(dev.out), `stop lines missing:\n${dev.output()}`);
  });

  await test('npm start, then SIGTERM to its whole process group: every service stops cleanly (once), exit 0', async () => {
    const [apiPort, sandboxPort] = [await freePort(), await freePort()];
    const dev = await startDev({ PORT: String(apiPort), SANDBOX_PORT: String(sandboxPort), LOG_LEVEL: 'info' });
    await waitFor(dev, 'the API', live(apiPort));
    await waitFor(dev, 'the sandbox', () => fetch(`http://127.0.0.1:${sandboxPort}/admin`).then(() => true));
    // What an orchestrator or a terminal's job control does: the script and the services get it.
    process.kill(-dev.pid, 'SIGTERM');
    const exit = await exitOf(dev);
    check(exit.code === 0, `exit ${JSON.stringify(exit)}:\n${dev.output()}`);
    check(/stopped: drained/.test(dev.out) && /Viatom sandbox: SIG(TERM|INT), closing/.test(dev.out), `a service did not stop cleanly:\n${dev.output()}`);
  });
} finally {
  for (const child of children) killAll(child);
  for (const close of closers) close();
  if (schemas.length > 0) await withPg((c) => Promise.all(schemas.map((s) => c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`)))).catch((e) => console.error(`could not drop the test schemas: ${e.message}`));
  rmSync(scratch, { recursive: true, force: true });
}

const passed = results.filter(Boolean).length;
console.log(`\n${passed} passed, ${results.length - passed} failed`);
process.exit(results.length > 0 && passed === results.length ? 0 : 1);
