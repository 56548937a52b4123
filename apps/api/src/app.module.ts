import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { TypeOrmModule } from '@nestjs/typeorm';
import { HealthArchiveModule, healthArchiveDataSourceOptions } from '@health-bridge/health-archive';
import { ViatomClientModule } from '@health-bridge/viatom-client';
import { AuthorizationsController } from './authorizations/authorizations.controller';
import { ApiKeyGuard } from './common/api-key.guard';
import { ProblemFilter } from './common/problem.filter';
import { APP_CONFIG, type AppConfig } from './config/app-config';
import { HealthController } from './health/health.controller';
import { MeasurementsController } from './measurements/measurements.controller';
import { PushesController } from './pushes/pushes.controller';
import { WebhooksController } from './webhooks/webhooks.controller';

/** The REST API: built from a validated configuration (main.ts reads it from the environment). */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        EventEmitterModule.forRoot(),
        TypeOrmModule.forRoot(
          healthArchiveDataSourceOptions({
            url: config.database.url,
            schema: config.database.schema,
            migrationsRun: config.database.migrationsRun,
            poolSize: config.database.poolSize,
          }),
        ),
        ViatomClientModule.forRoot({
          baseUrl: config.viatom.baseUrl,
          secret: config.viatom.secret,
          accessToken: config.viatom.accessToken,
          language: config.viatom.language,
          timeoutMs: config.viatom.timeoutMs,
        }),
        HealthArchiveModule,
      ],
      controllers: [AuthorizationsController, WebhooksController, PushesController, MeasurementsController, HealthController],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}
