import { Inject, Injectable, Logger, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuthorizationService } from './authorization.service';
import { healthArchiveDataSourceOptions } from './database/data-source-options';
import { dialectOf } from './database/dialect';
import { runPendingMigrations } from './database/migrate';
import { HealthArchiveConfigurableModule, HEALTH_ARCHIVE_OPTIONS, type HealthArchiveOptions } from './health-archive.options';
import { MeasurementService } from './measurement.service';
import { PushIngestService } from './push-ingest.service';
import { PushLogService } from './push-log.service';
import { PersonDataService } from './person-data.service';
import { AccessAuditService } from './access-audit.service';
import { ArchiveHealth } from './archive-health';
import { RawPayloadRetention, WithdrawalDeletion } from './withdrawal-deletion';
import { EventFeed } from './outbox/event-feed';
import { ArchiveStore } from './storage/archive-store';
import { ArchiveStatements } from './archive-statements';
import { PostgresArchiveStore } from './storage/postgres/postgres-archive-store';
import { SqliteArchiveStore } from './storage/sqlite/sqlite-archive-store';
import { SqliteCheckpointer } from './storage/sqlite/sqlite-checkpointer';
import { RowSealer } from './storage/sealing';
import { DataProtection, DataProtectionKeyError } from './protection/data-protection';
import { registerDataProtection } from './protection/registry';
import { verifyDataKeys } from './protection/key-maintenance';

/** The archive's own TypeORM DataSource (not exported: the host reaches the archive through its services). */
export const HEALTH_ARCHIVE_DATA_SOURCE = Symbol('HEALTH_ARCHIVE_DATA_SOURCE');

/** The migrations failed when the archive started: the failing one was rolled back, none after it was run. */
export class HealthArchiveMigrationError extends Error {
  override readonly name = 'HealthArchiveMigrationError';
}

/** Opens the DataSource and runs the pending migrations, as the options say. */
async function openArchive(options: HealthArchiveOptions, protection: DataProtection): Promise<DataSource> {
  const typeormOptions = healthArchiveDataSourceOptions({ ...options.database, migrationsRun: false, dataProtection: protection });
  const dataSource = options.dataSourceFactory ? await options.dataSourceFactory(typeormOptions) : await new DataSource(typeormOptions).initialize();
  registerDataProtection(dataSource, protection);
  if (options.migrationsRun !== false) {
    try {
      await runPendingMigrations(dataSource);
    } catch (error) {
      await dataSource.destroy().catch(() => undefined);
      throw new HealthArchiveMigrationError(`the health archive's migrations failed: ${(error as Error)?.message ?? String(error)}`, { cause: error });
    }
  }
  // With the schema of before (migrations left to a release step), the check waits for them.
  if ((await pendingEncryption(dataSource)) === false) {
    try {
      await verifyDataKeys(dataSource, protection);
    } catch (error) {
      await dataSource.destroy().catch(() => undefined);
      throw error;
    }
  }
  return dataSource;
}

/** Whether the encryption at rest's migration is still to run (the stored phones are then in clear); false once it ran. */
async function pendingEncryption(dataSource: DataSource): Promise<boolean> {
  const runner = dataSource.createQueryRunner();
  try {
    return !(await runner.hasColumn('user_authorization', 'phone_hash'));
  } catch {
    return true;
  } finally {
    await runner.release();
  }
}

/** The keys of the options, checked: a missing or malformed key stops the start, saying which. */
function dataProtectionFrom(options: HealthArchiveOptions): DataProtection {
  if (!options.dataProtection) throw new DataProtectionKeyError('the health archive needs `dataProtection`: its encryption keys and hash key (encryption at rest)');
  return new DataProtection(options.dataProtection);
}

export const DEFAULT_EVENT_RETENTION_MS = 30 * 24 * 3600 * 1000;
const DEFAULT_EVENT_PURGE_INTERVAL_MS = 3600 * 1000;
const DEFAULT_WITHDRAWAL_SWEEP_INTERVAL_MS = 5000;

/**
 * Starts the checkpoint worker when asked and the outbox's retention; closes the database last,
 * after the host's HTTP server has drained.
 */
@Injectable()
class ArchiveLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('HealthArchive');
  private purgeTimer: NodeJS.Timeout | null = null;
  private purging: Promise<void> | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;

  constructor(
    @Inject(HEALTH_ARCHIVE_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(HEALTH_ARCHIVE_OPTIONS) private readonly options: HealthArchiveOptions,
    private readonly checkpointer: SqliteCheckpointer,
    private readonly feed: EventFeed,
    private readonly withdrawals: WithdrawalDeletion,
    private readonly payloads: RawPayloadRetention,
    private readonly audit: AccessAuditService,
  ) {}

  onModuleInit(): void {
    const worker = this.options.sqliteCheckpointWorker;
    if (worker) this.checkpointer.start(typeof worker === 'object' ? worker.driverPath : undefined);
    const retention = this.options.eventRetentionMs ?? DEFAULT_EVENT_RETENTION_MS;
    if (retention > 0 || this.audit.retentionMs !== null) {
      this.purge(retention);
      this.purgeTimer = setInterval(() => this.purge(retention), this.options.eventPurgeIntervalMs ?? DEFAULT_EVENT_PURGE_INTERVAL_MS);
      this.purgeTimer.unref();
    }
    if (this.withdrawals.graceMs !== null || this.payloads.retentionMs !== null) {
      this.sweep();
      this.sweepTimer = setInterval(() => this.sweep(), this.options.withdrawalSweepIntervalMs ?? DEFAULT_WITHDRAWAL_SWEEP_INTERVAL_MS);
      this.sweepTimer.unref();
    }
  }

  /** One sweep at a time; a failure (the database away) is logged and the next sweep tries again. */
  private sweep(): void {
    if (this.sweeping) return;
    this.sweeping = this.withdrawals
      .sweep()
      .then(() => this.payloads.sweep())
      .then(() => undefined)
      .catch((error: Error) => this.logger.warn(`the deletion on withdrawal or the payload retention could not run: ${error.message}`))
      .finally(() => (this.sweeping = null));
  }

  /** One purge at a time (the outbox's events, the access audit's rows); a failure (the database away) is logged and tried again next time. */
  private purge(retentionMs: number): void {
    if (this.purging) return;
    this.purging = (retentionMs > 0 ? this.feed.purgeBefore(new Date(Date.now() - retentionMs)) : Promise.resolve(0))
      .then(async (deleted) => {
        if (deleted > 0) this.logger.log(`deleted ${deleted} events older than the retention`);
        const audited = await this.audit.purge();
        if (audited > 0) this.logger.log(`deleted ${audited} access audit rows older than their retention`);
      })
      .catch((error: Error) => this.logger.warn(`the retention of the outbox's events or of the access audit could not delete old rows: ${error.message}`))
      .finally(() => (this.purging = null));
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.purgeTimer) clearInterval(this.purgeTimer);
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.purging;
    await this.sweeping;
    await this.checkpointer.stop();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/**
 * The health archive: the push log, authorizations and measurements, on SQLite or PostgreSQL.
 * `HealthArchiveModule.forRoot({ database: { url } })` (or `forRootAsync`) opens the database,
 * runs its migrations under their lock, and picks the storage adapter for the engine. The host
 * app also imports `ViatomClientModule.forRoot()` (the cancel calls Viatom) and
 * `EventEmitterModule.forRoot()` (the archive's events are emitted on it).
 */
@Module({
  providers: [
    { provide: DataProtection, useFactory: dataProtectionFrom, inject: [HEALTH_ARCHIVE_OPTIONS] },
    { provide: HEALTH_ARCHIVE_DATA_SOURCE, useFactory: openArchive, inject: [HEALTH_ARCHIVE_OPTIONS, DataProtection] },
    {
      provide: ArchiveStore,
      useFactory: (dataSource: DataSource, protection: DataProtection) => {
        const sealer = new RowSealer(protection);
        return dialectOf(dataSource) === 'postgres' ? new PostgresArchiveStore(dataSource, sealer) : new SqliteArchiveStore(dataSource, sealer);
      },
      inject: [HEALTH_ARCHIVE_DATA_SOURCE, DataProtection],
    },
    { provide: SqliteCheckpointer, useFactory: (dataSource: DataSource) => new SqliteCheckpointer(dataSource), inject: [HEALTH_ARCHIVE_DATA_SOURCE] },
    ArchiveLifecycle,
    ArchiveHealth,
    PushIngestService,
    AuthorizationService,
    PushLogService,
    MeasurementService,
    EventFeed,
    ArchiveStatements,
    WithdrawalDeletion,
    RawPayloadRetention,
    PersonDataService,
    AccessAuditService,
  ],
  exports: [DataProtection, AccessAuditService, PushIngestService, AuthorizationService, PersonDataService, PushLogService, MeasurementService, ArchiveHealth, EventFeed, ArchiveStatements, WithdrawalDeletion, RawPayloadRetention, HEALTH_ARCHIVE_DATA_SOURCE],
})
export class HealthArchiveModule extends HealthArchiveConfigurableModule {}
