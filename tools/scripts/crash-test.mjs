#!/usr/bin/env node
// Crash and shutdown test of the built API (npm run build first), on SQLite and, when
// TEST_DATABASE_URL is set, on PostgreSQL:
//  1. SIGKILL in the middle of a push load, restart: every push answered 2xx before the kill
//     is stored, exactly once; the pushes that were not answered are accepted when resent.
//  2. SIGTERM in the middle of a push load: the process drains and exits; again every push
//     answered 2xx is stored.
// Loopback only; every loop is bounded. Exits non-zero when a check fails.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, sleep } from '../bench/lib.mjs';
import { createRequire } from 'node:module';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(join(root, 'package.json'));
const API = join(root, 'dist/apps/api/main.js');
const API_KEY = 'crash-test-api-key-0123456789';
const LOAD_CONCURRENCY = 20;
const PUSHES_PER_PHASE = 3000;

if (!existsSync(API)) {
  console.error('dist/apps/api/main.js is missing: run `npm run build` first.');
  process.exit(2);
}

function startApi(env) {
  const child = spawn(process.execPath, [API], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  child.exitInfo = new Promise((res) => child.on('exit', (code, signal) => res({ code, signal, stderr })));
  return child;
}

async function waitHealthy(url, child, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`API exited during start: ${(await child.exitInfo).stderr}`);
    try {
      if ((await fetch(`${url}/health`)).status === 200) return;
    } catch {
      /* not listening yet */
    }
    await sleep(100);
  }
  throw new Error('API did not become healthy in time');
}

function pushBody(tag, i) {
  return JSON.stringify({
    type: 2,
    data_tag: tag,
    account_id: 'OA==|MTEx',
    member_id: 'OA==|LTE=',
    data: { phone: `1530${String(i % 100000).padStart(7, '0')}` },
    create_time: '2022-12-29 10:00:00',
    update_time: '2022-12-29 10:00:00',
  });
}

/** Sends pushes with bounded concurrency until done or stopped; returns the tags answered 2xx. */
async function pushLoad(url, tags, shouldStop) {
  const acked = new Set();
  const outcomes = {};
  let next = 0;
  let sent = 0;
  const worker = async () => {
    while (next < tags.length && !shouldStop()) {
      const i = next++;
      sent++;
      try {
        const res = await fetch(`${url}/api/v1/webhooks/viatom`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: pushBody(tags[i], i) });
        await res.arrayBuffer();
        outcomes[res.status] = (outcomes[res.status] ?? 0) + 1;
        if (res.status >= 200 && res.status < 300) acked.add(tags[i]);
      } catch {
        // Connection refused or dropped: not acknowledged.
        outcomes.dropped = (outcomes.dropped ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: LOAD_CONCURRENCY }, worker));
  return { acked, sent, outcomes };
}

async function openDatabase(engine) {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'crash-test-'));
    const file = join(dir, 'db.sqlite');
    const Database = require('better-sqlite3');
    return {
      env: { DATABASE_URL: `sqlite:${file}` },
      countByTag: async (tag) => {
        const db = new Database(file, { readonly: true });
        try {
          return db.prepare('SELECT data_tag, COUNT(*) AS n FROM push_log WHERE data_tag LIKE ? GROUP BY data_tag').all(`${tag}%`);
        } finally {
          db.close();
        }
      },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const { Client } = require('pg');
  const url = process.env.TEST_DATABASE_URL;
  const schema = `crash_${process.pid}_${Date.now()}`;
  const withClient = async (work) => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  await withClient((c) => c.query(`CREATE SCHEMA "${schema}"`));
  return {
    env: { DATABASE_URL: url, DATABASE_SCHEMA: schema },
    countByTag: (tag) =>
      withClient(async (c) => (await c.query(`SELECT data_tag, COUNT(*)::int AS n FROM "${schema}".push_log WHERE data_tag LIKE $1 GROUP BY data_tag`, [`${tag}%`])).rows),
    drop: () => withClient((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)),
  };
}

async function verify(db, prefix, acked, label) {
  const rows = await db.countByTag(prefix);
  const stored = new Map(rows.map((r) => [r.data_tag, Number(r.n)]));
  const missing = [...acked].filter((t) => !stored.has(t));
  const doubled = [...stored].filter(([, n]) => n !== 1);
  const ok = missing.length === 0 && doubled.length === 0;
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${label}: ${acked.size} answered 2xx, ${stored.size} stored, ${missing.length} answered but missing, ${doubled.length} stored twice`);
  return ok;
}

async function runEngine(engine) {
  console.log(`\n${engine}:`);
  const db = await openDatabase(engine);
  let ok = true;
  let child;
  try {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = {
      ...db.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'development',
      VIATOM_BASE_URL: 'http://127.0.0.1:9',
      VIATOM_SECRET: 'unused',
      VIATOM_ACCESS_TOKEN: 'unused',
      API_KEYS: API_KEY,
      WEBHOOK_TOKEN: '',
      // Fixed keys: the restarted process must open what the killed one sealed.
      DATA_ENCRYPTION_KEYS: `crash:${Buffer.alloc(32, 3).toString('base64')}`,
      DATA_HASH_KEY: Buffer.alloc(32, 4).toString('base64'),
      // The load is the point here: no rate limit.
      RATE_LIMIT_PUSH_MAX: '0',
      RATE_LIMIT_API_MAX: '0',
      LOG_LEVEL: 'warn',
    };

    // 1. SIGKILL mid-load.
    child = startApi(env);
    await waitHealthy(url, child);
    const killTags = Array.from({ length: PUSHES_PER_PHASE }, (_, i) => `kill-${i}`);
    let killed = false;
    const load = pushLoad(url, killTags, () => killed);
    await sleep(1500);
    child.kill('SIGKILL');
    killed = true;
    const { acked, outcomes } = await load;
    console.log(`       answers during the SIGKILL load: ${JSON.stringify(outcomes)}`);
    await child.exitInfo;
    child = startApi(env);
    await waitHealthy(url, child);
    ok = (await verify(db, 'kill-', acked, 'SIGKILL mid-load, restarted')) && ok;
    // A retrying sender resends what was not acknowledged: everything ends stored once.
    const resend = await pushLoad(url, killTags, () => false);
    ok = (await verify(db, 'kill-', resend.acked, 'every push resent after the restart')) && ok;
    if (resend.acked.size !== killTags.length) {
      console.log(`  FAIL resend: ${resend.acked.size}/${killTags.length} answered 2xx`);
      ok = false;
    }

    // 2. SIGTERM mid-load: drain and exit.
    const termTags = Array.from({ length: PUSHES_PER_PHASE }, (_, i) => `term-${i}`);
    let stopped = false;
    const termLoad = pushLoad(url, termTags, () => stopped);
    await sleep(1500);
    child.kill('SIGTERM');
    const exit = await Promise.race([child.exitInfo, sleep(15_000).then(() => null)]);
    stopped = true;
    const term = await termLoad;
    if (!exit) {
      console.log('  FAIL SIGTERM: the process did not exit within 15 s');
      child.kill('SIGKILL');
      ok = false;
    } else {
      console.log(`  ok   SIGTERM: exited (${exit.signal ?? `code ${exit.code}`}) after draining`);
    }
    console.log(`       answers during the SIGTERM load: ${JSON.stringify(term.outcomes)}`);
    ok = (await verify(db, 'term-', term.acked, 'SIGTERM mid-load')) && ok;
  } finally {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await db.drop();
  }
  return ok;
}

const engines = ['sqlite', ...(process.env.TEST_DATABASE_URL ? ['postgres'] : [])];
let allOk = true;
for (const engine of engines) allOk = (await runEngine(engine)) && allOk;
console.log(allOk ? '\ncrash test: passed' : '\ncrash test: FAILED');
process.exit(allOk ? 0 : 1);
