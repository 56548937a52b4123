#!/usr/bin/env node
// Delivery reliability test of the built API (npm run build first), with real processes, a real
// webhook receiver (signatures verified with the `standardwebhooks` package) and real RabbitMQ:
//  1. SIGKILL while events are being delivered, restart: every event of the feed reaches the
//     receiver at least once, none is invented, duplicates share their webhook-id (SQLite, PostgreSQL).
//  2. The receiver down (connection refused), then answering 500, then back: every event arrives.
//  3. PostgreSQL: two API processes on one database deliver one stream to one receiver: none lost,
//     duplicates counted and reported (a handful at most).
//  4. RabbitMQ stopped and started (`rabbitmqctl stop_app` / `start_app`) during a push load: every
//     event is published once it is back.
// Loopback only; every wait is bounded. Exits non-zero when a check fails.
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { freePort, sleep } from '../bench/lib.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(join(root, 'package.json'));
const { Webhook } = require('standardwebhooks');
const API = join(root, 'dist/apps/api/main.js');
const API_KEY = 'delivery-test-api-key-0123456789';
const AMQP_URL = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const PHONE = '15300007777';
const ACCOUNT = 'OA==|ZGVsaXZlcnk=';

if (!existsSync(API)) {
  console.error('dist/apps/api/main.js is missing: run `npm run build` first.');
  process.exit(2);
}

let failures = 0;
const check = (ok, label) => {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${label}`);
  if (!ok) failures++;
  return ok;
};

// ---- the API as a process --------------------------------------------------------------

const children = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

async function startApi(env) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [API], {
    env: {
      ...process.env,
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: String(port),
      VIATOM_BASE_URL: 'http://127.0.0.1:9',
      VIATOM_SECRET: 'unused',
      VIATOM_ACCESS_TOKEN: 'unused',
      API_KEYS: API_KEY,
      WEBHOOK_TOKEN: '',
      // Fixed keys: the restarted process must open what the killed one sealed.
      DATA_ENCRYPTION_KEYS: `crash:${Buffer.alloc(32, 3).toString('base64')}`,
      DATA_HASH_KEY: Buffer.alloc(32, 4).toString('base64'),
      RATE_LIMIT_PUSH_MAX: '0',
      RATE_LIMIT_API_MAX: '0',
      LOG_LEVEL: 'warn',
      // Compressed: the point is the guarantee, not Svix's hours.
      DELIVERY_RETRY_SCHEDULE: 'PT0S,PT0.2S,PT0.5S,PT1S,PT1S,PT2S,PT2S,PT2S,PT2S,PT2S,PT2S,PT2S',
      DELIVERY_TIMEOUT: 'PT2S',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  child.exitInfo = new Promise((res) =>
    child.on('exit', (code, signal) => {
      children.delete(child);
      res({ code, signal, stderr });
    }),
  );
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`API exited during start: ${(await child.exitInfo).stderr}`);
    try {
      if ((await fetch(`${url}/health`)).status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error('API did not become healthy in time');
    await sleep(100);
  }
  return { child, url };
}

async function stopApi(api, signal = 'SIGTERM') {
  if (api.child.exitCode !== null || api.child.signalCode !== null) return;
  api.child.kill(signal);
  if (!(await Promise.race([api.child.exitInfo, sleep(15_000).then(() => null)]))) api.child.kill('SIGKILL');
}

async function call(api, method, path, body) {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: { 'x-api-key': API_KEY, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

function measurementBody(tag) {
  return JSON.stringify({
    type: 1,
    data_tag: tag,
    account_id: ACCOUNT,
    member_id: 'OA==|LTE=',
    device_sn: 'SN-DELIVERY',
    data: { data_type: 2, measure_time: '2022-12-29 10:00:00', measure_result: { spo2: 97, pr: 70 } },
    create_time: '2022-12-29 10:00:00',
    update_time: '2022-12-29 10:00:00',
  });
}

const grantBody = () =>
  JSON.stringify({
    type: 2,
    data_tag: `grant-${Date.now()}`,
    account_id: ACCOUNT,
    member_id: 'OA==|LTE=',
    data: { phone: PHONE },
    create_time: '2022-12-29 09:00:00',
    update_time: '2022-12-29 09:00:00',
  });

/** Sends pushes with bounded concurrency, spread over the given APIs, until done or stopped. */
async function pushLoad(apis, bodies, shouldStop = () => false, concurrency = 16) {
  let next = 0;
  let acked = 0;
  const worker = async (w) => {
    while (next < bodies.length && !shouldStop()) {
      const i = next++;
      const api = apis[(w + i) % apis.length];
      try {
        const res = await fetch(`${api.url}/api/v1/webhooks/viatom`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bodies[i] });
        await res.arrayBuffer();
        if (res.ok) acked++;
      } catch {
        /* not acknowledged: resent later by the phase that needs it */
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  return acked;
}

/** Every event id of the feed, oldest first. */
async function feedIds(api) {
  const ids = [];
  let after = '';
  for (;;) {
    const res = await call(api, 'GET', `/api/v1/events?limit=200${after ? `&after=${after}` : ''}`);
    if (res.status !== 200) throw new Error(`GET /api/v1/events answered ${res.status}`);
    ids.push(...res.body.items.map((e) => e.id));
    if (res.body.items.length === 0) return ids;
    after = res.body.nextCursor;
  }
}

// ---- a webhook receiver ----------------------------------------------------------------

/** A real HTTP receiver that verifies every signature; `mode` is ok, fail (500) or slow. */
async function startReceiver() {
  const port = await freePort();
  const receiver = {
    url: `http://127.0.0.1:${port}/hook`,
    mode: 'ok',
    secret: null,
    received: new Map(),
    badSignatures: 0,
    server: null,
    async listen() {
      this.server = createServer((req, res) => {
        const chunks = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', async () => {
          if (this.mode === 'fail') {
            res.writeHead(500).end('no');
            return;
          }
          const body = Buffer.concat(chunks).toString('utf8');
          try {
            new Webhook(this.secret).verify(body, req.headers);
          } catch {
            this.badSignatures++;
            res.writeHead(400).end('bad signature');
            return;
          }
          const id = req.headers['webhook-id'];
          this.received.set(id, (this.received.get(id) ?? 0) + 1);
          if (this.mode === 'slow') await sleep(20);
          res.writeHead(204).end();
        });
      });
      await new Promise((r) => this.server.listen(port, '127.0.0.1', r));
    },
    async close() {
      if (!this.server) return;
      this.server.closeAllConnections();
      await new Promise((r) => this.server.close(r));
      this.server = null;
    },
  };
  await receiver.listen();
  return receiver;
}

async function subscribe(api, receiver) {
  const res = await call(api, 'POST', '/api/v1/webhook-endpoints', { url: receiver.url, description: 'delivery test' });
  if (res.status !== 201) throw new Error(`POST /api/v1/webhook-endpoints answered ${res.status}: ${JSON.stringify(res.body)}`);
  receiver.secret = res.body.secret;
  return res.body.id;
}

/** Waits until the receiver has every one of `ids`; the ones still missing. */
async function waitAllReceived(receiver, ids, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let missing = ids.filter((id) => !receiver.received.has(id));
  while (missing.length > 0 && Date.now() < deadline) {
    await sleep(200);
    missing = missing.filter((id) => !receiver.received.has(id));
  }
  return missing;
}

function report(receiver, ids, missing, label) {
  const feed = new Set(ids);
  const invented = [...receiver.received.keys()].filter((id) => !feed.has(id));
  const duplicates = [...receiver.received.values()].reduce((n, count) => n + count - 1, 0);
  check(missing.length === 0 && invented.length === 0 && receiver.badSignatures === 0, `${label}: ${ids.length} events, ${missing.length} never delivered, ${invented.length} not in the feed, ${receiver.badSignatures} bad signatures, ${duplicates} duplicates (each with its event's webhook-id)`);
  return duplicates;
}

// ---- databases -------------------------------------------------------------------------

async function openDatabase(engine) {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'delivery-test-'));
    return { env: { DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}` }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const { Client } = require('pg');
  const url = process.env.TEST_DATABASE_URL;
  const schema = `delivery_${process.pid}_${Date.now()}`;
  const run = async (sql) => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE SCHEMA "${schema}"`);
  return { env: { DATABASE_URL: url, DATABASE_SCHEMA: schema }, drop: () => run(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`) };
}

// ---- the phases ------------------------------------------------------------------------

async function killDuringDelivery(engine) {
  const db = await openDatabase(engine);
  const receiver = await startReceiver();
  receiver.mode = 'slow';
  let api = await startApi(db.env);
  try {
    await subscribe(api, receiver);
    await pushLoad([api], [grantBody()]);
    const bodies = Array.from({ length: 1500 }, (_, i) => measurementBody(`kill-${engine}-${i}`));
    let killed = false;
    const load = pushLoad([api], bodies, () => killed);
    // Killed once deliveries are under way.
    const deadline = Date.now() + 20_000;
    while (receiver.received.size < 50 && Date.now() < deadline) await sleep(20);
    api.child.kill('SIGKILL');
    killed = true;
    await load;
    await api.child.exitInfo;
    const beforeRestart = receiver.received.size;
    api = await startApi(db.env);
    // A retrying sender resends what was not answered; repeats are stored once.
    await pushLoad([api], bodies);
    const ids = await feedIds(api);
    check(ids.length === 1501, `${engine}: the feed holds the grant and the 1500 measurements (${ids.length})`);
    const missing = await waitAllReceived(receiver, ids, 60_000);
    console.log(`       ${beforeRestart} events had arrived when the API was killed`);
    report(receiver, ids, missing, `${engine}: SIGKILL during delivery, restarted`);
  } finally {
    await stopApi(api);
    await receiver.close();
    await db.drop();
  }
}

async function receiverDownThenBack(engine) {
  const db = await openDatabase(engine);
  const receiver = await startReceiver();
  const api = await startApi(db.env);
  try {
    await subscribe(api, receiver);
    await receiver.close(); // connection refused
    await pushLoad([api], [grantBody(), ...Array.from({ length: 200 }, (_, i) => measurementBody(`down-${engine}-${i}`))]);
    await sleep(1500);
    receiver.mode = 'fail';
    await receiver.listen(); // now 500s
    await sleep(1500);
    const refusedOrFailed = receiver.received.size;
    receiver.mode = 'ok';
    const ids = await feedIds(api);
    const missing = await waitAllReceived(receiver, ids, 30_000);
    check(refusedOrFailed === 0, `${engine}: nothing counted as delivered while the receiver refused or answered 500`);
    report(receiver, ids, missing, `${engine}: receiver refused, then 500, then back`);
  } finally {
    await stopApi(api);
    await receiver.close();
    await db.drop();
  }
}

async function twoReplicas() {
  const db = await openDatabase('postgres');
  const receiver = await startReceiver();
  const a = await startApi(db.env);
  const b = await startApi(db.env);
  try {
    await subscribe(a, receiver);
    await pushLoad([a], [grantBody()]);
    await pushLoad([a, b], Array.from({ length: 2000 }, (_, i) => measurementBody(`replicas-${i}`)));
    const ids = await feedIds(a);
    const missing = await waitAllReceived(receiver, ids, 60_000);
    await sleep(1000); // late duplicates, if any, are counted too
    const duplicates = report(receiver, ids, missing, 'postgres: two API processes, one receiver');
    check(duplicates <= Math.max(5, ids.length * 0.01), `postgres: two replicas sent at most a handful of events twice (${duplicates})`);
  } finally {
    await stopApi(a);
    await stopApi(b);
    await receiver.close();
    await db.drop();
  }
}

function rabbitmqctl(...args) {
  execFileSync('rabbitmqctl', ['-q', ...args], { stdio: 'ignore', timeout: 60_000 });
}

async function brokerOutage(engine) {
  const amqp = require('amqplib');
  const db = await openDatabase(engine);
  const exchange = `delivery-test-${process.pid}-${engine}`;
  const queue = `${exchange}-all`;
  // A durable queue bound before any event: what is published while nobody consumes waits in it.
  let conn = await amqp.connect(AMQP_URL);
  let ch = await conn.createChannel();
  await ch.assertExchange(exchange, 'topic', { durable: true });
  await ch.assertQueue(queue, { durable: true });
  await ch.bindQueue(queue, exchange, '#');
  await conn.close();
  const api = await startApi({ ...db.env, RABBITMQ_URL: AMQP_URL, RABBITMQ_EXCHANGE: exchange });
  let stopped = false;
  try {
    const bodies = [grantBody(), ...Array.from({ length: 1000 }, (_, i) => measurementBody(`broker-${engine}-${i}`))];
    const load = pushLoad([api], bodies);
    await sleep(500);
    rabbitmqctl('stop_app');
    stopped = true;
    await sleep(3000);
    rabbitmqctl('start_app');
    rabbitmqctl('await_startup');
    stopped = false;
    await load;
    const ids = await feedIds(api);
    conn = await amqp.connect(AMQP_URL);
    ch = await conn.createChannel();
    const seen = new Map();
    const deadline = Date.now() + 60_000;
    while (ids.some((id) => !seen.has(id)) && Date.now() < deadline) {
      const message = await ch.get(queue, { noAck: true });
      if (!message) {
        await sleep(200);
        continue;
      }
      seen.set(message.properties.messageId, (seen.get(message.properties.messageId) ?? 0) + 1);
    }
    const missing = ids.filter((id) => !seen.has(id)).length;
    const duplicates = [...seen.values()].reduce((n, c) => n + c - 1, 0);
    check(missing === 0, `${engine}: RabbitMQ stopped and started during the load: ${ids.length} events, ${missing} never published, ${duplicates} published twice (same messageId)`);
    await ch.deleteQueue(queue);
    await ch.deleteExchange(exchange);
    await conn.close();
  } finally {
    if (stopped) {
      rabbitmqctl('start_app');
      rabbitmqctl('await_startup');
    }
    await stopApi(api);
    await db.drop();
  }
}

const engines = ['sqlite', ...(process.env.TEST_DATABASE_URL ? ['postgres'] : [])];
try {
  for (const engine of engines) {
    console.log(`\n${engine}:`);
    await killDuringDelivery(engine);
    await receiverDownThenBack(engine);
    await brokerOutage(engine);
  }
  if (engines.includes('postgres')) {
    console.log('\npostgres, two replicas:');
    await twoReplicas();
  }
} catch (error) {
  console.error(error);
  failures++;
}
console.log(failures === 0 ? '\ndelivery test: passed' : `\ndelivery test: FAILED (${failures})`);
process.exit(failures === 0 ? 0 : 1);
