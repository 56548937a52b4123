import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ThrottlerModule } from '@nestjs/throttler';
import type { DestinationStream, Logger as PinoLogger } from 'pino';
import { DeliveryModule } from '@health-bridge/delivery';
import { generateDataProtectionKeys, HealthArchiveModule, parseDataEncryptionKeys, parseHashKey, type DataProtectionKeys } from '@health-bridge/health-archive';
import { ViatomClientModule } from '@health-bridge/viatom-client';
import { AuthorizationsController } from './authorizations/authorizations.controller';
import { ApiKeyGuard } from './common/api-key.guard';
import { createRootLogger, PinoNestLogger, ROOT_LOGGER } from './common/logging';
import { RateLimitGuard, throttlerOptions } from './common/rate-limit';
import { ProblemFilter } from './common/problem.filter';
import { APP_CONFIG, type AppConfig } from './config/app-config';
import { EventsController } from './events/events.controller';
import { FhirController } from './fhir/fhir.controller';
import { FhirReader } from './fhir/fhir-reader';
import { HealthController } from './health/health.controller';
import { MeasurementsController } from './measurements/measurements.controller';
import { PeopleController } from './people/people.controller';
import { AuditController } from './audit/audit.controller';
import { ApiMetrics } from './metrics/api-metrics';
import { MetricsModule } from './metrics/metrics.module';
import { OverviewController } from './overview/overview.controller';
import { OverviewService } from './overview/overview.service';
import { ViatomFailureLog } from './overview/viatom-failure-log';
import { PushesController } from './pushes/pushes.controller';
import { archiveDatabaseOptions, openDatabase } from './startup';
import { WebhookDeliveriesController } from './webhook-endpoints/webhook-deliveries.controller';
import { WebhookEndpointsController } from './webhook-endpoints/webhook-endpoints.controller';
import { WebhooksController } from './webhooks/webhooks.controller';

/**
 * Development without DATA_ENCRYPTION_KEYS and DATA_HASH_KEY (production refuses to start without
 * them): keys made for this run and printed, so that a developer can keep them in .env. What is
 * written with them cannot be read by a run with other keys.
 */
function throwAwayDataKeys(logger: PinoLogger): DataProtectionKeys {
  const generated = generateDataProtectionKeys('dev');
  logger.warn(
    { event: 'throw-away-data-keys' },
    'DATA_ENCRYPTION_KEYS and DATA_HASH_KEY are not set: personal data is encrypted with throw-away keys made for this run, and cannot be read once it stops. ' +
      `To keep it readable, set (development only): DATA_ENCRYPTION_KEYS=${generated.DATA_ENCRYPTION_KEYS} DATA_HASH_KEY=${generated.DATA_HASH_KEY}`,
  );
  return { encryptionKeys: parseDataEncryptionKeys(generated.DATA_ENCRYPTION_KEYS), hashKey: parseHashKey(generated.DATA_HASH_KEY) };
}

/** The REST API: built from a validated configuration (main.ts reads it from the environment). */
@Module({})
export class AppModule {
  /** `logStream`: where the JSON log lines go (default stdout); tests pass their own to read them. */
  static forRoot(config: AppConfig, options: { logStream?: DestinationStream } = {}): DynamicModule {
    const metrics = new ApiMetrics();
    const viatomFailures = new ViatomFailureLog();
    const rootLogger = createRootLogger(config, options.logStream);
    return {
      module: AppModule,
      imports: [
        ThrottlerModule.forRoot(throttlerOptions(config)),
        EventEmitterModule.forRoot(),
        ViatomClientModule.forRoot({
          baseUrl: config.viatom.baseUrl,
          proxyUrl: config.viatom.proxyUrl ?? undefined,
          secret: config.viatom.secret,
          accessToken: config.viatom.accessToken,
          language: config.viatom.language,
          timeoutMs: config.viatom.timeoutMs,
          retry: config.viatom.retry,
          circuitBreaker: config.viatom.circuitBreaker,
          onCall: (call) => {
            metrics.observeViatomCall(call);
            viatomFailures.observe(call);
          },
        }),
        HealthArchiveModule.forRootAsync({
          // Global: the health and metrics modules read the database's state (ArchiveHealth).
          isGlobal: true,
          useFactory: () => ({
            database: archiveDatabaseOptions(config),
            // Under the archive's advisory lock, so that replicas starting together do not race.
            migrationsRun: config.database.migrationsRun,
            sqliteCheckpointWorker: true,
            maxClockSkewMs: config.viatom.maxClockSkewMs,
            eventRetentionMs: config.delivery.eventRetentionMs,
            dataRetentionAfterWithdrawalMs: config.privacy.retentionAfterWithdrawalMs,
            rawPayloadRetentionMs: config.privacy.rawPayloadRetentionMs,
            withdrawalSweepIntervalMs: config.privacy.withdrawalSweepIntervalMs,
            dataProtection: config.dataProtection ?? throwAwayDataKeys(rootLogger),
            auditRetentionMs: config.privacy.auditRetentionMs,
            // Waits for a database server that is starting (masked target, attempt count, DATABASE_CONNECT_TIMEOUT_MS).
            dataSourceFactory: (options) => openDatabase(options, config, rootLogger),
          }),
        }),
        DeliveryModule.forRoot({
          worker: config.delivery.enabled,
          webhooks: {
            timeoutMs: config.delivery.timeoutMs,
            maxInFlightPerEndpoint: config.delivery.maxInFlightPerEndpoint,
            retryScheduleMs: config.delivery.retryScheduleMs,
            secretOverlapMs: config.delivery.secretOverlapMs,
            disableAfterMs: config.delivery.disableAfterMs,
            allowPrivateTargets: config.delivery.allowPrivateTargets,
            requireHttps: config.delivery.requireHttps,
          },
          broker: config.delivery.rabbitmq,
        }),
        MetricsModule.forRoot(config, metrics),
      ],
      controllers: [
        AuthorizationsController,
        WebhooksController,
        PushesController,
        MeasurementsController,
        PeopleController,
        AuditController,
        EventsController,
        WebhookEndpointsController,
        WebhookDeliveriesController,
        HealthController,
        FhirController,
        OverviewController,
      ],
      providers: [
        FhirReader,
        OverviewService,
        { provide: ViatomFailureLog, useValue: viatomFailures },
        { provide: APP_CONFIG, useValue: config },
        { provide: ROOT_LOGGER, useValue: rootLogger },
        { provide: PinoNestLogger, useFactory: (root: PinoLogger) => new PinoNestLogger(root), inject: [ROOT_LOGGER] },
        // Rate limits first: a flood of wrong keys is limited too. Pushes are limited by PushAuthGuard, which knows whether one passed.
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}
