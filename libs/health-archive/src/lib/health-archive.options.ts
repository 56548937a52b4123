import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { DataSource, DataSourceOptions } from 'typeorm';
import type { HealthArchiveDatabaseOptions } from './database/data-source-options';
import type { DataProtectionKeys } from './protection/data-protection';

/** What a host app gives the archive (`HealthArchiveModule.forRoot` / `forRootAsync`). */
export interface HealthArchiveOptions {
  /** Where the archive is kept: `sqlite:<path>` or a `postgres://` URL, and the engine's settings. */
  database: Omit<HealthArchiveDatabaseOptions, 'dataProtection'>;
  /**
   * Encryption at rest (required): the AES-256-GCM keys that seal phones, raw payloads and
   * measurement and event data (the first seals, all open: rotation), and the HMAC key phones are
   * looked up by. `parseDataEncryptionKeys` and `parseHashKey` read the REST API's variables'
   * form; `generateDataProtectionKeys` makes new ones. Lose them and the data is lost.
   */
  dataProtection: DataProtectionKeys;
  /**
   * Run the pending migrations when the module starts (default true), under a PostgreSQL
   * advisory lock so that replicas starting together do not race. False when a release step
   * runs them (`npm run migration:run`); the archive then waits for nothing and `pendingMigrations()`
   * says what is missing.
   */
  migrationsRun?: boolean;
  /**
   * SQLite file only: move WAL checkpoints to a worker thread (`SqliteCheckpointer`), off the
   * event loop (default false). `true` finds better-sqlite3 from the program's location; or give
   * `{ driverPath }`, the path `require.resolve('better-sqlite3')` gives in the host app.
   */
  sqliteCheckpointWorker?: boolean | { driverPath: string };
  /**
   * How far ahead of the clock here a push's source time may be and still be believed when
   * pushes are ordered (default 10 minutes). A push dated further ahead is ordered by the time
   * it was received, so a wrong clock at the sender cannot let it outlive later changes.
   */
  maxClockSkewMs?: number;
  /**
   * How long events are kept in the outbox (the event feed, and what webhook deliveries and the
   * broker publisher read), default 30 days. Older ones are deleted, with their deliveries, at
   * start and every `eventPurgeIntervalMs` (default an hour). `0` or less: kept for ever.
   */
  eventRetentionMs?: number;
  eventPurgeIntervalMs?: number;
  /**
   * Deletion on withdrawal: how long after a person's authorization is revoked their measurements
   * and push payloads are deleted (`0`: at the next sweep). Unset: kept (the host decides; the
   * REST API's default is `P0D`). Sweeps run at start and every `withdrawalSweepIntervalMs`
   * (default 5 seconds).
   */
  dataRetentionAfterWithdrawalMs?: number | null;
  /**
   * How long a push's raw body is kept in the log (`rawMessage`); older ones are emptied, the log's
   * facts and dedupe key kept. Unset (or 0): kept (the REST API's default is 30 days). Runs with the
   * withdrawal sweep.
   */
  rawPayloadRetentionMs?: number | null;
  withdrawalSweepIntervalMs?: number;
  /**
   * How long the access audit's rows are kept (purged with the outbox's events, hourly); unset or
   * 0: for ever. Keep it longer than the data it is about (the REST API's default is three years).
   */
  auditRetentionMs?: number | null;
  /**
   * How the DataSource is opened from the archive's TypeORM options (default: `initialize()`
   * once): e.g. to wait for a database server that is still starting. Migrations run after it.
   */
  dataSourceFactory?: (options: DataSourceOptions) => Promise<DataSource>;
}

export const {
  ConfigurableModuleClass: HealthArchiveConfigurableModule,
  MODULE_OPTIONS_TOKEN: HEALTH_ARCHIVE_OPTIONS,
  OPTIONS_TYPE: HEALTH_ARCHIVE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: HEALTH_ARCHIVE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<HealthArchiveOptions>()
  .setClassMethodName('forRoot')
  // `isGlobal: true`: the archive's services are injectable in every module of the host app.
  .setExtras({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
