import { randomBytesPooled } from '../random';
import { readMeasurement, type MeasurementReading, type Observation } from '@health-bridge/viatom-protocol';

/**
 * The outbox's events: every fact an enterprise may act on, kept by the same transaction (or
 * batch statement) as the push or the cancel that caused it, then read by the event feed, the
 * webhook deliveries and the broker publisher. Their `data` is camelCase; its instants are ISO
 * 8601 UTC text.
 */
export const EventType = {
  AuthorizationGranted: 'authorization.granted',
  AuthorizationRevoked: 'authorization.revoked',
  MeasurementArchived: 'measurement.archived',
  PersonDataDeleted: 'person.data-deleted',
  /** A webhook endpoint the service turned off (410, or failing for too long). */
  EndpointDisabled: 'endpoint.disabled',
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];
export const EVENT_TYPES: readonly EventType[] = Object.values(EventType);

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}

export interface AuthorizationGrantedData {
  phone: string;
  accountId: string;
  memberId: string;
  authorizedAt: string;
}

export interface AuthorizationRevokedData {
  phone: string;
  /** `user` (their type-3 push) or `integrator` (the enterprise's cancel). */
  revokedBy: string;
  revokedAt: string;
}

export type MeasurementArchivedData = {
  measurementId: number;
  pushId: number;
  /** The owner's phone, when known. */
  phone: string | null;
  accountId: string;
  memberId: string;
  deviceSn: string;
  dataType: number | null;
  measuredAt: string | null;
  receivedAt: string;
  /** Viatom's `data` as received (its own snake_case keys). Null once the measurement is deleted. */
  data: Record<string, unknown> | null;
} & MeasurementReading;

export interface EndpointDisabledData {
  endpointId: string;
  /** `gone` (the receiver answered 410) or `failing` (every attempt failed for the configured period). */
  reason: string;
  failingSince: string | null;
}

/** An event as the feed answers it. */
export interface OutboxEvent {
  /** Stable and unique (`evt_` + 26 characters): a webhook's `webhook-id`, a broker message's `messageId`. */
  id: string;
  type: EventType;
  /** When the fact was stored (the push's receipt, the cancel's time). */
  storedAt: Date;
  /** The person it is about, when known. */
  phone: string | null;
  /** Increases by one with every event stored for the same person: receivers order by it. */
  sequence: number;
  data: Record<string, unknown>;
  /** The feed's position just after this event (`after=` for the next read). */
  cursor: string;
}

/** What the feed knows of an event without reading its data (nothing opened, no join). */
export type OutboxEventHeader = Pick<OutboxEvent, 'id' | 'type' | 'storedAt' | 'cursor'>;

/** An event a write adds to the outbox (the adapters give it its sequence number). */
export interface NewEvent {
  eventId: string;
  type: EventType;
  phone: string | null;
  /** Whose sequence it takes a number from: the phone, or `account:<id>`. */
  subject: string;
  storedAt: Date;
  /** The data as JSON text; null for a measurement's event (its data is the measurement row's). */
  data: string | null;
  measurementId: number | null;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** `evt_` + a ULID: 48 bits of milliseconds and 80 random bits, Crockford base32 (sortable by time, unique without coordination). */
export function newEventId(now = Date.now()): string {
  return `evt_${ulid(now)}`;
}

export function ulid(now = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytesPooled(10);
  let random = '';
  // 80 bits = 16 characters of 5 bits.
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      random += CROCKFORD[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  return time + random;
}

/** The sequence subject of a person: their phone, or their Viatom account while the phone is unknown. */
export function eventSubject(phone: string | null, accountId: string): string {
  return phone ?? `account:${accountId}`;
}

const iso = (instant: Date | null) => (instant ? instant.toISOString() : null);

/** The event of an authorization change that granted or revoked (the rules' transition); none otherwise. */
export function authorizationEvent(
  transition: string,
  a: { phone: string; accountId: string; memberId: string; authorizedAt: Date | null; revokedAt: Date | null; revokedBy: string | null },
  storedAt: Date,
): NewEvent | null {
  if (transition === 'granted') {
    const data: AuthorizationGrantedData = { phone: a.phone, accountId: a.accountId, memberId: a.memberId, authorizedAt: iso(a.authorizedAt) as string };
    return { eventId: newEventId(storedAt.getTime()), type: EventType.AuthorizationGranted, phone: a.phone, subject: a.phone, storedAt, data: JSON.stringify(data), measurementId: null };
  }
  if (transition === 'revoked') {
    const data: AuthorizationRevokedData = { phone: a.phone, revokedBy: a.revokedBy as string, revokedAt: iso(a.revokedAt) as string };
    return { eventId: newEventId(storedAt.getTime()), type: EventType.AuthorizationRevoked, phone: a.phone, subject: a.phone, storedAt, data: JSON.stringify(data), measurementId: null };
  }
  return null;
}

/** A measurement row, as the feed reads it beside its event. */
export interface MeasurementOfEvent {
  id: number;
  pushId: number;
  accountId: string;
  memberId: string;
  deviceSn: string;
  dataType: number | null;
  measuredAt: Date | null;
  receivedAt: Date;
  data: Record<string, unknown>;
  observations: Observation[];
}

/** A measurement event's data, built from its row when read (null: the row is gone). */
export function measurementEventData(phone: string | null, m: MeasurementOfEvent | null, measurementId: number): MeasurementArchivedData | { measurementId: number; deleted: true } {
  if (!m) return { measurementId, deleted: true };
  return {
    measurementId: m.id,
    pushId: m.pushId,
    phone,
    accountId: m.accountId,
    memberId: m.memberId,
    deviceSn: m.deviceSn,
    dataType: m.dataType,
    measuredAt: iso(m.measuredAt),
    receivedAt: m.receivedAt.toISOString(),
    data: m.data,
    ...readMeasurement(m),
  };
}
