// The webhook receiver of the delivery figures: bare Fastify, one POST route that answers 204
// at once and counts what it received. For each event, the time from its `timestamp` (when the
// API stored the push) to its arrival here. Signatures are not checked: the receiver is the
// reference, not what is measured. GET /stats answers the counts and latencies so far;
// POST /stats/reset forgets them.
// Env: PORT, HOST (127.0.0.1).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Fastify = require('fastify');

let seen = new Set();
let deliveries = 0;
let latencies = [];
let firstAt = null;
let lastAt = null;

const app = Fastify({ logger: false, bodyLimit: 1_048_576 });
app.post('/hook', async (request, reply) => {
  const now = Date.now();
  deliveries++;
  const id = request.headers['webhook-id'];
  if (!seen.has(id)) {
    seen.add(id);
    const storedAt = Date.parse(request.body?.timestamp);
    if (Number.isFinite(storedAt)) latencies.push(now - storedAt);
  }
  firstAt ??= now;
  lastAt = now;
  return reply.code(204).send();
});
app.get('/stats', async () => {
  const sorted = Float64Array.from(latencies).sort();
  const at = (p) => (sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]);
  return { events: seen.size, deliveries, firstAt, lastAt, p50: at(50), p99: at(99) };
});
app.post('/stats/reset', async () => {
  seen = new Set();
  deliveries = 0;
  latencies = [];
  firstAt = null;
  lastAt = null;
  return {};
});
app.get('/health', async () => ({ status: 'ok' }));
await app.listen({ port: Number(process.env.PORT ?? 0), host: process.env.HOST ?? '127.0.0.1' });
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => void app.close().then(() => process.exit(0)));
