#!/usr/bin/env node
// `npm run bench`: the benchmark suite of issue 6 (and the list-scale figures of issue 3).
// Builds nothing: runs dist/apps/api/main.js and dist/tools/viatom-sandbox/main.js (and the
// bare-Nest baseline of tools/bench/baseline-app.mjs) as child processes on free loopback
// ports, loads them with autocannon, prints one table and writes it as JSON to bench-results/.
//
// Flags: --connections=50 --duration=10 --warmup=3 --rounds=3 --only=push,changes,delivery,auth,list,memory,startup[,profile]
//        --pg=postgres://postgres@127.0.0.1:5432/test --quick --list-connections=10
//        --memory-pushes=100000 --list-sizes=10000,100000,1000000
// Machines here are shared: absolute figures are noisy, the ratios (each measured side by
// side with its reference, rounds alternating) are what to read.
import { copyFileSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { summarizeCpuProfile, formatSummary } from './cpuprofile-summary.mjs';
import {
  BENCH_DATA_KEYS,
  CREDS,
  createSchema,
  dropAllSchemas,
  dropSchema,
  freePort,
  httpRequest,
  killAllChildren,
  load,
  median,
  pgClient,
  requireBuilt,
  ROOT,
  rssMb,
  sleep,
  spawnNode,
  waitHealthy,
} from './lib.mjs';
import { seedPushes } from './seed-pushes.mjs';
import { PEOPLE, seededPatientId, seedMeasurements } from './seed-measurements.mjs';

// ---- options ---------------------------------------------------------------------------

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const option = (name, fallback) => {
  const hit = argv.find((a) => a.startsWith(`--${name}=`));
  return hit === undefined ? fallback : hit.slice(name.length + 3);
};
if (flag('help')) {
  console.log(readHelp());
  process.exit(0);
}
const quick = flag('quick');
const ALL = ['push', 'changes', 'delivery', 'auth', 'list', 'fhir', 'memory', 'startup'];
const opts = {
  connections: Number(option('connections', 50)),
  duration: Number(option('duration', quick ? 2 : 10)),
  warmup: Number(option('warmup', quick ? 1 : 3)),
  rounds: Number(option('rounds', quick ? 1 : 3)),
  only: option('only', ALL.join(','))
    .split(',')
    .map((s) => s.trim())
    .map((s) => (s === 'baseline' || s === 'duplicates' ? 'push' : s))
    .filter(Boolean),
  pg: option('pg', 'postgres://postgres@127.0.0.1:5432/test'),
  // Another build's dist/ (e.g. main's, built in a worktree): its push figures are measured
  // in the same rounds, so that a change states its figures before and after, side by side.
  against: option('against', null),
  // The build measured as "this build" (default: the workspace's dist/): with --against, any two
  // builds side by side, e.g. each step of a history and its parent.
  build: option('build', null),
  listConnections: Number(option('list-connections', 10)),
  memoryPushes: Number(option('memory-pushes', quick ? 10_000 : 100_000)),
  listSizes: option('list-sizes', quick ? '10000,100000' : '10000,100000,1000000')
    .split(',')
    .map(Number),
  fhirSizes: option('fhir-sizes', quick ? '10000,100000' : '10000,1000000')
    .split(',')
    .map(Number),
  // Which profiles --only=profile takes (default: all): sqlite, postgres, changes-postgres, delivery-sqlite, delivery-postgres, auth-url.
  profiles: option('profiles', null)?.split(',').map((s) => s.trim()) ?? null,
  quick,
};
for (const [k, v] of Object.entries({ connections: opts.connections, duration: opts.duration, rounds: opts.rounds, warmup: opts.warmup })) {
  if (!Number.isFinite(v) || v < (k === 'warmup' ? 0 : 1)) {
    console.error(`--${k} must be a positive number`);
    process.exit(2);
  }
}
const unknown = opts.only.filter((f) => ![...ALL, 'profile'].includes(f));
if (unknown.length) {
  console.error(`--only: unknown figure(s) ${unknown.join(', ')}; known: ${[...ALL, 'profile'].join(', ')}`);
  process.exit(2);
}

requireBuilt();

const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace(/Z$/, '');
const runId = `${process.pid.toString(36)}${Date.now().toString(36)}`;
const outDir = resolve(ROOT, 'bench-results');
const workDir = resolve(outDir, `run-${stamp}`);
mkdirSync(workDir, { recursive: true });
// A snapshot of the built files: a rebuild by someone else during the run cannot mix two builds.
// (Bare imports still resolve from the workspace's node_modules, two levels up.)
// Another --build runs where it is, as the reference does.
const API_MAIN = opts.build ? resolve(opts.build, 'apps/api/main.js') : resolve(workDir, 'api-main.js');
const SANDBOX_MAIN = resolve(workDir, 'sandbox-main.js');
if (!opts.build) copyFileSync(resolve(ROOT, 'dist/apps/api/main.js'), API_MAIN);
copyFileSync(resolve(ROOT, 'dist/tools/viatom-sandbox/main.js'), SANDBOX_MAIN);
// The other build runs where it is: its bare imports resolve from its own node_modules (its
// dependencies may differ from this one's).
const REFERENCE_MAIN = opts.against ? resolve(opts.against, 'apps/api/main.js') : null;
const BUILD_TIME = statSync(opts.build ? API_MAIN : resolve(ROOT, 'dist/apps/api/main.js')).mtime.toISOString();

// ---- cleanup: children killed and schemas dropped whatever happens ---------------------

let cleaningUp = false;
async function cleanup() {
  if (cleaningUp) return;
  cleaningUp = true;
  killAllChildren('SIGTERM');
  await sleep(300);
  killAllChildren('SIGKILL');
  // Clean-up is best effort: an unreachable PostgreSQL leaves nothing to drop.
  await dropAllSchemas(opts.pg).catch(() => undefined);
}
process.on('exit', () => killAllChildren('SIGKILL'));
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping children, dropping schemas`);
    cleanup().finally(() => process.exit(130));
  });
}
// A hard ceiling, so that no run is left behind forever.
const hardLimitMs = 60 * 60 * 1000;
setTimeout(() => {
  console.error('bench: hard time limit reached, aborting');
  cleanup().finally(() => process.exit(3));
}, hardLimitMs).unref();

// ---- processes -------------------------------------------------------------------------

let procCount = 0;

function apiEnv({ port, databaseUrl, schema, viatomUrl }) {
  return {
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    ...(schema ? { DATABASE_SCHEMA: schema } : {}),
    VIATOM_BASE_URL: viatomUrl ?? 'http://127.0.0.1:9',
    VIATOM_SECRET: CREDS.secret,
    VIATOM_ACCESS_TOKEN: CREDS.accessToken,
    API_KEYS: CREDS.apiKey,
    WEBHOOK_TOKEN: CREDS.webhookToken,
    // The bench measures throughput: the rate limiter (when the build has one) is switched off
    // by its own settings; its guard still runs on every request.
    RATE_LIMIT_API_MAX: '0',
    RATE_LIMIT_PUSH_MAX: '0',
    // The seeded rows are dated 2025: the payload retention would empty them while they are measured.
    RAW_PAYLOAD_RETENTION: 'P3650D',
    // Encryption at rest, with fixed keys (a build before it ignores them).
    DATA_ENCRYPTION_KEYS: BENCH_DATA_KEYS.encryptionKeys,
    DATA_HASH_KEY: BENCH_DATA_KEYS.hashKey,
  };
}

/** Starts the built API; `engine` is sqlite (fresh file) or postgres (fresh schema unless given). */
async function startApi(engine, { viatomUrl, schema, nodeFlags, name, main = API_MAIN } = {}) {
  const port = await freePort();
  const n = ++procCount;
  const label = name ?? `api-${engine}-${n}`;
  let databaseUrl;
  let ownSchema = null;
  if (engine === 'sqlite') {
    databaseUrl = `sqlite:${resolve(workDir, `${label}.sqlite`)}`;
  } else {
    databaseUrl = opts.pg;
    if (!schema) ownSchema = schema = await createSchema(opts.pg, `bench_${runId}_${n}`);
  }
  const proc = spawnNode(label, [main], apiEnv({ port, databaseUrl, schema, viatomUrl }), workDir, nodeFlags);
  const url = `http://127.0.0.1:${port}`;
  const startupMs = await waitHealthy(proc, `${url}/health`);
  return {
    ...proc,
    url,
    startupMs,
    engine,
    schema,
    async close() {
      await proc.stop();
      if (ownSchema) await dropSchema(opts.pg, ownSchema);
    },
  };
}

/** The bare-Nest baseline; given the sandbox, it also serves the auth-URL reference route. */
async function startBaseline(sandboxUrl) {
  const port = await freePort();
  const sandboxEnv = sandboxUrl ? { SANDBOX_URL: sandboxUrl, SANDBOX_SECRET: CREDS.secret, SANDBOX_ACCESS_TOKEN: CREDS.accessToken } : {};
  const proc = spawnNode(`baseline-${++procCount}`, ['tools/bench/baseline-app.mjs'], { PORT: String(port), HOST: '127.0.0.1', ...sandboxEnv }, workDir);
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(proc, `${url}/health`);
  return { ...proc, url, close: () => proc.stop() };
}

/** Bare Fastify: the reference of the authorization-change figures. */
async function startBareFastify() {
  const port = await freePort();
  const proc = spawnNode(`bare-fastify-${++procCount}`, ['tools/bench/bare-fastify.mjs'], { PORT: String(port), HOST: '127.0.0.1' }, workDir);
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(proc, `${url}/health`);
  return { ...proc, url, close: () => proc.stop() };
}

async function startSandbox() {
  const port = await freePort();
  const proc = spawnNode(
    `sandbox-${++procCount}`,
    [SANDBOX_MAIN],
    { SANDBOX_PORT: String(port), SANDBOX_HOST: '127.0.0.1', SANDBOX_SECRET: CREDS.secret, SANDBOX_ACCESS_TOKEN: CREDS.accessToken, SANDBOX_PUSH_URL: '' },
    workDir,
  );
  const url = `http://127.0.0.1:${port}`;
  // The sandbox has no /health: its admin API answers 200 once it listens.
  await waitHealthy(proc, `${url}/admin`);
  return { ...proc, url, close: () => proc.stop() };
}

async function pgReachable() {
  try {
    const client = await pgClient(opts.pg);
    await client.end();
    return true;
  } catch (error) {
    return error.message;
  }
}

// ---- push bodies -----------------------------------------------------------------------

const ACCOUNT = 'OA==|MTEx';
const PHONE = '15312340000';
const WEBHOOK_PATH = `/api/v1/webhooks/viatom?token=${encodeURIComponent(CREDS.webhookToken)}`;
const JSON_HEADERS = { 'content-type': 'application/json' };

/** A blood-pressure measurement push in the shape of Viatom's guide (~560 bytes). */
function measurementBody(dataTag) {
  return (
    `{"type":1,"data_tag":"${dataTag}","account_id":"${ACCOUNT}","member_id":"OA==|LTE=","device_sn":"2101A0012345",` +
    `"data":{"data_type":3,"measure_time":"1748737800000","measure_result":{"sbp":{"value":118,"unit":"mmHg"},"dia":{"value":76,"unit":"mmHg"},` +
    `"pulse_pressure":{"value":42,"unit":"mmHg"},"map":{"value":90,"unit":"mmHg"},"pr":{"value":68,"unit":"bpm"}},"remark":""},` +
    `"user_info":{"nick_name":"bench","gender":1,"birthday":"1980-01-01","height":172,"weight":65.2},` +
    `"create_time":"2025-06-01 08:30:05","update_time":"2025-06-01 08:30:05"}`
  );
}
const authorizedBody = () =>
  JSON.stringify({
    type: 2,
    data_tag: `bench-auth-${runId}`,
    account_id: ACCOUNT,
    member_id: 'OA==|LTE=',
    device_sn: '',
    data: { phone: PHONE },
    user_info: {},
    create_time: '2025-01-01 00:00:00',
    update_time: '2025-01-01 00:00:00',
  });

let tagCounter = 0;
/** autocannon options that send a push with a new data_tag on every request. */
function newPushLoad(url) {
  return {
    url,
    requests: [
      {
        method: 'POST',
        path: WEBHOOK_PATH,
        headers: JSON_HEADERS,
        setupRequest: (req) => ({ ...req, body: measurementBody(`b-${runId}-${++tagCounter}`) }),
      },
    ],
  };
}
const DUP_TAG = `b-${runId}-duplicate`;
function duplicateLoad(url) {
  return { url: `${url}${WEBHOOK_PATH}`, method: 'POST', headers: JSON_HEADERS, body: measurementBody(DUP_TAG) };
}

/** Stores the authorization of the measurements' account and the push that will be replayed. */
async function preparePushes(api) {
  for (const body of [authorizedBody(), measurementBody(DUP_TAG)]) {
    const res = await httpRequest(`${api.url}${WEBHOOK_PATH}`, { method: 'POST', headers: JSON_HEADERS, body });
    if (res.status !== 200) throw new Error(`${api.name}: preparing push answered ${res.status} ${res.body}`);
  }
}

let phoneCounter = 0;
let changeSecond = 0;
/** A type-2/3 push with a new data_tag: for a new phone each time, or all for `phone`, with a later time each. */
function authorizationChangeBody(phone) {
  const n = ++phoneCounter;
  const type = phone && n % 2 === 0 ? 3 : 2;
  const time = new Date(Date.UTC(2025, 0, 1) + ++changeSecond * 1000).toISOString().slice(0, 19).replace('T', ' ');
  return JSON.stringify({
    type,
    data_tag: `bench-change-${runId}-${n}`,
    account_id: `acc-${runId}-${phone ? 0 : n}`,
    member_id: 'OA==|LTE=',
    device_sn: '',
    data: { phone: phone ?? `13${String(100_000_000 + n).slice(-9)}` },
    user_info: {},
    create_time: time,
    update_time: time,
  });
}
function changeLoad(url, phone) {
  return { url, requests: [{ method: 'POST', path: WEBHOOK_PATH, headers: JSON_HEADERS, setupRequest: (req) => ({ ...req, body: authorizationChangeBody(phone) }) }] };
}

// ---- running -----------------------------------------------------------------------------

const figures = [];
const notes = [];

async function measure(label, loadOpts, { connections = opts.connections, duration = opts.duration } = {}) {
  const result = await load({ connections, duration, ...loadOpts });
  const bad = result.non2xx + result.errors + result.timeouts;
  console.log(
    `  ${label.padEnd(34)} ${fmt(result.rps, 0).padStart(7)} req/s  p50 ${fmt(result.p50, 2)}  p95 ${fmt(result.p95, 2)}  p99 ${fmt(result.p99, 2)} ms` +
      (bad ? `  !! non-2xx ${result.non2xx} ${JSON.stringify(result.statuses)} errors ${result.errors} timeouts ${result.timeouts}` : ''),
  );
  return result;
}

async function warm(loadOpts, connections = opts.connections) {
  if (opts.warmup > 0) await load({ connections, duration: opts.warmup, ...loadOpts });
}

/** Median of each metric over rounds, and the median of the per-round (paired) ratios. */
function summarize(runs) {
  const pick = (k) => median(runs.map((r) => r[k]));
  return {
    rps: pick('rps'),
    p50: pick('p50'),
    p95: pick('p95'),
    p99: pick('p99'),
    requests: runs.reduce((s, r) => s + r.requests, 0),
    non2xx: runs.reduce((s, r) => s + r.non2xx + r.errors + r.timeouts, 0),
    rounds: runs.map((r) => ({ rps: round(r.rps, 1), p50: round(r.p50, 3), p95: round(r.p95, 3), p99: round(r.p99, 3) })),
  };
}
const pairedRatio = (a, b, k = 'rps') => median(a.map((r, i) => r[k] / b[i][k]));

function addFigure(f) {
  figures.push(f);
}

// -- authorization changes (type 2/3) against bare Fastify, 32 connections -----------------
async function changeFigures(pgOk) {
  const connections = 32;
  console.log(`\n== authorization changes (type 2/3) against bare Fastify, ${connections} connections ==`);
  const bare = await startBareFastify();
  const engines = pgOk ? ['sqlite', 'postgres'] : ['sqlite'];
  const targets = [];
  for (const engine of engines) {
    const reference = REFERENCE_MAIN ? await startApi(engine, { main: REFERENCE_MAIN, name: `reference-changes-${engine}` }) : null;
    targets.push({ engine, api: await startApi(engine), reference, distinct: [], contended: [], measurements: [], refDistinct: [], refContended: [] });
  }
  const contendedPhone = '13900000000';
  try {
    for (const t of targets) await preparePushes(t.api);
    const base = [];
    await warm(changeLoad(bare.url), connections);
    for (const t of targets) for (const api of [t.api, t.reference].filter(Boolean)) await warm(changeLoad(api.url), connections);
    for (let round = 1; round <= opts.rounds; round++) {
      console.log(` round ${round}/${opts.rounds}`);
      base.push(await measure('bare Fastify, same JSON', changeLoad(bare.url), { connections }));
      for (const t of targets) {
        t.distinct.push(await measure(`type 2, distinct phones, ${t.engine}`, changeLoad(t.api.url), { connections }));
        if (t.reference) t.refDistinct.push(await measure('  the same, reference build', changeLoad(t.reference.url), { connections }));
        t.contended.push(await measure(`type 2/3, one phone, ${t.engine}`, changeLoad(t.api.url, contendedPhone), { connections }));
        if (t.reference) t.refContended.push(await measure('  the same, reference build', changeLoad(t.reference.url, contendedPhone), { connections }));
        // For scale: the measurement hot path, on the same machine in the same round.
        t.measurements.push(await measure(`type 1, new data_tag, ${t.engine}`, newPushLoad(t.api.url), { connections }));
      }
    }
    addFigure({ id: 'bare-fastify', figure: `reference: bare Fastify, POST + JSON body (${connections} connections)`, ...summarize(base) });
    for (const t of targets) {
      addFigure({
        id: `changes-${t.engine}-measurements`,
        figure: `for scale: measurement pushes, ${t.engine}, ${connections} connections`,
        ...summarize(t.measurements),
        ratio: pairedRatio(t.measurements, base),
        ratioOf: 'bare Fastify req/s',
      });
      for (const [kind, runs, ref, target] of [
        ['distinct phones', t.distinct, t.refDistinct, t.engine === 'postgres' ? 0.3 : undefined],
        ['one contended phone', t.contended, t.refContended, t.engine === 'postgres' ? 0.1 : undefined],
      ]) {
        const ratio = pairedRatio(runs, base);
        addFigure({
          id: `changes-${t.engine}-${kind.replace(/ /g, '-')}`,
          figure: `authorization changes, ${kind}, ${t.engine}`,
          ...summarize(runs),
          ratio,
          ratioOf: 'bare Fastify req/s',
          target: target === undefined ? '' : `≥ ${target}× bare Fastify`,
          met: target === undefined ? undefined : ratio >= target,
        });
        addFigure({
          id: `changes-${t.engine}-${kind.replace(/ /g, '-')}-vs-measurements`,
          figure: `  the same ÷ measurement pushes (${t.engine}, ${connections} connections)`,
          ratio: pairedRatio(runs, t.measurements),
          ratioOf: 'type-1 req/s',
        });
        if (ref.length > 0) {
          addFigure({
            id: `changes-${t.engine}-${kind.replace(/ /g, '-')}-vs-reference`,
            figure: `  the same: reference build`,
            ...summarize(ref),
            ratio: pairedRatio(runs, ref),
            ratioOf: 'this build ÷ reference (--against)',
          });
        }
      }
    }
  } finally {
    await bare.close();
    for (const t of targets) {
      await t.api.close();
      await t.reference?.close();
    }
  }
}

// -- delivery: ingest with a subscribed endpoint, delivery rate and drain, latency --------

async function startWebhookReceiver() {
  const port = await freePort();
  const proc = spawnNode(`webhook-receiver-${++procCount}`, ['tools/bench/webhook-receiver.mjs'], { PORT: String(port), HOST: '127.0.0.1' }, workDir);
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(proc, `${url}/health`);
  const stats = async () => JSON.parse((await httpRequest(`${url}/stats`)).body);
  const reset = () => httpRequest(`${url}/stats/reset`, { method: 'POST' });
  return { ...proc, url, hook: `${url}/hook`, stats, reset, close: () => proc.stop() };
}

async function subscribe(api, url) {
  const res = await httpRequest(`${api.url}/api/v1/webhook-endpoints`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': CREDS.apiKey },
    body: JSON.stringify({ url, eventTypes: ['measurement.archived'] }),
  });
  if (res.status !== 201) throw new Error(`subscribing answered ${res.status} ${res.body}`);
}

/** Waits until the receiver has `events` events (or the deadline); the time it took, null past the deadline. */
async function drained(receiver, events, deadlineMs = 60_000) {
  const t0 = performance.now();
  while (performance.now() - t0 < deadlineMs) {
    if ((await receiver.stats()).events >= events) return performance.now() - t0;
    await sleep(20);
  }
  return null;
}

async function deliveryFigures(pgOk) {
  console.log('\n== delivery: measurement ingest with one subscribed webhook endpoint (a bare Fastify receiver), delivery rate, latency ==');
  const receiver = await startWebhookReceiver();
  const engines = pgOk ? ['sqlite', 'postgres'] : ['sqlite'];
  try {
    for (const engine of engines) {
      const none = await startApi(engine, { name: `delivery-none-${engine}` });
      const one = await startApi(engine, { name: `delivery-one-${engine}` });
      // --against: the other build with its own endpoint, measured in the same rounds right after this one.
      const ref = REFERENCE_MAIN ? await startApi(engine, { main: REFERENCE_MAIN, name: `delivery-one-reference-${engine}` }) : null;
      try {
        for (const api of [one, ref].filter(Boolean)) await subscribe(api, receiver.hook);
        for (const api of [none, one, ref].filter(Boolean)) await preparePushes(api);
        for (const api of [none, one, ref].filter(Boolean)) await warm(newPushLoad(api.url));
        await drained(receiver, Infinity, 3000);
        const bare = [];
        const withEndpoint = [];
        const keptUp = [];
        const drains = [];
        const refIngest = [];
        const refKeptUp = [];
        for (let round = 1; round <= opts.rounds; round++) {
          console.log(` round ${round}/${opts.rounds}`);
          bare.push(await measure(`no endpoint, ${engine}`, newPushLoad(none.url)));
          // The backlog of the previous round (and warm-up) is delivered before this one counts.
          await drained(receiver, Infinity, 1000);
          await receiver.reset();
          const run = await measure(`one endpoint, ${engine}`, newPushLoad(one.url));
          withEndpoint.push(run);
          const atEnd = await receiver.stats();
          const share = atEnd.events / run.seconds / run.rps;
          keptUp.push(share);
          const drainMs = await drained(receiver, run.ok, 30_000);
          drains.push(drainMs ?? Infinity);
          console.log(
            `    delivered during the load ${fmt(atEnd.events / run.seconds, 0)} events/s (${fmt(share, 2)}× ingest); ` +
              `backlog drained ${drainMs === null ? 'NOT within 30 s' : `in ${fmt(drainMs / 1000, 2)} s`}`,
          );
          if (ref) {
            await drained(receiver, Infinity, 1000);
            await receiver.reset();
            const refRun = await measure(`one endpoint, reference build, ${engine}`, newPushLoad(ref.url));
            refIngest.push(refRun);
            const refEnd = await receiver.stats();
            const refShare = refEnd.events / refRun.seconds / refRun.rps;
            refKeptUp.push(refShare);
            console.log(`    reference build: delivered during the load ${fmt(refEnd.events / refRun.seconds, 0)} events/s (${fmt(refShare, 2)}× ingest)`);
            await drained(receiver, refRun.ok, 30_000);
          }
        }
        if (ref) {
          addFigure({
            id: `delivery-${engine}-ingest-vs-reference`,
            figure: `measurement ingest with one subscribed endpoint, ${engine}: reference build`,
            ...summarize(refIngest),
            ratio: pairedRatio(withEndpoint, refIngest),
            ratioOf: 'this build ÷ reference (--against)',
          });
          addFigure({
            id: `delivery-${engine}-delivered-vs-reference`,
            figure: `events delivered per second during the load ÷ ingested, ${engine}: this build ÷ reference`,
            ratio: median(keptUp.map((share, i) => share / refKeptUp[i])),
            ratioOf: 'this build ÷ reference (--against)',
          });
        }
        const ingestRatio = pairedRatio(withEndpoint, bare);
        addFigure({
          id: `delivery-${engine}-ingest`,
          figure: `measurement ingest with one subscribed endpoint, ${engine}`,
          ...summarize(withEndpoint),
          ratio: ingestRatio,
          ratioOf: 'ingest with none',
          target: '≥ 0.85×',
          met: ingestRatio >= 0.85,
        });
        const keep = median(keptUp);
        const drain = median(drains);
        addFigure({
          id: `delivery-${engine}-keeps-up`,
          figure: `events delivered per second during the load, ${engine} (backlog drained in ${fmt(drain / 1000, 2)} s)`,
          ratio: keep,
          ratioOf: 'pushes ingested per second',
          target: '≥ 0.8×, drained ≤ 5 s',
          met: keep >= 0.8 && drain <= 5000,
        });

        // Latency at half the capacity just measured, from the push's storage to the receiver.
        const rate = Math.max(1, Math.round(median(withEndpoint.map((r) => r.rps)) / 2));
        await drained(receiver, Infinity, 1000);
        await receiver.reset();
        const paced = await measure(`one endpoint at ${rate} pushes/s, ${engine}`, { ...newPushLoad(one.url), overallRate: rate });
        await drained(receiver, paced.ok, 30_000);
        const latency = await receiver.stats();
        console.log(`    push stored → delivered: p50 ${fmt(latency.p50, 1)} ms, p99 ${fmt(latency.p99, 1)} ms over ${latency.events} events`);
        addFigure({
          id: `delivery-${engine}-latency`,
          figure: `push stored → webhook received at ${rate} pushes/s (half the capacity), ${engine}`,
          p50: latency.p50,
          p99: latency.p99,
          rps: paced.rps,
        });
      } finally {
        await none.close();
        await one.close();
        await ref?.close();
      }
    }
  } finally {
    await receiver.close();
  }
}

// -- push ingest: baseline, new pushes and duplicates on SQLite and PostgreSQL ------------
async function pushFigures(pgOk) {
  console.log('\n== push ingest (baseline, new data_tags, duplicates) ==');
  const baseline = await startBaseline();
  const engines = pgOk ? ['sqlite', 'postgres'] : ['sqlite'];
  const targets = [];
  for (const engine of engines) {
    const reference = REFERENCE_MAIN ? await startApi(engine, { main: REFERENCE_MAIN, name: `reference-${engine}` }) : null;
    targets.push({ engine, api: await startApi(engine), reference });
  }
  try {
    for (const t of targets) for (const api of [t.api, t.reference].filter(Boolean)) await preparePushes(api);
    const base = [];
    for (const t of targets) Object.assign(t, { fresh: [], dup: [], refFresh: [] });
    await warm(duplicateLoad(baseline.url));
    for (const t of targets) {
      await warm(newPushLoad(t.api.url));
      await warm(duplicateLoad(t.api.url));
      if (t.reference) await warm(newPushLoad(t.reference.url));
    }
    for (let round = 1; round <= opts.rounds; round++) {
      console.log(` round ${round}/${opts.rounds}`);
      base.push(await measure('baseline (bare Nest + Fastify)', duplicateLoad(baseline.url)));
      for (const t of targets) {
        t.fresh.push(await measure(`push, new data_tag, ${t.engine}`, newPushLoad(t.api.url)));
        if (t.reference) t.refFresh.push(await measure(`  the same, reference build`, newPushLoad(t.reference.url)));
        t.dup.push(await measure(`push, duplicate, ${t.engine}`, duplicateLoad(t.api.url)));
      }
    }
    for (const t of targets.filter((t) => t.reference)) {
      addFigure({
        id: `push-${t.engine}-vs-reference`,
        figure: `push ingest, new data_tag, ${t.engine}: reference build`,
        ...summarize(t.refFresh),
        ratio: pairedRatio(t.fresh, t.refFresh),
        ratioOf: 'this build ÷ reference (--against)',
        target: '≥ 0.9×',
        met: pairedRatio(t.fresh, t.refFresh) >= 0.9,
      });
    }
    addFigure({ id: 'baseline', figure: 'baseline: bare Nest on Fastify, POST + JSON body', ...summarize(base) });
    for (const t of targets) {
      const ratio = median(t.fresh.map((r, i) => r.rps / base[i].rps));
      const target = t.engine === 'sqlite' ? 0.5 : 0.4;
      addFigure({
        id: `push-${t.engine}`,
        figure: `push ingest, new data_tag, ${t.engine}`,
        ...summarize(t.fresh),
        ratio,
        ratioOf: 'baseline req/s',
        target: `≥ ${target}× baseline`,
        met: ratio >= target,
      });
      const dupRatio = pairedRatio(t.dup, t.fresh);
      addFigure({
        id: `dup-${t.engine}`,
        figure: `push ingest, duplicate replay, ${t.engine}`,
        ...summarize(t.dup),
        ratio: dupRatio,
        ratioOf: `new-push req/s (${t.engine})`,
        target: '≥ 1.0× new-push',
        met: dupRatio >= 1.0,
      });
    }
    // Check what was stored: every 2xx new push is one row.
    const count = await httpRequest(`${targets[0].api.url}/api/v1/pushes?limit=1`, { headers: { 'x-api-key': CREDS.apiKey } });
    if (count.status !== 200) notes.push(`push list after the load answered ${count.status}`);
  } finally {
    await baseline.close();
    for (const t of targets) {
      await t.api.close();
      await t.reference?.close();
    }
  }
}

// -- auth URL through the API vs the sandbox directly -------------------------------------
async function authFigures() {
  console.log('\n== auth URL: through the API vs the sandbox directly (and through a bare Nest route, for reference) ==');
  const sandbox = await startSandbox();
  const api = await startApi('sqlite', { viatomUrl: sandbox.url });
  // --against: the other build's API on the same sandbox, measured in the same rounds (this build ÷ that one).
  const reference = REFERENCE_MAIN ? await startApi('sqlite', { main: REFERENCE_MAIN, name: 'reference-auth', viatomUrl: sandbox.url }) : null;
  const bare = await startBaseline(sandbox.url);
  try {
    const direct = {
      url: `${sandbox.url}/api/v1/open/auth/jump_path`,
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', secret: CREDS.secret, 'access-token': CREDS.accessToken, language: 'zh-CN' },
    };
    const viaApi = { url: `${api.url}/api/v1/authorizations/auth-url`, method: 'POST', headers: { 'x-api-key': CREDS.apiKey } };
    const viaBare = { url: `${bare.url}/proxy/auth-url`, method: 'POST' };
    const viaReference = reference ? { ...viaApi, url: `${reference.url}/api/v1/authorizations/auth-url` } : null;
    for (const [what, target] of [['the API', viaApi], ['the bare Nest route', viaBare], ...(viaReference ? [['the reference build', viaReference]] : [])]) {
      const check = await httpRequest(target.url, { method: 'POST', headers: target.headers ?? {} });
      if (check.status !== 200) throw new Error(`auth-url through ${what} answered ${check.status}: ${check.body}`);
    }
    await warm(direct);
    await warm(viaApi);
    await warm(viaBare);
    if (viaReference) await warm(viaReference);
    const d = [];
    const a = [];
    const b = [];
    const r = [];
    const d1 = [];
    const a1 = [];
    for (let round = 1; round <= opts.rounds; round++) {
      console.log(` round ${round}/${opts.rounds}`);
      d.push(await measure(`auth URL, sandbox directly, ${opts.connections}c`, direct));
      a.push(await measure(`auth URL, through the API, ${opts.connections}c`, viaApi));
      b.push(await measure(`auth URL, bare Nest route, ${opts.connections}c`, viaBare));
      if (viaReference) r.push(await measure(`auth URL, through the reference build, ${opts.connections}c`, viaReference));
      d1.push(await measure('auth URL, sandbox directly, 1c', direct, { connections: 1 }));
      a1.push(await measure('auth URL, through the API, 1c', viaApi, { connections: 1 }));
    }
    addFigure({ id: 'auth-direct', figure: `auth URL, sandbox directly (${opts.connections} connections)`, ...summarize(d) });
    // Reference, no target: the same call through a bare Nest route (no guards, validation,
    // resilience or logs), i.e. what the framework alone allows on this machine.
    addFigure({
      id: 'auth-bare-nest',
      figure: `auth URL through a bare Nest route (${opts.connections} connections)`,
      ...summarize(b),
      ratio: pairedRatio(b, d),
      ratioOf: 'direct req/s',
    });
    const ratio = pairedRatio(a, d);
    const added = median(a.map((r, i) => r.p50 - d[i].p50));
    addFigure({
      id: 'auth-api',
      figure: `auth URL through the API (${opts.connections} connections)`,
      ...summarize(a),
      ratio,
      ratioOf: 'direct req/s',
      target: '≥ 0.8× direct',
      met: ratio >= 0.8,
      addedP50: added,
      ofBareNest: pairedRatio(a, b),
    });
    if (r.length > 0) {
      addFigure({
        id: 'auth-api-vs-reference',
        figure: `  the same: reference build (${opts.connections} connections)`,
        ...summarize(r),
        ratio: pairedRatio(a, r),
        ratioOf: 'this build ÷ reference (--against)',
      });
    }
    const added1 = median(a1.map((r, i) => r.p50 - d1[i].p50));
    addFigure({ id: 'auth-direct-1c', figure: 'auth URL, sandbox directly (1 connection)', ...summarize(d1) });
    addFigure({
      id: 'auth-api-1c',
      figure: 'auth URL through the API (1 connection): added p50',
      ...summarize(a1),
      value: added1,
      unit: 'ms added at p50',
      target: '≤ 1 ms added at p50',
      met: added1 <= 1,
    });
  } finally {
    await bare.close();
    await api.close();
    await reference?.close();
    await sandbox.close();
  }
}

// -- list query at 10k / 100k / 1M rows (PostgreSQL) ---------------------------------------
async function listFigures() {
  console.log(`\n== list query GET /api/v1/pushes?limit=50 at ${opts.listSizes.join(', ')} rows (PostgreSQL) ==`);
  const levels = [];
  try {
    for (const size of opts.listSizes) {
      const api = await startApi('postgres', { name: `api-list-${size}` });
      levels.push({ size, api, first: [], deep: [] });
      const t0 = performance.now();
      await seedPushes(opts.pg, api.schema, size, (line) => console.log(line));
      console.log(`  ${size.toLocaleString('en-US')} rows seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    const headers = { 'x-api-key': CREDS.apiKey };
    const cursor = (id) => Buffer.from(`id:${id}`).toString('base64url');
    const firstPage = (l) => ({ url: `${l.api.url}/api/v1/pushes?limit=50`, headers });
    // Deep page: 99% of the way to the oldest row, reached by the cursor a client would hold.
    const deepPage = (l) => ({ url: `${l.api.url}/api/v1/pushes?limit=50&cursor=${cursor(Math.floor(l.size / 100) + 51)}`, headers });
    for (const l of levels) {
      const res = await httpRequest(deepPage(l).url, { headers });
      const page = JSON.parse(res.body);
      if (res.status !== 200 || page.items.length !== 50) throw new Error(`list at ${l.size}: ${res.status} ${res.body.slice(0, 200)}`);
      await warm(firstPage(l), opts.listConnections);
      await warm(deepPage(l), opts.listConnections);
    }
    for (let round = 1; round <= opts.rounds; round++) {
      console.log(` round ${round}/${opts.rounds} (${opts.listConnections} connections)`);
      for (const l of levels) {
        l.first.push(await measure(`list, first page, ${l.size} rows`, firstPage(l), { connections: opts.listConnections }));
        l.deep.push(await measure(`list, deep page (cursor), ${l.size} rows`, deepPage(l), { connections: opts.listConnections }));
      }
    }
    const ref = levels[0];
    for (const l of levels) {
      for (const kind of ['first', 'deep']) {
        const ratio = median(l[kind].map((r, i) => r.p95 / ref[kind][i].p95));
        const isLargest = l === levels[levels.length - 1];
        addFigure({
          id: `list-${kind}-${l.size}`,
          figure: `list ${kind === 'first' ? 'first page' : 'deep page (cursor)'}, ${l.size.toLocaleString('en-US')} rows`,
          rows: l.size,
          page: kind,
          ...summarize(l[kind]),
          ratio: l === ref ? undefined : ratio,
          ratioOf: l === ref ? undefined : `p95 at ${ref.size.toLocaleString('en-US')} rows`,
          ...(isLargest && l !== ref ? { target: `p95 ≤ 2× p95 at ${ref.size.toLocaleString('en-US')}`, met: ratio <= 2 } : {}),
        });
      }
    }
  } finally {
    for (const l of levels) await l.api.close();
  }
}

// -- FHIR search: GET /fhir/Observation?patient=…&_count=50 at growing archive sizes -------
async function fhirFigures() {
  console.log(`\n== FHIR search GET /fhir/Observation?patient=…&_count=50 at ${opts.fhirSizes.join(', ')} measurements (PostgreSQL) ==`);
  const levels = [];
  try {
    for (const size of opts.fhirSizes) {
      const api = await startApi('postgres', { name: `api-fhir-${size}` });
      levels.push({ size, api, runs: [] });
      const t0 = performance.now();
      await seedMeasurements(opts.pg, api.schema, size, (line) => console.log(line));
      console.log(`  ${size.toLocaleString('en-US')} measurements seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    const headers = { 'x-api-key': CREDS.apiKey };
    // Each request asks for another person's page (autocannon cycles through the requests).
    const search = (l) => ({
      url: l.api.url,
      headers,
      requests: Array.from({ length: 50 }, (_, i) => ({ method: 'GET', path: `/fhir/Observation?patient=${seededPatientId((i * 37) % PEOPLE)}&_count=50`, headers })),
    });
    for (const l of levels) {
      const res = await httpRequest(`${l.api.url}/fhir/Observation?patient=${seededPatientId(1)}&_count=50`, { headers });
      const bundle = JSON.parse(res.body);
      const expected = Math.min(50, Math.floor(l.size / PEOPLE) * 2);
      if (res.status !== 200 || (bundle.entry ?? []).length !== expected) throw new Error(`FHIR search at ${l.size}: ${res.status} ${res.body.slice(0, 300)}`);
      await warm(search(l), opts.listConnections);
    }
    for (let round = 1; round <= opts.rounds; round++) {
      console.log(` round ${round}/${opts.rounds} (${opts.listConnections} connections)`);
      for (const l of levels) l.runs.push(await measure(`FHIR search, ${l.size} measurements`, search(l), { connections: opts.listConnections }));
    }
    const ref = levels[0];
    for (const l of levels) {
      const ratio = median(l.runs.map((r, i) => r.p95 / ref.runs[i].p95));
      const isLargest = l === levels[levels.length - 1] && l !== ref;
      addFigure({
        id: `fhir-search-${l.size}`,
        figure: `FHIR Observation search, _count=50, ${l.size.toLocaleString('en-US')} measurements`,
        rows: l.size,
        ...summarize(l.runs),
        ratio: l === ref ? undefined : ratio,
        ratioOf: l === ref ? undefined : `p95 at ${ref.size.toLocaleString('en-US')}`,
        ...(isLargest ? { target: `p95 ≤ 2× p95 at ${ref.size.toLocaleString('en-US')}`, met: ratio <= 2 } : {}),
      });
    }
  } finally {
    for (const l of levels) await l.api.close();
  }
}

// -- memory: RSS at start, after N pushes, after N more -----------------------------------
async function memoryFigures() {
  console.log(`\n== memory: API RSS at start and after ${opts.memoryPushes.toLocaleString('en-US')} pushes, twice (SQLite) ==`);
  const api = await startApi('sqlite');
  try {
    await preparePushes(api);
    await sleep(1000);
    const start = rssMb(api.pid);
    console.log(`  RSS at start: ${start.toFixed(1)} MB`);
    const after = [];
    for (let i = 1; i <= 2; i++) {
      const r = await load({ connections: opts.connections, amount: opts.memoryPushes, ...newPushLoad(api.url) });
      if (r.non2xx + r.errors) notes.push(`memory: ${r.non2xx} non-2xx, ${r.errors} errors in batch ${i}`);
      await sleep(1000);
      after.push(rssMb(api.pid));
      console.log(`  RSS after ${(i * opts.memoryPushes).toLocaleString('en-US')} pushes: ${after[i - 1].toFixed(1)} MB (${r.rps.toFixed(0)} req/s)`);
    }
    const growth = after[1] - after[0];
    addFigure({ id: 'rss-start', figure: 'API RSS at start (SQLite, after /health)', value: start, unit: 'MB' });
    addFigure({
      id: 'rss-after',
      figure: `API RSS after ${opts.memoryPushes.toLocaleString('en-US')} pushes`,
      value: after[0],
      unit: 'MB',
      target: '< 250 MB',
      met: after[0] < 250,
    });
    addFigure({
      id: 'rss-after-2',
      figure: `API RSS after ${(2 * opts.memoryPushes).toLocaleString('en-US')} pushes (growth over the second batch)`,
      value: after[1],
      unit: 'MB',
      growth,
      target: 'not growing (≤ +10%)',
      met: growth <= after[0] * 0.1,
    });
  } finally {
    await api.close();
  }
}

// -- start-up: spawn to /health 200 on a fresh SQLite file (migrations included) -----------
async function startupFigures() {
  const n = Math.max(opts.rounds, 3);
  console.log(`\n== start-up: spawn to /health 200, SQLite, ${n} times ==`);
  const times = [];
  for (let i = 0; i < n; i++) {
    const api = await startApi('sqlite');
    times.push(api.startupMs);
    console.log(`  start-up ${i + 1}: ${api.startupMs.toFixed(0)} ms`);
    await api.close();
  }
  const m = median(times);
  addFigure({
    id: 'startup',
    figure: 'start-up to /health 200 (SQLite, fresh file, migrations run)',
    value: m,
    unit: 'ms',
    samples: times.map((t) => Math.round(t)),
    target: '< 2000 ms',
    met: m < 2000,
  });
}

// -- profile: --cpu-prof on the API under the new-push load --------------------------------
async function profileFigures(pgOk) {
  const targets = [
    ...['sqlite', ...(pgOk ? ['postgres'] : [])].map((engine) => ({ key: engine, engine, what: 'push path' })),
    ...(pgOk ? [{ key: 'changes-postgres', engine: 'postgres', what: 'authorization-change path' }] : []),
    ...['sqlite', ...(pgOk ? ['postgres'] : [])].map((engine) => ({ key: `delivery-${engine}`, engine, what: 'push path with one subscribed webhook endpoint' })),
    { key: 'auth-url', engine: 'sqlite', what: 'auth URL path' },
  ].filter(({ key }) => opts.profiles === null || opts.profiles.includes(key));
  const profiles = [];
  for (const { key, engine, what } of targets) {
    console.log(`\n== CPU profile of the ${what} (${engine}) ==`);
    const dir = resolve(workDir, `prof-${key}`);
    mkdirSync(dir, { recursive: true });
    const sandbox = key === 'auth-url' ? await startSandbox() : null;
    const receiver = key.startsWith('delivery') ? await startWebhookReceiver() : null;
    const api = await startApi(engine, {
      viatomUrl: sandbox?.url,
      nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`, '-r', resolve(ROOT, 'tools/bench/exit-on-sigusr2.cjs')],
    });
    try {
      if (sandbox) {
        const viaApi = { url: `${api.url}/api/v1/authorizations/auth-url`, method: 'POST', headers: { 'x-api-key': CREDS.apiKey } };
        await warm(viaApi);
        await measure('auth URL through the API (profiled)', viaApi);
      } else if (key.startsWith('changes')) {
        await warm(changeLoad(api.url), 32);
        await measure(`type 2, distinct phones, ${engine} (profiled)`, changeLoad(api.url), { connections: 32 });
      } else {
        if (receiver) await subscribe(api, receiver.hook);
        await preparePushes(api);
        await warm(newPushLoad(api.url));
        await measure(`push, new data_tag, ${engine}${receiver ? ', one endpoint' : ''} (profiled)`, newPushLoad(api.url));
        if (receiver) console.log(`    delivered: ${(await receiver.stats()).events} events`);
      }
    } finally {
      await sandbox?.close();
      await receiver?.close();
      api.child.kill('SIGUSR2'); // exits through process.exit, so that --cpu-prof writes its file
      const timer = setTimeout(() => api.child.kill('SIGKILL'), 15_000);
      await api.exited;
      clearTimeout(timer);
      await api.close();
    }
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) {
      notes.push(`profile ${key}: no .cpuprofile written`);
      continue;
    }
    const summary = summarizeCpuProfile(resolve(dir, file));
    console.log(formatSummary(summary, 25));
    profiles.push({ target: key, engine, file: resolve(dir, file), ...summary, functions: summary.functions.slice(0, 40) });
  }
  return profiles;
}

// ---- main ------------------------------------------------------------------------------

function fmt(v, digits) {
  return Number.isFinite(v) ? v.toFixed(digits) : '-';
}
function round(v, digits) {
  return Number.isFinite(v) ? Number(v.toFixed(digits)) : null;
}

function printTable() {
  const rows = [['figure', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'ratio / value', 'target', 'met']];
  for (const f of figures) {
    const value =
      f.ratio !== undefined
        ? `${fmt(f.ratio, 2)}× ${f.ratioOf}${f.addedP50 !== undefined ? `; +${fmt(f.addedP50, 2)} ms p50` : ''}` +
          (f.ofBareNest !== undefined ? `; ${fmt(f.ofBareNest, 2)}× bare Nest route` : '')
        : f.value !== undefined
          ? `${fmt(f.value, f.unit === 'ms' ? 0 : 2)} ${f.unit}${f.growth !== undefined ? ` (${f.growth >= 0 ? '+' : ''}${fmt(f.growth, 1)} MB)` : ''}`
          : '';
    rows.push([
      f.figure,
      fmt(f.rps, 0),
      fmt(f.p50, 2),
      fmt(f.p95, 2),
      fmt(f.p99, 2),
      value,
      f.target ?? '',
      f.met === undefined ? '' : f.met ? 'yes' : 'NO',
    ]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  const line = (r) => `| ${r.map((cell, c) => String(cell).padEnd(widths[c])).join(' | ')} |`;
  console.log(`\n${line(rows[0])}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows.slice(1)) console.log(line(r));
  for (const n of notes) console.log(`note: ${n}`);
}

async function main() {
  const t0 = performance.now();
  console.log(
    `health-bridge bench: ${opts.only.join(', ')}; ${opts.connections} connections, ${opts.duration} s × ${opts.rounds} rounds after ${opts.warmup} s warm-up` +
      `${quick ? ' (--quick: a smoke run, not figures to quote)' : ''}\nAPI build of ${BUILD_TIME}; logs and databases: ${workDir}`,
  );
  let pgOk = false;
  if (opts.only.some((f) => ['push', 'changes', 'delivery', 'list', 'fhir', 'profile'].includes(f))) {
    const reach = await pgReachable();
    pgOk = reach === true;
    if (!pgOk) {
      const note = `PostgreSQL at ${opts.pg.replace(/:[^:@/]+@/, ':***@')} unreachable (${reach}): PostgreSQL figures skipped`;
      notes.push(note);
      console.log(`note: ${note}`);
    }
  }
  let profiles;
  if (opts.only.includes('startup')) await startupFigures();
  if (opts.only.includes('push')) await pushFigures(pgOk);
  if (opts.only.includes('changes')) await changeFigures(pgOk);
  if (opts.only.includes('delivery')) await deliveryFigures(pgOk);
  if (opts.only.includes('auth')) await authFigures();
  if (opts.only.includes('memory')) await memoryFigures();
  if (opts.only.includes('list') && pgOk) await listFigures();
  if (opts.only.includes('fhir') && pgOk) await fhirFigures();
  if (opts.only.includes('profile')) profiles = await profileFigures(pgOk);

  printTable();
  const report = {
    date: new Date().toISOString(),
    machine: { nproc: cpus().length, cpu: cpus()[0]?.model, memoryGb: round(totalmem() / 2 ** 30, 1), node: process.version, platform: process.platform },
    options: opts,
    apiBuiltAt: BUILD_TIME,
    durationSeconds: round((performance.now() - t0) / 1000, 1),
    figures: figures.map((f) => Object.fromEntries(Object.entries(f).map(([k, v]) => [k, typeof v === 'number' ? round(v, 3) : v]))),
    profiles,
    notes,
  };
  const file = resolve(outDir, `bench-${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwritten: ${file}`);
}

function readHelp() {
  return `npm run bench [-- flags]
  --connections=50        concurrent connections of the push and auth figures
  --duration=10           seconds of each measured run
  --warmup=3              seconds of warm-up before the first measured run of each target
  --rounds=3              rounds; each figure is the median, runs alternate with their reference
  --only=push,changes,delivery,auth,list,fhir,memory,startup   (also: profile, not in the default set)
  --pg=postgres://postgres@127.0.0.1:5432/test   PostgreSQL figures are skipped when unreachable
  --list-connections=10   connections of the list figures
  --list-sizes=10000,100000,1000000
  --fhir-sizes=10000,1000000   stored measurements of the FHIR search figure (PostgreSQL)
  --memory-pushes=100000  pushes per memory batch (two batches)
  --quick                 short durations, 1 round, small sizes: a smoke run
  --against=DIR           another build's dist/ (e.g. main's): its new-push figures are measured
                          in the same rounds, and printed as this build ÷ that one (push, changes, auth, delivery)
  --build=DIR             the build measured as this one (default: dist/), e.g. a step of the history
Needs dist/ (run \`npm run build\` first).`;
}

main()
  .then(() => cleanup())
  .then(() => process.exit(0))
  .catch(async (error) => {
    console.error(`\nbench failed: ${error.stack ?? error}`);
    await cleanup();
    process.exit(1);
  });
