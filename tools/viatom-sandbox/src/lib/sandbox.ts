import type { AddressInfo } from 'node:net';
import { isValidUtcOffset } from '@health-bridge/viatom-protocol';
import Fastify from 'fastify';
import { ADMIN_ROUTES, registerAdmin } from './admin';
import { registerBodyParsers } from './body';
import { basePath, registerConsent } from './consent';
import { landingPageHtml } from './consent-page';
import type { SandboxContext } from './context';
import { FaultState } from './faults';
import { registerOpenApi, newSign } from './open-api';
import { checkPushUrl, PushSender, redactUrl } from './push-sender';
import { createScenarios, SandboxInputError } from './scenarios';
import type { OpenApiCall, Sandbox, SandboxFault, SandboxOptions } from './types';

const DEFAULT_TIME_ZONE = '+08:00';
const DEFAULT_PUSH_TIMEOUT_MS = 10_000;
/** Signs kept for the consent page; the oldest are forgotten beyond this. */
const MAX_SIGNS = 10_000;

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** A local stand-in for Viatom's open platform. Call `listen()` to start it. */
export function createSandbox(options: SandboxOptions): Sandbox {
  if (!options || typeof options.secret !== 'string' || options.secret === '') {
    throw new TypeError('createSandbox: secret is required');
  }
  if (typeof options.accessToken !== 'string' || options.accessToken === '') {
    throw new TypeError('createSandbox: accessToken is required');
  }
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
  if (!isValidUtcOffset(timeZone)) {
    throw new TypeError(`createSandbox: timeZone "${timeZone}" must be a UTC offset like +08:00 (or Z)`);
  }
  if (options.publicUrl !== undefined) checkPushUrl(options.publicUrl, 'createSandbox: publicUrl');
  const pushTimeoutMs = options.pushTimeoutMs ?? DEFAULT_PUSH_TIMEOUT_MS;

  const calls: OpenApiCall[] = [];
  const authorizedPhones = new Set<string>();
  const signs = new Map<string, Date>();
  const faults = new FaultState();
  const pusher = new PushSender(checkPushUrl(options.pushUrl ?? null), pushTimeoutMs);
  const timers = new Map<NodeJS.Timeout, () => void>();
  let nextCallId = 1;
  let listeningUrl: string | null = null;
  let closing = false;
  let closed: Promise<void> | null = null;

  const ctx: SandboxContext = {
    secret: options.secret,
    accessToken: options.accessToken,
    timeZone,
    calls,
    authorizedPhones,
    signs,
    faults,
    pusher,
    adminPushes: createScenarios({ pusher, authorizedPhones, timeZone }, 'admin'),
    get closing() {
      return closing;
    },
    nextCallId: () => nextCallId++,
    issueSign() {
      const sign = newSign();
      signs.set(sign, new Date());
      if (signs.size > MAX_SIGNS) signs.delete(signs.keys().next().value!);
      return sign;
    },
    publicUrl: () => (options.publicUrl ?? listeningUrl ?? 'http://127.0.0.1').replace(/\/+$/, ''),
    listeningUrl: () => listeningUrl,
    delay: (ms) =>
      new Promise<void>((resolve) => {
        if (closing) return resolve();
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, ms);
        timers.set(timer, resolve);
      }),
  };

  const reset = () => {
    calls.length = 0;
    nextCallId = 1;
    pusher.reset();
    authorizedPhones.clear();
    signs.clear();
    faults.reset();
  };

  const app = Fastify({ logger: options.logger ?? false, forceCloseConnections: true });
  registerBodyParsers(app);
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if (error instanceof SandboxInputError) return reply.code(400).send({ error: 'Bad Request', errors: error.errors });
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) request.log.error(error);
    return reply.code(status).send({ error: status >= 500 ? 'Internal Server Error' : error.message });
  });
  // Browsers ask for it on every page (the consent page is opened in one): no icon, and no 404 in their console.
  app.get('/favicon.ico', async (_request, reply) => reply.code(204).header('cache-control', 'max-age=86400').send());
  app.get('/', async (_request, reply) =>
    reply
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(
        landingPageHtml({
          basePath: basePath(ctx.publicUrl()),
          pushTarget: redactUrl(pusher.url),
          adminLinks: ADMIN_ROUTES.filter((route) => route.method === 'GET'),
          // The scenarios that run on a phone (every other field has a default): the page's one field.
          scenarios: ADMIN_ROUTES.filter((route) => route.path.startsWith('/admin/pushes/') && route.body !== undefined && 'phone' in route.body),
        }),
      ),
  );
  registerOpenApi(app, ctx);
  registerConsent(app, ctx);
  registerAdmin(app, ctx, reset);

  return {
    async listen(port = 0, host = '127.0.0.1') {
      if (listeningUrl) throw new Error(`The sandbox already listens on ${listeningUrl}`);
      await app.listen({ port, host });
      const address = app.server.address() as AddressInfo;
      listeningUrl = `http://${urlHost(host)}:${address.port}`;
      return listeningUrl;
    },
    close() {
      closed ??= (async () => {
        closing = true;
        for (const [timer, release] of timers) {
          clearTimeout(timer);
          release();
        }
        timers.clear();
        pusher.abortAll();
        await app.close();
        await pusher.settled();
      })();
      return closed;
    },
    get url() {
      if (!listeningUrl) throw new Error('The sandbox is not listening: call listen() first');
      return listeningUrl;
    },
    get publicUrl() {
      return ctx.publicUrl();
    },
    calls,
    pushesSent: pusher.records,
    authorizedPhones,
    get issuedSigns(): ReadonlySet<string> {
      return new Set(signs.keys());
    },
    get fault() {
      return faults.fault;
    },
    setFault: (fault: SandboxFault) => faults.set(fault),
    resetFaults: () => faults.reset(),
    get pushUrl() {
      return pusher.url;
    },
    setPushUrl(url: string | null) {
      pusher.url = checkPushUrl(url);
    },
    settled: () => pusher.settled(),
    reset,
    send: createScenarios({ pusher, authorizedPhones, timeZone }, 'api'),
  };
}
