// Helpers of the benchmark suite (free ports and sleep are shared with tools/scripts): free ports, child processes (always killed on exit),
// health polling, RSS, autocannon runs with exact percentiles, PostgreSQL schemas.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const require = createRequire(import.meta.url);
const autocannon = require('autocannon');

/** Published benchmark-only credentials: the API and the sandbox are given the same ones. */
export const CREDS = {
  secret: 'bench-sandbox-secret',
  accessToken: 'bench-sandbox-access-token',
  apiKey: 'bench-api-key-0123456789',
  webhookToken: 'bench-webhook-token-0123456789',
};

/** The bench's data keys (bench.mjs gives them to the API): the seeders seal and hash phones as the API would. */
export const BENCH_DATA_KEYS = {
  encryptionKeys: `bench:${Buffer.alloc(32, 7).toString('base64')}`,
  hashKey: Buffer.alloc(32, 9).toString('base64'),
};

/**
 * How a seeder writes the phone `'1531234' || lpad(<expr>, 4, '0')`: in clear on a schema from
 * before the encryption at rest, else as the API does (its keyed hash and its sealed form, made
 * here for `count` phones into a temporary table: HMAC-SHA256 and AES-256-GCM with the bench's keys).
 */
export async function seededPhones(client, table, count) {
  const { rows } = await client.query(`SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND column_name = 'phone_hash'`, [table]);
  const clear = (expr) => `'1531234' || lpad((${expr})::text, 4, '0')`;
  if (rows.length === 0) return { columns: 'phone', values: clear };
  const { createCipheriv, createHmac, randomBytes } = await import('node:crypto');
  const hashKey = Buffer.from(BENCH_DATA_KEYS.hashKey, 'base64');
  const key = Buffer.from(BENCH_DATA_KEYS.encryptionKeys.split(':')[1], 'base64');
  const phones = Array.from({ length: count }, (_, i) => {
    const phone = `1531234${String(i).padStart(4, '0')}`;
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(Buffer.from('phone'));
    const body = Buffer.concat([nonce, cipher.update(phone, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return { i, hash: createHmac('sha256', hashKey).update(`phone:${phone}`).digest('hex'), enc: `hb1:bench:${body.toString('base64')}` };
  });
  await client.query('CREATE TEMP TABLE IF NOT EXISTS seed_phones (i int PRIMARY KEY, hash text, enc text)');
  await client.query('INSERT INTO seed_phones SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(i int, hash text, enc text) ON CONFLICT DO NOTHING', [JSON.stringify(phones)]);
  return {
    columns: 'phone_hash, phone_enc',
    values: (expr) => `(SELECT hash FROM seed_phones WHERE i = ${expr}), (SELECT enc FROM seed_phones WHERE i = ${expr})`,
  };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A free loopback port (asked of the kernel, then released). */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

// ---- child processes -------------------------------------------------------------------

const children = new Set();

/** Kills every child still running (synchronous: usable from 'exit'). */
export function killAllChildren(signal = 'SIGKILL') {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill(signal);
      } catch {
        /* already gone */
      }
    }
  }
}

/**
 * Spawns `node <args>` with its output in a log file; returns a handle with
 * `stop()` (SIGTERM, then SIGKILL after 5 s) and `logTail()` for error messages.
 */
export function spawnNode(name, args, env, logDir, nodeFlags = []) {
  const logFile = resolve(logDir, `${name}.log`);
  const fd = openSync(logFile, 'a');
  const startedAt = performance.now();
  const child = spawn(process.execPath, [...nodeFlags, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  children.add(child);
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  exited.then(() => children.delete(child));
  return {
    name,
    child,
    pid: child.pid,
    startedAt,
    exited,
    logFile,
    running: () => child.exitCode === null && child.signalCode === null,
    logTail: (lines = 15) => {
      try {
        return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } catch {
        return '(no log)';
      }
    },
    async stop(signal = 'SIGTERM', graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

/** One HTTP request on loopback; resolves { status, body }. Bounded by `timeoutMs`. */
export function httpRequest(url, { method = 'GET', headers = {}, body, timeoutMs = 5000 } = {}) {
  return new Promise((resolveReq, reject) => {
    const req = request(url, { method, headers, timeout: timeoutMs, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolveReq({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Polls `url` until it answers 200; resolves ms since `proc` was spawned. Bounded by `timeoutMs`. */
export async function waitHealthy(proc, url, timeoutMs = 30_000, intervalMs = 10) {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (!proc.running()) throw new Error(`${proc.name} exited before answering ${url}:\n${proc.logTail()}`);
    try {
      const res = await httpRequest(url, { timeoutMs: 1000 });
      if (res.status === 200) return performance.now() - proc.startedAt;
    } catch {
      /* not listening yet */
    }
    await sleep(intervalMs);
  }
  throw new Error(`${proc.name} did not answer 200 on ${url} within ${timeoutMs} ms:\n${proc.logTail()}`);
}

/** Resident set size of a process, in MB, from /proc/<pid>/status (VmRSS). */
export function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) / 1024;
}

// ---- load ------------------------------------------------------------------------------

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export function median(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

const MAX_SAMPLES = 5_000_000;

/**
 * One autocannon run. Latencies are taken from every response (float ms) so that
 * p50/p95/p99 are exact rather than whole milliseconds. `opts` is passed to autocannon
 * (url, method, headers, body, requests, connections, duration or amount).
 */
export async function load(opts) {
  const samples = new Float64Array(Math.min(MAX_SAMPLES, opts.amount ?? MAX_SAMPLES));
  let n = 0;
  let ok = 0;
  let other = 0;
  const statuses = {};
  const instance = autocannon({ timeout: 30, ...opts });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode >= 200 && statusCode < 300) ok++;
    else {
      other++;
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    }
    if (n < samples.length) samples[n++] = responseTime;
  });
  const result = await instance;
  const sorted = samples.subarray(0, n).sort();
  const seconds = result.duration || opts.duration || 1;
  return {
    requests: ok + other,
    ok,
    non2xx: other,
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds,
    rps: ok / seconds,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
  };
}

// ---- PostgreSQL ------------------------------------------------------------------------

export async function pgClient(url, connectTimeoutMs = 3000) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs });
  await client.connect();
  return client;
}

/** Schemas created by this run, dropped at the end of their figure (and on errors). */
const schemas = new Set();

export async function createSchema(pgUrl, name) {
  const client = await pgClient(pgUrl);
  try {
    await client.query(`CREATE SCHEMA "${name}"`);
    schemas.add(name);
  } finally {
    await client.end();
  }
  return name;
}

export async function dropSchema(pgUrl, name) {
  const client = await pgClient(pgUrl);
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
    schemas.delete(name);
  } finally {
    await client.end();
  }
}

export async function dropAllSchemas(pgUrl) {
  for (const name of [...schemas]) {
    try {
      await dropSchema(pgUrl, name);
    } catch (error) {
      console.error(`could not drop schema ${name}: ${error.message}`);
    }
  }
}

export function requireBuilt() {
  const missing = ['dist/apps/api/main.js', 'dist/tools/viatom-sandbox/main.js'].filter((f) => !existsSync(resolve(ROOT, f)));
  if (missing.length > 0) {
    console.error(`npm run bench needs the built API and sandbox, and builds nothing itself.\nMissing: ${missing.join(', ')}\nRun \`npm run build\` first.`);
    process.exit(2);
  }
}

/**
 * Seeds a PostgreSQL schema a chunk at a time: `insert(client, from, to)` for each chunk of row
 * numbers from the table's count + 1 up to `rows` (so a schema can be grown 10k → 1M), with
 * `prepare(client)` first, the progress logged, then ANALYZE of the tables it names.
 */
export async function seedInChunks({ pgUrl, schema, rows, table, noun, analyze, chunk = 100_000, log = () => {}, prepare }, insert) {
  const client = await pgClient(pgUrl);
  try {
    await client.query(`SET search_path TO "${schema}"`);
    if (prepare) await prepare(client);
    const { rows: countRows } = await client.query(`SELECT count(*)::int AS n FROM ${table}`);
    const started = performance.now();
    for (let from = countRows[0].n + 1; from <= rows; ) {
      const to = Math.min(rows, from + chunk - 1);
      await insert(client, from, to);
      from = to + 1;
      log(`  seeded ${schema}: ${to.toLocaleString('en-US')} ${noun} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    }
    await client.query(analyze.map((t) => `ANALYZE ${t}`).join('; '));
  } finally {
    await client.end();
  }
}

/** A seeder run alone: `node <script> --schema=<migrated schema> [--rows=1000000] [--pg=<url>]`. */
export async function runSeeder(script, seed) {
  const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
  const schema = arg('schema');
  if (!schema) {
    console.error(`usage: node ${script} --schema=<schema with migrated tables> [--rows=1000000] [--pg=<url>]`);
    process.exit(2);
  }
  await seed(arg('pg', 'postgres://postgres@127.0.0.1:5432/test'), schema, Number(arg('rows', 1_000_000)), console.log);
}
