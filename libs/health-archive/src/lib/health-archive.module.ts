import { Module } from '@nestjs/common';
import { AuthorizationService } from './authorization.service';
import { SqliteCheckpointer } from './database/sqlite-checkpointer';
import { TransactionRunner } from './database/transaction-runner';
import { MeasurementService } from './measurement.service';
import { PushIngestService } from './push-ingest.service';
import { PushLogService } from './push-log.service';
import { HealthArchiveConfigurableModule } from './health-archive.options';

/**
 * The health archive's services. It needs, from the importing app:
 * - a TypeORM DataSource built from `healthArchiveDataSourceOptions()` (`TypeOrmModule.forRoot`),
 * - `ViatomClientModule.forRoot()` (global), and `EventEmitterModule.forRoot()`.
 * Import it as `HealthArchiveModule` (defaults) or `HealthArchiveModule.forRoot(options)`.
 */
@Module({
  providers: [TransactionRunner, SqliteCheckpointer, PushIngestService, AuthorizationService, PushLogService, MeasurementService],
  exports: [PushIngestService, AuthorizationService, PushLogService, MeasurementService],
})
export class HealthArchiveModule extends HealthArchiveConfigurableModule {}
