import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DestinationStream, Logger as PinoLogger } from 'pino';
import { HealthArchiveModule, healthArchiveDataSourceOptions, runPendingMigrations } from '@health-bridge/health-archive';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { ViatomClientModule } from '@health-bridge/viatom-client';
import { AuthorizationsController } from './authorizations/authorizations.controller';
import { ApiKeyGuard } from './common/api-key.guard';
import { createRootLogger, PinoNestLogger, ROOT_LOGGER } from './common/logging';
import { RateLimitGuard, throttlerOptions } from './common/rate-limit';
import { ProblemFilter } from './common/problem.filter';
import { APP_CONFIG, type AppConfig } from './config/app-config';
import { HealthController } from './health/health.controller';
import { MeasurementsController } from './measurements/measurements.controller';
import { PushesController } from './pushes/pushes.controller';
import { WebhooksController } from './webhooks/webhooks.controller';

/** The REST API: built from a validated configuration (main.ts reads it from the environment). */
@Module({})
export class AppModule {
  /** `logStream`: where the JSON log lines go (default stdout); tests pass their own to read them. */
  static forRoot(config: AppConfig, options: { logStream?: DestinationStream } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ThrottlerModule.forRoot(throttlerOptions(config)),
        EventEmitterModule.forRoot(),
        TypeOrmModule.forRootAsync({
          useFactory: () =>
            healthArchiveDataSourceOptions({ url: config.database.url, schema: config.database.schema, poolSize: config.database.poolSize }),
          // Pending migrations run under a lock, so that replicas starting together do not race.
          dataSourceFactory: async (options) => {
            const dataSource = await new DataSource(options as DataSourceOptions).initialize();
            if (config.database.migrationsRun) await runPendingMigrations(dataSource);
            return dataSource;
          },
        }),
        ViatomClientModule.forRoot({
          baseUrl: config.viatom.baseUrl,
          secret: config.viatom.secret,
          accessToken: config.viatom.accessToken,
          language: config.viatom.language,
          timeoutMs: config.viatom.timeoutMs,
          retry: config.viatom.retry,
          circuitBreaker: config.viatom.circuitBreaker,
        }),
        HealthArchiveModule.forRoot({ maxClockSkewMs: config.viatom.maxClockSkewMs }),
      ],
      controllers: [AuthorizationsController, WebhooksController, PushesController, MeasurementsController, HealthController],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: ROOT_LOGGER, useValue: createRootLogger(config, options.logStream) },
        { provide: PinoNestLogger, useFactory: (root: PinoLogger) => new PinoNestLogger(root), inject: [ROOT_LOGGER] },
        // Rate limits first: a flood of wrong keys is limited too. Pushes are limited by PushAuthGuard, which knows whether one passed.
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}
