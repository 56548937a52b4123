#!/usr/bin/env node
// The operator console in a real browser (Debian's Chromium driven by playwright-core), against
// the built API and the built Viatom sandbox on SQLite (npm run build first). It signs in,
// authorizes a person through the sandbox's consent page, sends the sample measurements, opens
// the person and counts the points of their blood-pressure chart, reads a refused push's
// explanation, creates a webhook endpoint whose receiver fails, and retries the failed delivery
// once the receiver is fixed. Every page is also shown at phone width and in Chinese.
// Screenshots go to artifacts/console/ (CONSOLE_SCREENSHOTS names another folder). Any error in a
// page's console (a CSP violation included) fails the run; so does a first load over its budget.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { freePort, sleep } from '../bench/lib.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(join(root, 'package.json'));
const API = join(root, 'dist/apps/api/main.js');
const SANDBOX = join(root, 'dist/tools/viatom-sandbox/main.js');
const CONSOLE = join(root, 'dist/apps/console');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = resolve(root, process.env.CONSOLE_SCREENSHOTS ?? 'artifacts/console');
/** The first load's budget, gzip: index.html and what it names (scripts, styles, preloads). */
export const FIRST_LOAD_BUDGET_BYTES = 350 * 1024;
const API_KEY = 'console-test-api-key-0123456789';
const WEBHOOK_TOKEN = 'console-test-webhook-token-0123456789';
const SECRET = 'console-test-sandbox-secret';
const ACCESS_TOKEN = 'console-test-sandbox-access-token';
const PHONE = '15312341234';
const PHONE_WRITTEN = '+86 153-1234-1234';
const STEP_TIMEOUT_MS = 15_000;

for (const [file, what] of [
  [API, 'dist/apps/api/main.js'],
  [SANDBOX, 'dist/tools/viatom-sandbox/main.js'],
  [join(CONSOLE, 'index.html'), 'dist/apps/console/index.html'],
]) {
  if (!existsSync(file)) {
    console.error(`${what} is missing: run \`npm run build\` first.`);
    process.exit(2);
  }
}
if (!existsSync(CHROMIUM)) {
  console.error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium), or set CHROMIUM_PATH.`);
  process.exit(2);
}

let failures = 0;
const check = (ok, label) => {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${label}`);
  if (!ok) failures++;
  return ok;
};

// ---- the bundle budget -------------------------------------------------------------------

function firstLoad() {
  const html = readFileSync(join(CONSOLE, 'index.html'), 'utf8');
  const named = [...html.matchAll(/(?:src|href)="\/console\/([^"]+)"/g)].map((m) => m[1]);
  const files = ['index.html', ...named];
  const sizes = files.map((file) => ({ file, gzip: gzipSync(readFileSync(join(CONSOLE, file)), { level: 9 }).length }));
  return { sizes, total: sizes.reduce((n, s) => n + s.gzip, 0) };
}

console.log('\n== bundle size (gzip)');
const load = firstLoad();
for (const s of load.sizes) console.log(`     ${s.file}: ${(s.gzip / 1024).toFixed(1)} kB`);
check(load.total <= FIRST_LOAD_BUDGET_BYTES, `first load ${(load.total / 1024).toFixed(1)} kB <= budget ${FIRST_LOAD_BUDGET_BYTES / 1024} kB`);
check(load.sizes.some((s) => s.file.endsWith('.js')), 'index.html names its script');

// ---- processes ---------------------------------------------------------------------------

const children = new Set();
const cleanups = [];
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function run(name, entry, env) {
  const child = spawn(process.execPath, [entry], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  child.stdout.on('data', (d) => (output = (output + d).slice(-20_000)));
  child.stderr.on('data', (d) => (output = (output + d).slice(-20_000)));
  child.on('exit', (code, signal) => {
    children.delete(child);
    if (!stopping) {
      console.error(`${name} exited (${code ?? signal}) during the test:\n${output}`);
      failures++;
    }
  });
  return { child, output: () => output };
}

async function waitFor(label, probe, timeoutMs = STEP_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${label}${last ? `: ${last.message}` : ''}`);
}

const apiCall = async (base, method, path, body) => {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'x-api-key': API_KEY, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
};

/** A webhook receiver that answers 500 until it is told to accept. */
function receiver() {
  let accept = false;
  const received = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ id: req.headers['webhook-id'], accepted: accept, body: Buffer.concat(chunks).toString() });
      res.writeHead(accept ? 204 : 500, { 'content-type': 'text/plain' }).end(accept ? undefined : 'receiver not ready');
    });
  });
  return {
    received,
    accept: () => (accept = true),
    listen: () => new Promise((r) => server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${server.address().port}/hook`))),
    close: () => new Promise((r) => server.close(() => r())),
  };
}

let stopping = false;
const work = mkdtempSync(join(tmpdir(), 'console-test-'));
cleanups.push(() => rmSync(work, { recursive: true, force: true }));
mkdirSync(SHOTS, { recursive: true });

const apiPort = await freePort();
const sandboxPort = await freePort();
const apiUrl = `http://127.0.0.1:${apiPort}`;
const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
const sandbox = run('the sandbox', SANDBOX, {
  SANDBOX_PORT: String(sandboxPort),
  SANDBOX_SECRET: SECRET,
  SANDBOX_ACCESS_TOKEN: ACCESS_TOKEN,
  SANDBOX_PUSH_URL: `${apiUrl}/api/v1/webhooks/viatom?token=${WEBHOOK_TOKEN}`,
});
const api = run('the API', API, {
  NODE_ENV: 'development',
  HOST: '127.0.0.1',
  PORT: String(apiPort),
  DATABASE_URL: `sqlite:${join(work, 'console-test.sqlite')}`,
  VIATOM_BASE_URL: sandboxUrl,
  VIATOM_SECRET: SECRET,
  VIATOM_ACCESS_TOKEN: ACCESS_TOKEN,
  API_KEYS: API_KEY,
  WEBHOOK_TOKEN,
  DATA_ENCRYPTION_KEYS: `t1:${Buffer.alloc(32, 7).toString('base64')}`,
  DATA_HASH_KEY: Buffer.alloc(32, 8).toString('base64'),
  // Two quick attempts, then the delivery is `failed`: the console's retry is what sends it again.
  DELIVERY_RETRY_SCHEDULE: 'PT0S,PT0.3S',
  DELIVERY_TIMEOUT: 'PT2S',
  LOG_LEVEL: 'warn',
});
const hook = receiver();
const hookUrl = await hook.listen();
cleanups.push(() => hook.close());

const { chromium } = require('playwright-core');
let browser;
let page;
try {
  await waitFor('the API to be ready', async () => (await fetch(`${apiUrl}/health/ready`)).ok, 60_000);
  await waitFor('the sandbox', async () => (await fetch(`${sandboxUrl}/admin/state`)).ok);

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  const pageErrors = [];
  const watch = (page, name) => {
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`${name}: ${message.text()}`);
    });
    page.on('pageerror', (error) => pageErrors.push(`${name}: ${error.message}`));
    return page;
  };
  page = watch(await context.newPage(), 'console');
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  const shot = (name) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  console.log('\n== sign-in');
  const first = await page.goto(`${apiUrl}/console`);
  check(first.ok() && page.url() === `${apiUrl}/console/`, '/console redirects to /console/ and loads');
  check(/script-src 'self'/.test(first.headers()['content-security-policy'] ?? ''), 'the page is served under the console CSP');
  await shot('01-sign-in');
  await page.fill('#api-key', 'not-the-key-0123456789');
  await page.click('button[type=submit]');
  await page.getByRole('alert').waitFor();
  check((await page.getByRole('alert').textContent()).includes('refused'), 'a wrong key is refused, in words');
  // The failed call logs "401" in the page's console: that one was expected.
  pageErrors.length = 0;
  await page.fill('#api-key', API_KEY);
  await page.click('button[type=submit]');
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  check(true, 'the right key opens the overview');
  check((await page.evaluate(() => document.cookie)) === '', 'no cookie is set');
  check((await page.evaluate(() => location.href)).includes(API_KEY) === false, 'the key is not in the URL');

  console.log('\n== a person authorizes through the sandbox consent page');
  await page.click('nav >> text=People');
  await page.click('text=Get an authorization link');
  const authUrl = (await page.getByTestId('auth-url').textContent()).trim();
  check(authUrl.startsWith(`${sandboxUrl}/auth`), `the console shows Viatom's (the sandbox's) consent URL`);
  await shot('02-people-auth-url');
  const consent = watch(await context.newPage(), 'sandbox consent page');
  await consent.goto(authUrl);
  await consent.fill('#phone', PHONE);
  await consent.click('button[type=submit]');
  await waitFor('the authorization to be stored', async () => (await apiCall(apiUrl, 'GET', `/api/v1/authorizations/${PHONE}`)).status === 200);
  await consent.close();
  check(true, 'the type-2 push reached the API');

  console.log('\n== the sample measurements, and two more blood pressures');
  const samples = await fetch(`${sandboxUrl}/admin/pushes/samples`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone: PHONE }) });
  check(samples.ok, 'the sandbox sent one measurement of each type');
  for (const measureTime of ['2026-11-20 08:00:00', '2026-11-27 08:00:00']) {
    const res = await fetch(`${sandboxUrl}/admin/pushes/measurement`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phone: PHONE, dataType: 3, measureTime }),
    });
    check(res.ok, `a blood pressure measured at ${measureTime}`);
  }
  const stored = await waitFor('the measurements', async () => {
    const page = await apiCall(apiUrl, 'GET', `/api/v1/measurements?phone=${PHONE}&limit=200`);
    return page.body.items.length >= 12 ? page.body.items : null;
  });
  const bloodPressures = stored.filter((m) => m.kind === 'blood-pressure').length;

  console.log('\n== the person and their readings');
  await page.fill('#phone-search', PHONE_WRITTEN);
  await page.click('form[role=search] button[type=submit]');
  await page.getByTestId('person-status').waitFor();
  check((await page.getByTestId('person-status').textContent()) === 'authorized', `found by "${PHONE_WRITTEN}", authorized`);
  await page.click('.range-picker >> text=All');
  const chart = page.getByTestId('chart-blood-pressure');
  await chart.waitFor();
  await page.waitForSelector('[data-testid=chart-blood-pressure][data-ready=true]');
  await page.waitForSelector('[data-testid=chart-blood-pressure] canvas');
  const points = Number(await chart.getAttribute('data-points'));
  // A tooltip under the console's CSP (no inline style): hovering draws it without a violation (checked with every page error at the end).
  await hoverAcross(page, '[data-testid=chart-blood-pressure] canvas');
  check(bloodPressures === 3 && points === 2 * bloodPressures, `the blood-pressure chart draws ${points} points: systolic and diastolic of ${bloodPressures} readings`);
  check((await chart.locator('[role=img]').getAttribute('aria-label')) === `Blood pressure: ${bloodPressures} readings`, 'the chart says what it shows, for screen readers');
  const rows = await page.locator('[data-testid=readings-table] tbody tr').count();
  check(rows === stored.length, `the readings table lists every measurement (${rows} of ${stored.length})`);
  check((await page.locator('[data-testid=readings-table] a.file-link').count()) > 0, 'the ECG report and waveform files are linked');
  check((await page.locator('[data-testid=consents-table] tbody tr').count()) === 1, 'the consent history holds the grant');
  await shot('03-person');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  const personOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(personOverflow <= 0, `the person and their charts fit a 390 px screen (${personOverflow} px too wide)`);
  await shot('03-person-phone');
  await page.setViewportSize({ width: 1280, height: 900 });

  console.log('\n== a refused push, explained');
  await fetch(`${sandboxUrl}/admin/pushes/cancelled`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone: PHONE }) });
  await waitFor('the cancellation', async () => (await apiCall(apiUrl, 'GET', `/api/v1/authorizations/${PHONE}`)).body.status === 'revoked');
  await fetch(`${sandboxUrl}/admin/pushes/measurement`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone: PHONE, dataType: 2 }) });
  await waitFor('the refused measurement', async () => (await apiCall(apiUrl, 'GET', '/api/v1/pushes?outcome=ignored')).body.items.length === 1);
  await page.click('nav >> text=Push log');
  await page.selectOption('#filter-outcome', 'ignored');
  await page.click('text=Filter >> nth=-1');
  await waitFor('the filtered list', async () => (await page.locator('[data-testid=push-table] tbody tr').count()) === 1);
  check((await page.locator('[data-testid=push-table] tbody tr .badge').textContent()) === 'ignored', 'the outcome filter leaves the one refused push');
  await page.click('[data-testid=push-table] tbody tr button.link');
  const explanation = await page.getByTestId('push-explanation').textContent();
  check(/^Refused: .*none of its people is still authorized/.test(explanation), `its outcome in words: "${explanation.slice(0, 70)}…"`);
  const raw = await page.getByTestId('push-raw').textContent();
  check(JSON.parse(raw).data === null, `its raw message, as kept (without the withdrawn data): ${raw.slice(0, 80)}…`);
  await shot('04-push-log');

  console.log('\n== a webhook endpoint, a failed delivery, a retry');
  await page.click('nav >> text=Webhooks');
  await page.fill('#new-url', hookUrl);
  await page.fill('#new-description', 'console test receiver');
  await page.click('form:has(#new-url) button[type=submit]');
  await page.getByTestId('created-secret').waitFor();
  check((await page.getByTestId('created-secret').textContent()).startsWith('whsec_'), 'created, and its signing secret shown once');
  // An event after the endpoint exists: a second person authorizes. (An event stored just before
  // the endpoint may reach it too: the test follows this one by its id.)
  const second = '15399990000';
  await fetch(`${sandboxUrl}/admin/pushes/authorized`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone: second }) });
  const granted = (r) => {
    const body = JSON.parse(r.body);
    return body.type === 'authorization.granted' && body.data?.phone === second;
  };
  await waitFor('two failed attempts of the grant', async () => hook.received.filter(granted).length >= 2);
  const eventId = hook.received.find(granted).id;
  const row = (status) => page.locator(`[data-testid=delivery-table] tr[data-event-id="${eventId}"]${status ? `[data-status=${status}]` : ''}`);
  await waitFor('the delivery to be given up', async () => {
    await page.click('section:has(#deliveries) >> text=Refresh');
    return (await row('failed').count()) === 1;
  });
  check((await row('failed').locator('.attempts li').count()) === 2, 'the failed delivery shows its two attempts');
  check((await row('failed').textContent()).includes('500'), "with the receiver's status");
  await shot('05-webhooks-failed');
  hook.accept();
  await row('failed').locator('text=Retry').click();
  await waitFor('the retried delivery', async () => hook.received.some((r) => r.accepted && granted(r)));
  await waitFor('the delivery to show delivered', async () => {
    await page.click('section:has(#deliveries) >> text=Refresh');
    return (await row('delivered').count()) === 1;
  });
  check((await row('delivered').locator('.attempts li').count()) === 3, 'delivered at the third attempt, the retry');
  check(new Set(hook.received.filter(granted).map((r) => r.id)).size === 1, 'every attempt of the event carried the same webhook-id');
  const createdSecret = (await page.getByTestId('created-secret').textContent()).trim();
  await page.click('button:text("Show the secret")');
  check((await page.getByTestId('endpoint-secret').textContent()).includes(createdSecret), 'the secret can be shown again');
  await page.click('button:text("Rotate the secret")');
  await page.click('dialog button[type=submit]');
  await page.getByText('New secret').waitFor();
  const endpoints = (await apiCall(apiUrl, 'GET', '/api/v1/webhook-endpoints')).body.items;
  const secrets = (await apiCall(apiUrl, 'GET', `/api/v1/webhook-endpoints/${endpoints[0].id}/secret`)).body;
  check(
    secrets.previousSecret === createdSecret && secrets.secret !== createdSecret && (await page.getByTestId('endpoint-secret').textContent()).includes(secrets.secret),
    'rotated from the console: the new secret shown, the old one still signing beside it',
  );
  await shot('06-webhooks-delivered');

  console.log('\n== cancel and erase a person, each behind a confirmation');
  await page.click('nav >> text=People');
  await page.fill('#phone-search', second);
  await page.click('form[role=search] button[type=submit]');
  await page.getByTestId('person-status').waitFor();
  await page.click('text=Cancel the authorization');
  await page.click('dialog button[type=submit]');
  await waitFor('the cancel at Viatom', async () => (await page.getByTestId('person-status').textContent()) === 'revoked');
  check(true, 'cancelled at Viatom (the sandbox) from the console: revoked');
  await page.click('text=Erase their data');
  const erase = page.locator('dialog button[type=submit]');
  check(await erase.isDisabled(), 'the erase button stays disabled until the phone is typed');
  await page.fill('#erase-phone', '153 9999 0000');
  check(!(await erase.isDisabled()), 'and is enabled once it is');
  await shot('07-erase-confirmation');
  await erase.click();
  await page.getByText('Erased:').waitFor();
  check((await page.getByText('Erased:').textContent()) === 'Erased: 0 measurements deleted.', 'erased, and the answer shown (they had no measurement)');
  const ledger = (await apiCall(apiUrl, 'GET', `/api/v1/people/${second}/consents`)).body.items;
  check(
    ledger.some((r) => r.action === 'withdrawn' && r.by === 'integrator' && r.outcome === 'applied'),
    'the ledger records the withdrawal by this enterprise',
  );

  console.log('\n== the overview');
  await page.click('nav >> text=Overview');
  await page.waitForSelector('[data-testid=push-flow][data-ready=true]');
  const flowPoints = Number(await page.getByTestId('push-flow').getAttribute('data-points'));
  const pushes = (await apiCall(apiUrl, 'GET', '/api/v1/pushes?limit=200')).body.items.length;
  check(flowPoints === pushes, `pushes per minute add up to the push log (${flowPoints} of ${pushes})`);
  await hoverAcross(page, '[data-testid=push-flow] canvas');
  await shot('08-overview');

  console.log('\n== keyboard, phone width, Chinese');
  await page.evaluate(() => document.activeElement?.blur());
  let reached = false;
  for (let i = 0; i < 10 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.textContent === 'Push log');
  }
  check(reached, 'the navigation is reached with Tab');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Push log', level: 1 }).waitFor();
  check(true, 'and followed with Enter');
  await page.setViewportSize({ width: 390, height: 844 });
  for (const [nav, name] of [
    ['Overview', '09-phone-overview'],
    ['People', '10-phone-people'],
    ['Webhooks', '11-phone-webhooks'],
  ]) {
    await page.click(`nav >> text=${nav}`);
    await page.waitForTimeout(300);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 0, `${nav} fits a 390 px screen (${overflow} px too wide)`);
    await shot(name);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.selectOption('select[aria-label=Language]', 'zh');
  await page.getByRole('link', { name: '概览', exact: true }).waitFor();
  await page.click('nav >> text=概览');
  await page.getByRole('heading', { name: '概览' }).waitFor();
  check((await page.evaluate(() => document.documentElement.lang)) === 'zh-CN', 'switched to Chinese (lang=zh-CN)');
  await shot('12-overview-zh');
  const zh = watch(await browser.newPage({ locale: 'zh-CN' }), 'console, zh-CN browser');
  await zh.goto(`${apiUrl}/console/`);
  await zh.getByRole('heading', { name: '登录' }).waitFor();
  check(true, 'a Chinese browser gets the Chinese sign-in');
  await zh.close();

  console.log('\n== the page stayed clean');
  check(pageErrors.length === 0, `no error in any page's console${pageErrors.length ? `:\n       ${pageErrors.join('\n       ')}` : ''}`);
} catch (error) {
  failures++;
  console.error(`\nFAIL ${error.stack ?? error}`);
  await page?.screenshot({ path: join(SHOTS, 'failure.png'), fullPage: true }).catch(() => undefined);
  console.error(`the page at the failure: ${join(SHOTS, 'failure.png')}`);
  console.error(`\nthe API's output:\n${api.output().slice(-4000)}\nthe sandbox's output:\n${sandbox.output().slice(-2000)}`);
} finally {
  stopping = true;
  await browser?.close().catch(() => undefined);
  for (const child of children) child.kill('SIGTERM');
  await sleep(300);
  for (const cleanup of cleanups) await cleanup();
}

console.log(`\nscreenshots: ${SHOTS}`);
console.log(failures === 0 ? 'console test: all checks passed' : `console test: ${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);

/** Moves the pointer across a chart, left to right, so that its tooltip shows (a CSP violation would be a console error). */
async function hoverAcross(page, selector) {
  const box = await page.locator(selector).first().boundingBox();
  if (!box) throw new Error(`${selector} is not on the page`);
  for (let x = 0.1; x <= 0.9; x += 0.1) {
    await page.mouse.move(box.x + box.width * x, box.y + box.height / 2);
    await page.waitForTimeout(30);
  }
  await page.waitForTimeout(200);
}
