import { Injectable } from '@nestjs/common';
import { Sql } from '../sql';

export const DeliveryStatus = {
  /** Waiting for its next attempt (or in one). */
  Pending: 'pending',
  Delivered: 'delivered',
  /** Every attempt of the schedule failed; a retry or a recover sends it again. */
  Failed: 'failed',
} as const;
export type DeliveryStatus = (typeof DeliveryStatus)[keyof typeof DeliveryStatus];
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = Object.values(DeliveryStatus);

/** A delivery taken for an attempt by this replica (its lease keeps the others off it). */
export interface ClaimedDelivery {
  id: number;
  endpointId: string;
  eventId: string;
  /** Attempts made before this one. */
  attempts: number;
}

export interface DeliveryRecord {
  id: number;
  endpointId: string;
  eventId: string;
  status: DeliveryStatus;
  attempts: number;
  /** When the next attempt is due; null once delivered or failed. */
  nextAttemptAt: Date | null;
  createdAt: Date;
}

export interface AttemptRecord {
  deliveryId: number;
  attemptedAt: Date;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
}

/** The webhook deliveries waiting and given up, across every endpoint (enabled or not). */
export interface WebhookDeliveryBacklog {
  /** Waiting for an attempt (or in one). */
  pending: number;
  /** Given up after the last attempt of the schedule (until a retry or a recover). */
  failed: number;
  /** When the first delivery still pending was made (its `createdAt`); null when none is pending. */
  oldestPendingAt: Date | null;
}

/** The webhook attempts made in a window of time, across every endpoint. */
export interface WebhookAttemptCounts {
  /** The receiver answered 2xx. */
  succeeded: number;
  /** Anything else: another status, or no answer (refused, reset, timed out…). */
  failed: number;
}

interface DeliveryRow {
  id: number | string;
  endpoint_id: string;
  event_id: string;
  status: string;
  attempts: number | string;
  next_attempt_at: unknown;
  created_at: unknown;
}

interface AttemptRow {
  delivery_id: number | string;
  attempted_at: unknown;
  status_code: number | string | null;
  duration_ms: number | string;
  error: string | null;
}

const DELIVERY_COLUMNS = '"id", "endpoint_id", "event_id", "status", "attempts", "next_attempt_at", "created_at"';
/**
 * The pending and failed deliveries and the first pending one's creation. Counted endpoint by
 * endpoint (a delivery goes with its endpoint), each one range of IDX_webhook_delivery_due
 * (endpoint, status), read from the index alone: subqueries per endpoint, because for a join both
 * engines read the whole index for the statuses. `+ 0`: without it SQLite finds the lowest id by
 * walking IDX_webhook_delivery_endpoint_id (endpoint, id) from the endpoint's oldest delivery,
 * through every one delivered since.
 */
const ofEndpoint = (what: string, status: DeliveryStatus) => `(SELECT ${what} FROM "webhook_delivery" d WHERE d."endpoint_id" = e."id" AND d."status" = '${status}')`;
export const BACKLOG_SQL =
  'SELECT t."pending", t."failed", (SELECT "created_at" FROM "webhook_delivery" WHERE "id" = t."first_pending") AS "first_created_at" FROM (' +
  'SELECT SUM(p."pending") AS "pending", SUM(p."failed") AS "failed", MIN(p."first_pending") AS "first_pending" FROM (' +
  `SELECT ${ofEndpoint('COUNT(*)', 'pending')} AS "pending", ${ofEndpoint('COUNT(*)', 'failed')} AS "failed", ${ofEndpoint('MIN(d."id" + 0)', 'pending')} AS "first_pending" ` +
  'FROM "webhook_endpoint" e) p) t';
/** The attempts of a window (`?` from, `?` to, both included) by outcome: one range of the index by attempt time, which holds the status. */
export const ATTEMPT_COUNTS_SQL =
  'SELECT COUNT(*) AS "total", COUNT(CASE WHEN "status_code" >= 200 AND "status_code" < 300 THEN 1 END) AS "succeeded" ' +
  'FROM "webhook_attempt" WHERE "attempted_at" >= ? AND "attempted_at" <= ?';
/** Rows per INSERT: well under SQLite's limit on a statement's parameters. */
const INSERT_CHUNK = 100;

/**
 * Every statement on `webhook_delivery` and `webhook_attempt`, for both engines. Each is one
 * statement (atomic alone): on SQLite the archive's writes share the one connection and commit
 * in groups, so a transaction held open across awaits would take them in.
 */
@Injectable()
export class WebhookDeliveryStore {
  constructor(private readonly sql: Sql) {}

  /**
   * The statements that make new deliveries: pending, due at `dueAt`, and leased until
   * `leaseUntil` when it is given (taken by this replica for their first attempt: the rows they
   * return, read by `claimedFrom`, are the deliveries made). One that exists already is left as
   * it is and not returned (a page read again after a crash: it is claimed when due, like any
   * other). For the caller to run with others, all or none.
   */
  newDeliveries(deliveries: ReadonlyArray<{ endpointId: string; eventId: string }>, dueAt: Date, now: Date, leaseUntil: Date | null): Array<{ sql: string; params: unknown[] }> {
    const statements: Array<{ sql: string; params: unknown[] }> = [];
    for (let i = 0; i < deliveries.length; i += INSERT_CHUNK) {
      const chunk = deliveries.slice(i, i + INSERT_CHUNK);
      statements.push({
        sql:
          'INSERT INTO "webhook_delivery" ("endpoint_id", "event_id", "status", "attempts", "next_attempt_at", "lease_until", "created_at", "updated_at") VALUES ' +
          chunk.map(() => "(?, ?, 'pending', 0, ?, ?, ?, ?)").join(', ') +
          ' ON CONFLICT ("endpoint_id", "event_id") DO NOTHING' +
          (leaseUntil ? ' RETURNING "id", "endpoint_id", "event_id"' : ''),
        params: chunk.flatMap((d) => [d.endpointId, d.eventId, dueAt, leaseUntil, now, now]),
      });
    }
    return statements;
  }

  /** The deliveries the leased statements of `newDeliveries` made, from their rows. */
  claimedFrom(rows: ReadonlyArray<Record<string, unknown>>): ClaimedDelivery[] {
    return rows.map((r) => ({ id: Number(r['id']), endpointId: String(r['endpoint_id']), eventId: String(r['event_id']), attempts: 0 }));
  }

  /**
   * Takes the due deliveries (pending, due, not leased or the lease run out) of these endpoints,
   * at most `slots` of each endpoint (oldest due first) and `limit` in all, and leases them until
   * `leaseUntil`, in one statement. On PostgreSQL the rows another replica is taking at the same
   * moment are skipped (SKIP LOCKED), and a row taken and committed by it no longer passes the
   * lease condition, rechecked under the lock: one replica per attempt.
   */
  async claimDue(slots: ReadonlyMap<string, number>, limit: number, now: Date, leaseUntil: Date): Promise<ClaimedDelivery[]> {
    if (slots.size === 0 || limit <= 0) return [];
    const free = [...slots.entries()];
    const due = `"status" = 'pending' AND "next_attempt_at" <= ? AND ("lease_until" IS NULL OR "lease_until" < ?)`;
    type Row = { id: number | string; endpoint_id: string; event_id: string; attempts: number | string };
    let rows: Row[];
    if (this.sql.postgres) {
      // Each endpoint's oldest due rows by its own index range (a LATERAL … LIMIT per endpoint, not a
      // ranking of every due row: that grew with the backlog and held an open write for seconds).
      rows = await this.sql.rows<Row>(
        `WITH "free" ("endpoint_id", "slots") AS (VALUES ${free.map(() => '(CAST(? AS varchar), CAST(? AS integer))').join(', ')}), ` +
          '"locked" AS (SELECT d."id" FROM "free" f CROSS JOIN LATERAL (' +
          `SELECT "id" FROM "webhook_delivery" WHERE "endpoint_id" = f."endpoint_id" AND ${due} ` +
          'ORDER BY "next_attempt_at", "id" LIMIT f."slots" FOR UPDATE SKIP LOCKED) d LIMIT ?) ' +
          'UPDATE "webhook_delivery" d SET "lease_until" = ?, "updated_at" = ? FROM "locked" WHERE d."id" = "locked"."id" ' +
          'RETURNING d."id", d."endpoint_id", d."event_id", d."attempts"',
        [...free.flatMap(([endpointId, n]) => [endpointId, n]), now, now, limit, leaseUntil, now],
      );
    } else {
      // One writer: each endpoint's statement takes its rows whole (the condition is checked by the UPDATE itself).
      rows = [];
      for (const [endpointId, n] of free) {
        const take = Math.min(n, limit - rows.length);
        if (take <= 0) break;
        rows.push(
          ...(await this.sql.rows<Row>(
            'UPDATE "webhook_delivery" SET "lease_until" = ?, "updated_at" = ? WHERE "id" IN (' +
              `SELECT "id" FROM "webhook_delivery" WHERE "endpoint_id" = ? AND ${due} ORDER BY "next_attempt_at", "id" LIMIT ?) ` +
              'RETURNING "id", "endpoint_id", "event_id", "attempts"',
            [leaseUntil, now, endpointId, now, now, take],
          )),
        );
      }
    }
    return rows.map((r) => ({ id: Number(r.id), endpointId: r.endpoint_id, eventId: r.event_id, attempts: Number(r.attempts) }));
  }

  /** Gives leased deliveries back at once (attempts abandoned at shutdown): another replica may take them. */
  async release(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.sql.rows(`UPDATE "webhook_delivery" SET "lease_until" = NULL WHERE "id" IN (${ids.map(() => '?').join(', ')})`, [...ids]);
  }

  async addAttempt(attempt: AttemptRecord): Promise<void> {
    await this.sql.rows('INSERT INTO "webhook_attempt" ("delivery_id", "attempted_at", "status_code", "duration_ms", "error") VALUES (?, ?, ?, ?, ?)', [
      attempt.deliveryId,
      attempt.attemptedAt,
      attempt.statusCode,
      Math.max(0, Math.round(attempt.durationMs)),
      attempt.error,
    ]);
  }

  /**
   * Deliveries whose attempt succeeded, many at once: their attempts in one INSERT and their new
   * state in one UPDATE (two statements for a batch instead of two for each).
   */
  async settleDelivered(items: ReadonlyArray<{ attempt: AttemptRecord; attempts: number }>, now: Date): Promise<void> {
    for (let i = 0; i < items.length; i += INSERT_CHUNK) {
      const chunk = items.slice(i, i + INSERT_CHUNK);
      await this.sql.rows(
        'INSERT INTO "webhook_attempt" ("delivery_id", "attempted_at", "status_code", "duration_ms", "error") VALUES ' + chunk.map(() => '(?, ?, ?, ?, ?)').join(', '),
        chunk.flatMap(({ attempt: a }) => [a.deliveryId, a.attemptedAt, a.statusCode, Math.max(0, Math.round(a.durationMs)), a.error]),
      );
      await this.sql.rows(
        `UPDATE "webhook_delivery" SET "status" = 'delivered', "attempts" = CASE "id" ${chunk.map(() => 'WHEN ? THEN CAST(? AS integer)').join(' ')} END, ` +
          `"next_attempt_at" = NULL, "lease_until" = NULL, "updated_at" = ? WHERE "id" IN (${chunk.map(() => '?').join(', ')})`,
        [...chunk.flatMap(({ attempt, attempts }) => [attempt.deliveryId, attempts]), now, ...chunk.map(({ attempt }) => attempt.deliveryId)],
      );
    }
  }

  /** The outcome of an attempt: its new status, attempt count and next due time; the lease ends. */
  async settle(id: number, status: DeliveryStatus, attempts: number, nextAttemptAt: Date | null, now: Date): Promise<void> {
    await this.sql.rows('UPDATE "webhook_delivery" SET "status" = ?, "attempts" = ?, "next_attempt_at" = ?, "lease_until" = NULL, "updated_at" = ? WHERE "id" = ?', [
      status,
      attempts,
      nextAttemptAt,
      now,
      id,
    ]);
  }

  /** An endpoint's deliveries, newest first, after the delivery `beforeId` (the page before's last). */
  async list(endpointId: string, query: { status?: DeliveryStatus; beforeId?: number | null; limit: number }): Promise<DeliveryRecord[]> {
    const params: unknown[] = [endpointId];
    let where = '"endpoint_id" = ?';
    if (query.status) {
      where += ' AND "status" = ?';
      params.push(query.status);
    }
    if (query.beforeId !== undefined && query.beforeId !== null) {
      where += ' AND "id" < ?';
      params.push(query.beforeId);
    }
    const rows = await this.sql.rows<DeliveryRow>(`SELECT ${DELIVERY_COLUMNS} FROM "webhook_delivery" WHERE ${where} ORDER BY "id" DESC LIMIT ?`, [...params, query.limit]);
    return rows.map((row) => this.toDelivery(row));
  }

  async find(endpointId: string, eventId: string): Promise<DeliveryRecord | null> {
    const [row] = await this.sql.rows<DeliveryRow>(`SELECT ${DELIVERY_COLUMNS} FROM "webhook_delivery" WHERE "endpoint_id" = ? AND "event_id" = ?`, [endpointId, eventId]);
    return row ? this.toDelivery(row) : null;
  }

  /** The attempts of these deliveries, oldest first. */
  async attemptsOf(deliveryIds: readonly number[]): Promise<AttemptRecord[]> {
    if (deliveryIds.length === 0) return [];
    const rows = await this.sql.rows<AttemptRow>(
      `SELECT "delivery_id", "attempted_at", "status_code", "duration_ms", "error" FROM "webhook_attempt" WHERE "delivery_id" IN (${deliveryIds.map(() => '?').join(', ')}) ORDER BY "id"`,
      [...deliveryIds],
    );
    return rows.map((row) => ({
      deliveryId: Number(row.delivery_id),
      attemptedAt: this.sql.readInstant(row.attempted_at) as Date,
      statusCode: row.status_code === null ? null : Number(row.status_code),
      durationMs: Number(row.duration_ms),
      error: row.error,
    }));
  }

  /** Makes one delivery due now, whatever its status (a delivered one is sent again); null when there is none. */
  async requeue(endpointId: string, eventId: string, now: Date): Promise<DeliveryRecord | null> {
    const [row] = await this.sql.rows<DeliveryRow>(
      `UPDATE "webhook_delivery" SET "status" = 'pending', "next_attempt_at" = ?, "updated_at" = ? WHERE "endpoint_id" = ? AND "event_id" = ? RETURNING ${DELIVERY_COLUMNS}`,
      [now, now, endpointId, eventId],
    );
    return row ? this.toDelivery(row) : null;
  }

  /** Makes every failed delivery of the endpoint created at or after `since` due now; how many. */
  async requeueFailed(endpointId: string, since: Date, now: Date): Promise<number> {
    const rows = await this.sql.rows(
      `UPDATE "webhook_delivery" SET "status" = 'pending', "next_attempt_at" = ?, "updated_at" = ? WHERE "endpoint_id" = ? AND "status" = 'failed' AND "created_at" >= ? RETURNING "id"`,
      [now, now, endpointId, since],
    );
    return rows.length;
  }

  /**
   * How many deliveries are pending and failed, and when the first pending one was made: the one
   * with the lowest id (ids are given in the order deliveries are made). Read endpoint by endpoint
   * through the index by endpoint and status, so the work is the pending and failed deliveries,
   * never every delivery kept.
   */
  async backlog(): Promise<WebhookDeliveryBacklog> {
    const [row] = await this.sql.rows<{ pending: number | string | null; failed: number | string | null; first_created_at: unknown }>(BACKLOG_SQL);
    return { pending: Number(row?.pending ?? 0), failed: Number(row?.failed ?? 0), oldestPendingAt: this.sql.readInstant(row?.first_created_at) };
  }

  /** The attempts made from `from` to `to` (both included), by outcome. */
  async attemptCounts(from: Date, to: Date): Promise<WebhookAttemptCounts> {
    const [row] = await this.sql.rows<{ total: number | string; succeeded: number | string }>(ATTEMPT_COUNTS_SQL, [from, to]);
    const total = Number(row?.total ?? 0);
    const succeeded = Number(row?.succeeded ?? 0);
    return { succeeded, failed: total - succeeded };
  }

  private toDelivery(row: DeliveryRow): DeliveryRecord {
    return {
      id: Number(row.id),
      endpointId: row.endpoint_id,
      eventId: row.event_id,
      status: row.status as DeliveryStatus,
      attempts: Number(row.attempts),
      nextAttemptAt: this.sql.readInstant(row.next_attempt_at),
      createdAt: this.sql.readInstant(row.created_at) as Date,
    };
  }
}
