import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamicModule, Inject, Injectable, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ViatomClient } from '@health-bridge/viatom-client';
import { ArchiveHealth } from '@health-bridge/health-archive';
import { problem, PROBLEM_CONTENT_TYPE } from '../common/problem';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ApiMetrics } from './api-metrics';
import { METRICS_PATH, metricsAnswerer } from './metrics-endpoint';
import { StartupError } from '../startup';

/** Points the scrape-time metrics at this app's Viatom client and database. */
@Injectable()
class MetricsWatcher implements OnModuleInit {
  constructor(
    private readonly metrics: ApiMetrics,
    private readonly archive: ArchiveHealth,
    private readonly viatom: ViatomClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const { archive, viatom } = this;
    const postgres = this.config.database.url.startsWith('postgres');
    this.metrics.watch({
      circuitState: () => viatom.circuitState,
      // The database's connection pool, read at each scrape: there only while the database is open.
      pool: postgres ? () => archive.poolState() ?? undefined : undefined,
      poolMax: this.config.database.poolSize,
    });
  }
}

/**
 * `GET /metrics` on METRICS_PORT (same HOST), so that it need not be reachable where the API
 * is. A bare node server: one route, nothing else to serve.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private server?: Server;

  constructor(
    private readonly metrics: ApiMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Where it listens, e.g. http://127.0.0.1:9464 (once the app has started). */
  get url(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('the metrics server is not listening');
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }

  async onApplicationBootstrap(): Promise<void> {
    const answer = metricsAnswerer(this.metrics, this.config.metrics.token);
    const server = createServer((request, response) => {
      const path = request.url?.split('?')[0];
      if (path !== METRICS_PATH || (request.method !== 'GET' && request.method !== 'HEAD')) {
        const body = JSON.stringify(problem(404, `Only GET ${METRICS_PATH} is served on this port.`));
        response.writeHead(404, { 'content-type': PROBLEM_CONTENT_TYPE }).end(body);
        return;
      }
      answer(request.headers.authorization).then(
        ({ status, headers, body }) => response.writeHead(status, headers).end(request.method === 'HEAD' ? undefined : body),
        (error: unknown) => {
          this.logger.error(`metrics scrape failed: ${error instanceof Error ? error.message : String(error)}`);
          response.writeHead(500, { 'content-type': PROBLEM_CONTENT_TYPE }).end(JSON.stringify(problem(500, 'The metrics could not be collected.')));
        },
      );
    });
    server.requestTimeout = this.config.requestTimeoutMs;
    server.headersTimeout = this.config.headersTimeoutMs;
    const port = this.config.metrics.port ?? 0;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'EADDRINUSE'
            ? new StartupError(`METRICS_PORT ${port} is already in use on ${this.config.host}: choose another port, or leave METRICS_PORT unset to serve /metrics on the API's port.`)
            : error,
        ),
      );
      server.listen(port, this.config.host, () => resolve());
    });
    this.server = server;
    this.logger.log(`metrics on ${this.url}${METRICS_PATH}`);
  }

  /** Last, after the API's own server: a scrape while requests drain sees them counted. */
  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    // A scraper's keep-alive connection must not hold the shutdown.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }
}

/** Metrics of the REST API (see the README's "Metrics"); the app builds the ApiMetrics, so that the Viatom client's observer can reach it. */
@Module({})
export class MetricsModule {
  static forRoot(config: AppConfig, metrics: ApiMetrics): DynamicModule {
    const apart = config.metrics.enabled && config.metrics.port !== undefined;
    return {
      module: MetricsModule,
      global: true,
      providers: [
        { provide: ApiMetrics, useValue: metrics },
        // The app module's configuration is its own; the same object, for this module's providers.
        { provide: APP_CONFIG, useValue: config },
        MetricsWatcher,
        ...(apart ? [MetricsServer] : []),
      ],
      exports: [ApiMetrics],
    };
  }
}
