// The reference of the authorization-change figures: bare Fastify (no Nest, no database),
// Fastify's own JSON parser, one POST route answering Viatom's acknowledgement. What any
// Node service receiving the same JSON on this machine would at best do.
// Env: PORT, HOST (127.0.0.1).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Fastify = require('fastify');

const app = Fastify({ logger: false });
app.post('/api/v1/webhooks/viatom', async (request) =>
  typeof request.body === 'object' && request.body !== null
    ? { code: 0, message: 'success', reason: '', data: {} }
    : { code: 20015, message: 'invalid push', reason: '', data: null },
);
app.get('/health', async () => ({ status: 'ok' }));
await app.listen({ port: Number(process.env.PORT ?? 0), host: process.env.HOST ?? '127.0.0.1' });
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => void app.close().then(() => process.exit(0)));
