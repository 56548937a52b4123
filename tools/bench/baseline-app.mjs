// The baseline of the push figures: a bare NestJS app on the same Fastify adapter, the same
// Fastify options and the same JSON parser as the API (configure-app.ts), one POST route
// that parses the body and answers Viatom's acknowledgement. No database, no guards, no pipes.
// With SANDBOX_URL, also the reference of the auth-URL figure: `POST /proxy/auth-url` asks the
// sandbox for an authorization URL with node's HTTP client (keep-alive) and answers it: the
// framework's own cost of such a call, without the API's guards, validation, resilience or logs.
// Plain JS: Nest's decorators are applied as function calls, so nothing is compiled.
// Env: PORT, HOST (127.0.0.1); SANDBOX_URL, SANDBOX_SECRET, SANDBOX_ACCESS_TOKEN.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require('reflect-metadata');
const { Body, Controller, HttpCode, Module, Post } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { FastifyAdapter } = require('@nestjs/platform-fastify');

class BaselineController {
  receive(body) {
    if (typeof body !== 'object' || body === null) return { code: 20015, message: 'invalid push', reason: '', data: null };
    return { code: 0, message: 'success', reason: '', data: {} };
  }
}
Controller('api/v1/webhooks')(BaselineController);
const receive = Object.getOwnPropertyDescriptor(BaselineController.prototype, 'receive');
Reflect.decorate([Post('viatom'), HttpCode(200)], BaselineController.prototype, 'receive', receive);
Body()(BaselineController.prototype, 'receive', 0);

const http = require('node:http');
const agent = new http.Agent({ keepAlive: true });
class ProxyController {
  authUrl() {
    const target = new URL('/api/v1/open/auth/jump_path', process.env.SANDBOX_URL);
    const headers = {
      'content-type': 'application/json; charset=utf-8',
      secret: process.env.SANDBOX_SECRET,
      'access-token': process.env.SANDBOX_ACCESS_TOKEN,
      language: 'zh-CN',
      'content-length': '2',
    };
    return new Promise((resolve, reject) => {
      const request = http.request(target, { method: 'POST', agent, headers }, (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => {
          const answer = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          if (answer.code !== 0) reject(new Error(`sandbox answered code ${answer.code}`));
          else resolve({ jumpPath: answer.data.jump_path });
        });
      });
      request.on('error', reject);
      request.end('{}');
    });
  }
}
Controller('proxy')(ProxyController);
Reflect.decorate([Post('auth-url'), HttpCode(200)], ProxyController.prototype, 'authUrl', Object.getOwnPropertyDescriptor(ProxyController.prototype, 'authUrl'));

class HealthController {
  check() {
    return { status: 'ok' };
  }
}
Controller('health')(HealthController);
Reflect.decorate([require('@nestjs/common').Get()], HealthController.prototype, 'check', Object.getOwnPropertyDescriptor(HealthController.prototype, 'check'));

class BaselineModule {}
Module({ controllers: [BaselineController, HealthController, ...(process.env.SANDBOX_URL ? [ProxyController] : [])] })(BaselineModule);

const app = await NestFactory.create(BaselineModule, new FastifyAdapter({ bodyLimit: 1_048_576, trustProxy: false }), {
  bodyParser: false,
  logger: ['error', 'warn'],
});
const fastify = app.getHttpAdapter().getInstance();
const parseJson = fastify.getDefaultJsonParser('error', 'error');
fastify.removeAllContentTypeParsers();
fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
  request.rawBody = body;
  if (body.trim() === '') return done(null, undefined);
  parseJson(request, body, done);
});
app.enableShutdownHooks();
await app.listen(Number(process.env.PORT ?? 3900), process.env.HOST ?? '127.0.0.1');
console.log(`baseline listening on ${await app.getUrl()}`);
