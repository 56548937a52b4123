import { EntitySchema } from 'typeorm';
import { MAX_ID_LENGTH, PushTimeBasis } from '@health-bridge/viatom-protocol';
import { columnTypes, Dialect } from '../database/dialect';
import type { DataProtection, SealPurpose } from '../protection/data-protection';
import { Authorization } from './authorization';
import { ConsentRecord } from './consent-record';
import { AccessRecord } from './access-record';
import { Measurement } from './measurement';
import { PushLogEntry } from './push-log-entry';

/**
 * The mapping of the entity classes to tables. It is built per engine because the
 * engines name an instant and a JSON document differently (timestamptz/jsonb on
 * PostgreSQL, datetime/JSON text on SQLite); the classes stay plain.
 * Keep in step with the migrations in ../migrations.
 */
export function healthArchiveEntities(dialect: Dialect, protection: DataProtection | null = null): EntitySchema[] {
  const t = columnTypes(dialect);
  const keys = (): DataProtection => {
    if (!protection) throw new Error('reading or writing the archive\'s data needs the data-protection keys (the `dataProtection` option)');
    return protection;
  };
  // Sealed columns (encryption at rest): text in the database, clear in the entity. '' stays '' (an emptied payload).
  const sealedText = (purpose: SealPurpose) => ({
    to: (value: string | null | undefined) => (value === null || value === undefined || value === '' ? value : keys().seal(purpose, value)),
    from: (value: string | null) => (value === null || value === '' ? value : keys().open(purpose, value)),
  });
  const sealedJson = (purpose: SealPurpose) => ({
    to: (value: unknown) => (value === undefined ? value : keys().seal(purpose, JSON.stringify(value))),
    from: (value: string | null) => (value === null ? null : JSON.parse(keys().open(purpose, value))),
  });
  const phoneHash = { type: 'varchar', length: 64 } as const;
  // Ids are integers in JS on both engines (bigint on PostgreSQL, read back as a number).
  const id = { type: t.id, primary: true, generated: 'increment', transformer: idTransformer } as const;
  const instant = { type: t.instant } as const;
  const nullableInstant = { type: t.instant, nullable: true } as const;
  // Viatom's opaque ids, up to the wire protocol's MAX_ID_LENGTH.
  const idText = { type: 'varchar', length: MAX_ID_LENGTH } as const;

  const pushLog = new EntitySchema<PushLogEntry>({
    name: 'PushLogEntry',
    target: PushLogEntry,
    tableName: 'push_log',
    columns: {
      id,
      dedupeKey: { name: 'dedupe_key', type: 'varchar', length: 300 },
      dataTag: { name: 'data_tag', ...idText },
      type: { type: 'integer', nullable: true },
      accountId: { name: 'account_id', ...idText },
      memberId: { name: 'member_id', ...idText },
      deviceSn: { name: 'device_sn', ...idText },
      phoneHash: { name: 'phone_hash', ...phoneHash, nullable: true },
      phone: { name: 'phone_enc', type: 'text', nullable: true, transformer: sealedText('phone') },
      sourceCreatedAt: { name: 'source_created_at', ...nullableInstant },
      sourceUpdatedAt: { name: 'source_updated_at', ...nullableInstant },
      receivedAt: { name: 'received_at', ...instant },
      outcome: { type: 'varchar', length: 16 },
      rawMessage: { name: 'raw_message', type: 'text', transformer: sealedText('push_log.raw_message') },
      orderedBy: { name: 'ordered_by', type: 'varchar', length: 32, default: PushTimeBasis.Source },
    },
    uniques: [{ name: 'UQ_push_log_dedupe_key', columns: ['dedupeKey'] }],
    indices: [
      { name: 'IDX_push_log_phone_hash_id', columns: ['phoneHash', 'id'] },
      { name: 'IDX_push_log_type_id', columns: ['type', 'id'] },
      { name: 'IDX_push_log_outcome_id', columns: ['outcome', 'id'] },
      // The overview's counts of a time window, read from the index alone.
      { name: 'IDX_push_log_received_at_type_outcome', columns: ['receivedAt', 'type', 'outcome'] },
    ],
  });

  const authorization = new EntitySchema<Authorization>({
    name: 'Authorization',
    target: Authorization,
    tableName: 'user_authorization',
    columns: {
      id,
      phoneHash: { name: 'phone_hash', ...phoneHash },
      phone: { name: 'phone_enc', type: 'text', transformer: sealedText('phone') },
      status: { type: 'varchar', length: 16 },
      accountId: { name: 'account_id', ...idText },
      memberId: { name: 'member_id', ...idText },
      authorizedAt: { name: 'authorized_at', ...nullableInstant },
      revokedAt: { name: 'revoked_at', ...nullableInstant },
      revokedBy: { name: 'revoked_by', type: 'varchar', length: 16, nullable: true },
      lastChangeAt: { name: 'last_change_at', ...instant },
      createdAt: { name: 'created_at', ...instant },
      updatedAt: { name: 'updated_at', ...instant },
      fhirPatientId: { name: 'fhir_patient_id', type: 'varchar', length: 32 },
      dataDeletedFor: { name: 'data_deleted_for', ...nullableInstant },
    },
    uniques: [{ name: 'UQ_user_authorization_phone_hash', columns: ['phoneHash'] }],
    indices: [
      { name: 'IDX_user_authorization_status_id', columns: ['status', 'id'] },
      { name: 'IDX_user_authorization_account_id', columns: ['accountId'] },
      { name: 'UQ_user_authorization_fhir_patient_id', columns: ['fhirPatientId'], unique: true },
      { name: 'IDX_user_authorization_status_updated_at', columns: ['status', 'updatedAt'] },
    ],
  });

  const measurement = new EntitySchema<Measurement>({
    name: 'Measurement',
    target: Measurement,
    tableName: 'measurement',
    columns: {
      id,
      pushId: { name: 'push_id', type: t.id, transformer: idTransformer },
      dataTag: { name: 'data_tag', ...idText },
      accountId: { name: 'account_id', ...idText },
      memberId: { name: 'member_id', ...idText },
      deviceSn: { name: 'device_sn', ...idText },
      dataType: { name: 'data_type', type: 'integer', nullable: true },
      measuredAt: { name: 'measured_at', ...nullableInstant },
      data: { type: 'text', transformer: sealedJson('measurement.data') },
      observations: { type: t.json, default: dialect === 'postgres' ? () => "'[]'" : '[]' },
      receivedAt: { name: 'received_at', ...instant },
    },
    uniques: [{ name: 'UQ_measurement_push_id', columns: ['pushId'] }],
    indices: [
      { name: 'IDX_measurement_account_id_id', columns: ['accountId', 'id'] },
      { name: 'IDX_measurement_account_id_data_type_id', columns: ['accountId', 'dataType', 'id'] },
    ],
    foreignKeys: [
      { name: 'FK_measurement_push_id', target: 'PushLogEntry', columnNames: ['pushId'], referencedColumnNames: ['id'], onDelete: 'CASCADE' },
    ],
  });

  const consent = new EntitySchema<ConsentRecord>({
    name: 'ConsentRecord',
    target: ConsentRecord,
    tableName: 'consent_record',
    columns: {
      id,
      phoneHash: { name: 'phone_hash', ...phoneHash },
      action: { type: 'varchar', length: 16 },
      actor: { type: 'varchar', length: 16 },
      sourceAt: { name: 'source_at', ...instant },
      receivedAt: { name: 'received_at', ...instant },
      outcome: { type: 'varchar', length: 16 },
      pushId: { name: 'push_id', type: t.id, nullable: true, transformer: idTransformer },
      requestId: { name: 'request_id', type: 'varchar', length: 128, nullable: true },
    },
    indices: [{ name: 'IDX_consent_record_phone_hash_id', columns: ['phoneHash', 'id'] }],
  });

  const access = new EntitySchema<AccessRecord>({
    name: 'AccessRecord',
    target: AccessRecord,
    tableName: 'access_audit',
    columns: {
      id,
      at: instant,
      apiKey: { name: 'api_key', type: 'varchar', length: 64 },
      method: { type: 'varchar', length: 8 },
      route: { type: 'varchar', length: 200 },
      phoneHash: { name: 'phone_hash', ...phoneHash },
      requestId: { name: 'request_id', type: 'varchar', length: 128, nullable: true },
      status: { type: 'integer' },
    },
    indices: [
      { name: 'IDX_access_audit_phone_hash_id', columns: ['phoneHash', 'id'] },
      { name: 'IDX_access_audit_at', columns: ['at'] },
    ],
  });

  return [pushLog, authorization, measurement, consent, access];
}

/** PostgreSQL returns bigint as a string; ids here stay far below 2^53. */
const idTransformer = {
  to: (value: number | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};
