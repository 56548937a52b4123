import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { AppModule } from './app.module';
import { ConfigurationError, loadConfig, type AppConfig } from './config/app-config';
import { configureApp, fastifyOptions, NEST_APP_OPTIONS } from './configure-app';
import { CONSOLE_PATH, type ConsoleServing } from './console/console-files';
import { describeError, listenFailure, maskDatabaseUrl, StartupError, startupFailure } from './startup';
import { SWAGGER_PATH } from './swagger';

const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

async function bootstrap(): Promise<void> {
  // A local .env file is read when present; real environment variables win over it.
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config: AppConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigurationError) cannotStart(`${error.message}\nSee .env.example for every variable.`);
    throw error;
  }

  const { app, console: served } = await start(config);
  const url = (await app.getUrl()).replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost');
  const logger = new Logger('Bootstrap');
  logger.log(`health-bridge listening on ${url} (database: ${maskDatabaseUrl(config.database.url)})`);
  if (config.swaggerEnabled) logger.log(`Swagger UI: ${url}/${SWAGGER_PATH}`);
  if (served.served) logger.log(`Operator console: ${url}${CONSOLE_PATH}/`);
  if (!config.webhookToken && config.pushAuth.ipAllowlist.length === 0 && !config.pushAuth.signature) {
    logger.warn('No push check is configured (WEBHOOK_TOKEN, WEBHOOK_IP_ALLOWLIST, WEBHOOK_SIGNATURE_SECRETS): anyone can post pushes. Refused with NODE_ENV=production.');
  }
}

/** The app, listening; or the process ends with one message that says why (a StartupError names the variable to change). */
async function start(config: AppConfig): Promise<{ app: NestFastifyApplication; console: ConsoleServing }> {
  let app: NestFastifyApplication | undefined;
  try {
    // Before anything starts (migrations, the delivery and broker workers): a second process
    // started on a port already taken would otherwise send webhooks until its listen failed.
    await portIsFree(config).catch((error: unknown) => {
      throw listenFailure(error, config);
    });
    app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), new FastifyAdapter(fastifyOptions(config)), {
      ...NEST_APP_OPTIONS,
      bufferLogs: true, // until configureApp hands Nest's logger to pino
      // A failed start is told once, below, in words: not as Nest's stack trace before it exits.
      abortOnError: false,
      autoFlushLogs: false,
    });
    const configured = configureApp(app, config);
    const requests = countRequests(app);
    stopOnSignals(app, requests);
    await app.listen(config.port, config.host).catch((error: unknown) => {
      throw listenFailure(error, config);
    });
    return { app, console: configured.console };
  } catch (caught) {
    await app?.close().catch(() => undefined);
    const error = startupFailure(caught, config);
    return cannotStart(error instanceof StartupError ? error.message : `${describeError(error, config.database.url)}\n${(error as Error)?.stack ?? ''}`);
  }
}

/**
 * Binds PORT on HOST and lets it go: the port is free, or the reason it is not. (Another
 * process may still take it in the moment before the API listens; its listen then fails as before.)
 */
function portIsFree(config: Pick<AppConfig, 'host' | 'port'>): Promise<void> {
  if (config.port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ port: config.port, host: config.host, exclusive: true }, () => probe.close(() => resolve()));
  });
}

function cannotStart(message: string): never {
  console.error(`health-bridge cannot start.\n${message}`);
  process.exit(1);
}

interface RequestCount {
  /** Requests received and not yet answered or abandoned. */
  inFlight: number;
  /** Since the stop began: requests answered, and requests whose client went away first. */
  answered: number;
  abandoned: number;
  stopping: boolean;
}

/** Counts the requests in flight, so that the stop can say what it waited for. */
function countRequests(app: NestFastifyApplication): RequestCount {
  const count: RequestCount = { inFlight: 0, answered: 0, abandoned: 0, stopping: false };
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => {
      count.inFlight++;
      // 'close' comes once per response: after its last byte, or when the connection went first.
      reply.raw.once('close', () => {
        count.inFlight--;
        if (count.stopping) count[reply.raw.writableFinished ? 'answered' : 'abandoned']++;
      });
      done();
    });
  return count;
}

/**
 * SIGTERM / SIGINT: stop accepting connections (a new request on a kept-alive one is answered
 * 503), finish the requests in flight (a push is committed and answered, or not answered),
 * close the database, exit 0; the same signal a second time ends the process at once. Nest's
 * own handler (configureApp's enableShutdownHooks; the only other listener) would do the same,
 * then re-raise the signal: the process would die by it (status 143), before pino's
 * asynchronous log lines are written.
 */
function stopOnSignals(app: NestFastifyApplication, requests: RequestCount): void {
  const logger = new Logger('Shutdown');
  const stop = async (signal: string) => {
    if (requests.stopping) return;
    requests.stopping = true;
    const inFlight = requests.inFlight;
    logger.log(`stopping (${signal}): no new connections; waiting for ${inFlight} request${inFlight === 1 ? '' : 's'} in flight`);
    try {
      await app.close();
    } catch (error) {
      logger.error(`stop failed: ${describeError(error)}`, (error as Error)?.stack);
      process.exit(1);
    }
    const drained = requests.answered + requests.abandoned;
    const abandoned = requests.abandoned > 0 ? ` (${requests.abandoned} of them given up by their client)` : '';
    logger.log(`stopped: drained ${drained} request${drained === 1 ? '' : 's'} in flight${abandoned}; database closed`);
    process.exit(0);
  };
  for (const signal of STOP_SIGNALS) {
    process.removeAllListeners(signal);
    process.once(signal, (received: NodeJS.Signals) => void stop(received));
  }
}

void bootstrap();
