import type { Observation } from '@health-bridge/viatom-protocol';
import { encodeFeedCursor } from '../outbox/feed-cursor';
import { measurementEventData, type EventType, type MeasurementOfEvent, type OutboxEvent, type OutboxEventHeader } from '../outbox/events';
import { Authorization, AuthorizationStatus, RevokedBy } from '../entities/authorization';
import type { AuthorizationState } from '../authorization-rules';
import type { RowSealer } from './sealing';

/** A `user_authorization` row as the drivers return it (SQLite: instants as text; PostgreSQL: ids as text). */
export interface AuthorizationRow {
  id: number | string;
  phone_hash: string;
  phone_enc: string;
  status: string;
  account_id: string;
  member_id: string;
  authorized_at: unknown;
  revoked_at: unknown;
  revoked_by: string | null;
  last_change_at: unknown;
  created_at: unknown;
  updated_at: unknown;
  fhir_patient_id: string;
  data_deleted_for: unknown;
}

/** The row as an entity; `instant` reads the engine's form of an instant. */
export function authorizationFromRow(row: AuthorizationRow, instant: (value: unknown) => Date | null, sealer: RowSealer): Authorization {
  return Object.assign(new Authorization(), {
    id: Number(row.id),
    phone: sealer.openPhone(row.phone_enc) as string,
    phoneHash: row.phone_hash,
    status: row.status as AuthorizationStatus,
    accountId: row.account_id,
    memberId: row.member_id,
    authorizedAt: instant(row.authorized_at),
    revokedAt: instant(row.revoked_at),
    revokedBy: row.revoked_by as RevokedBy | null,
    lastChangeAt: instant(row.last_change_at) as Date,
    createdAt: instant(row.created_at) as Date,
    updatedAt: instant(row.updated_at) as Date,
    fhirPatientId: row.fhir_patient_id,
    dataDeletedFor: instant(row.data_deleted_for),
  });
}

/** The state as an entity, with its id and the phone's keyed hash. */
export function withId(id: number, state: AuthorizationState, phoneHash: string): Authorization {
  return Object.assign(new Authorization(), { id, phoneHash, ...state });
}

/** An `event` row read with its measurement's columns (`m_*`, null without one) and, on PostgreSQL, its `tx_id`. */
export interface EventRow {
  id: number | string;
  tx_id?: string;
  event_id: string;
  type: string;
  phone_enc: string | null;
  sequence: number | string;
  stored_at: unknown;
  measurement_id: number | string | null;
  data: string | null;
  m_id: number | string | null;
  m_push_id: number | string | null;
  m_account_id: string | null;
  m_member_id: string | null;
  m_device_sn: string | null;
  m_data_type: number | null;
  m_measured_at: unknown;
  m_received_at: unknown;
  m_data: unknown;
  m_observations: unknown;
}

/** The measurement columns a feed read selects beside an event (`m` is the measurement's alias). */
export const EVENT_MEASUREMENT_COLUMNS =
  'm."id" AS m_id, m."push_id" AS m_push_id, m."account_id" AS m_account_id, m."member_id" AS m_member_id, m."device_sn" AS m_device_sn, ' +
  'm."data_type" AS m_data_type, m."measured_at" AS m_measured_at, m."received_at" AS m_received_at, m."data" AS m_data, ' +
  'm."observations" AS m_observations';

/** The columns of an event's header (see eventHeaderFromRow). */
export type EventHeaderRow = Pick<EventRow, 'id' | 'tx_id' | 'event_id' | 'type' | 'stored_at'>;

/** An event's header: its id, type, time and place in the feed, read without opening anything. */
export function eventHeaderFromRow(row: EventHeaderRow, instant: (value: unknown) => Date | null): OutboxEventHeader {
  return {
    id: row.event_id,
    type: row.type as EventType,
    storedAt: instant(row.stored_at) as Date,
    cursor: encodeFeedCursor({ tx: row.tx_id ?? '0', id: Number(row.id) }),
  };
}

/** The row as the feed answers it; `instant` reads the engine's form of an instant. */
export function eventFromRow(row: EventRow, instant: (value: unknown) => Date | null, sealer: RowSealer): OutboxEvent {
  const id = Number(row.id);
  const phone = sealer.openPhone(row.phone_enc);
  let data: Record<string, unknown>;
  if (row.measurement_id !== null) {
    const m: MeasurementOfEvent | null =
      row.m_id === null
        ? null
        : {
            id: Number(row.m_id),
            pushId: Number(row.m_push_id),
            accountId: row.m_account_id as string,
            memberId: row.m_member_id as string,
            deviceSn: row.m_device_sn as string,
            dataType: row.m_data_type,
            measuredAt: instant(row.m_measured_at),
            receivedAt: instant(row.m_received_at) as Date,
            data: sealer.openMeasurementData(row.m_data) as Record<string, unknown>,
            observations: jsonOf(row.m_observations) as Observation[],
          };
    data = measurementEventData(phone, m, Number(row.measurement_id)) as unknown as Record<string, unknown>;
  } else {
    const text = sealer.openEventData(row.data);
    data = text === null ? {} : (JSON.parse(text) as Record<string, unknown>);
  }
  return {
    id: row.event_id,
    type: row.type as EventType,
    storedAt: instant(row.stored_at) as Date,
    phone,
    sequence: Number(row.sequence),
    data,
    cursor: encodeFeedCursor({ tx: row.tx_id ?? '0', id }),
  };
}

/** A JSON column as the drivers return it: text on SQLite, parsed on PostgreSQL. */
const jsonOf = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value);
