/**
 * @health-bridge/health-archive: the push log, authorizations and measurements kept from
 * Viatom's pushes, on SQLite or PostgreSQL. Import `HealthArchiveModule.forRoot(...)` and use
 * its services; everything a host needs is named here.
 */

// The module and its options.
export { HealthArchiveModule, HealthArchiveMigrationError, HEALTH_ARCHIVE_DATA_SOURCE } from './lib/health-archive.module';
export { HEALTH_ARCHIVE_OPTIONS, type HealthArchiveOptions } from './lib/health-archive.options';
export { type HealthArchiveDatabaseOptions, parseDatabaseUrl, type ParsedDatabaseUrl, healthArchiveDataSourceOptions } from './lib/database/data-source-options';
export { runPendingMigrations } from './lib/database/migrate';
export { type Dialect } from './lib/database/dialect';
export {
  DataProtection,
  DataProtectionKeyError,
  DataKeyUnavailableError,
  generateDataProtectionKeys,
  parseDataEncryptionKeys,
  parseHashKey,
  type DataEncryptionKey,
  type DataProtectionKeys,
} from './lib/protection/data-protection';
export { reencryptArchive, verifyDataKeys } from './lib/protection/key-maintenance';

// The services.
export { PushIngestService, type IngestResult } from './lib/push-ingest.service';
export { AuthorizationService, type AuthorizationListQuery, type AuthorizationCallOptions, type ConsentListQuery } from './lib/authorization.service';
export { PushLogService, type PushLogQuery } from './lib/push-log.service';
export { AccessAuditService, type AccessQuery, type AccessToRecord } from './lib/access-audit.service';
export { AccessRecord } from './lib/entities/access-record';
export { PersonDataService, PersonReauthorizedError, type PersonErased, type PersonRecord } from './lib/person-data.service';
export { MeasurementService, type MeasurementQuery, type MeasurementScan } from './lib/measurement.service';
export { ArchiveHealth } from './lib/archive-health';
export { RawPayloadRetention, WithdrawalDeletion } from './lib/withdrawal-deletion';
export { type PersonDataDeleted } from './lib/storage/person-deletion';
export { ArchiveStatements } from './lib/archive-statements';
export { EventFeed, type EventFeedPage, type EventFeedRead, type EventFeedHeaders, parseEventTypes, UnknownEventTypeError } from './lib/outbox/event-feed';
export { type PoolState } from './lib/storage/archive-store';

// What they return and emit.
export { Authorization, AuthorizationStatus, RevokedBy } from './lib/entities/authorization';
export { ConsentAction, ConsentOutcome, ConsentRecord } from './lib/entities/consent-record';
export { Measurement } from './lib/entities/measurement';
export { PushLogEntry, PushOutcome } from './lib/entities/push-log-entry';
/** The push log counted by minute of receipt, type and outcome (`PushLogService.countByMinute`). */
export { type PushMinuteCount } from './lib/storage/archive-store';
export { AuthorizationGrantedEvent, AuthorizationRevokedEvent, MeasurementReceivedEvent, type HealthArchiveEvent } from './lib/events';
export {
  EventType,
  EVENT_TYPES,
  isEventType,
  newEventId,
  ulid,
  type OutboxEvent,
  type OutboxEventHeader,
  type AuthorizationGrantedData,
  type AuthorizationRevokedData,
  type MeasurementArchivedData,
  type EndpointDisabledData,
} from './lib/outbox/events';
export { type Page, InvalidCursorError, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './lib/pagination';
