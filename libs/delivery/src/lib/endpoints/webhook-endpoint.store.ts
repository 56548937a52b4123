import { Injectable } from '@nestjs/common';
import { DataProtection, isEventType, type EventType } from '@health-bridge/health-archive';
import { Sql } from '../sql';
import type { DisabledReason, WebhookEndpoint, WebhookEndpointSecrets } from './webhook-endpoint';

/** The columns of an endpoint as the service shows it: never its secrets. */
const COLUMNS = '"id", "url", "description", "event_types", "enabled", "disabled_reason", "failing_since", "created_at", "updated_at"';

interface EndpointRow {
  id: string;
  url: string;
  description: string | null;
  event_types: string | null;
  enabled: unknown;
  disabled_reason: string | null;
  failing_since: unknown;
  created_at: unknown;
  updated_at: unknown;
}

export interface EndpointInsert {
  id: string;
  url: string;
  description: string | null;
  eventTypes: readonly EventType[] | null;
  secret: string;
  at: Date;
}

export interface EndpointUpdate {
  url?: string;
  description?: string | null;
  eventTypes?: readonly EventType[] | null;
  enabled?: boolean;
}

/** What the signing secrets are sealed for (both columns: a rotation moves the current one to `previous_secret` as it is). */
const SECRET_PURPOSE = 'webhook_endpoint.secret';

/**
 * Every statement on `webhook_endpoint`, for both engines. The signing secrets are stored sealed
 * with the archive's data-encryption key (`DataProtection`) and opened only by `secrets`.
 */
@Injectable()
export class WebhookEndpointStore {
  /** Ids compared byte by byte on both engines (a PostgreSQL locale may order letters and digits otherwise). */
  private readonly byId: string;

  constructor(
    private readonly sql: Sql,
    private readonly protection: DataProtection,
  ) {
    this.byId = this.sql.postgres ? '"id" COLLATE "C"' : '"id"';
  }

  async insert(endpoint: EndpointInsert): Promise<WebhookEndpoint> {
    const [row] = await this.sql.rows<EndpointRow>(
      'INSERT INTO "webhook_endpoint" ("id", "url", "description", "event_types", "enabled", "disabled_reason", "secret", ' +
        '"previous_secret", "previous_secret_expires_at", "failing_since", "created_at", "updated_at") ' +
        `VALUES (?, ?, ?, ?, ?, NULL, ?, NULL, NULL, NULL, ?, ?) RETURNING ${COLUMNS}`,
      [endpoint.id, endpoint.url, endpoint.description, eventTypesText(endpoint.eventTypes), true, this.protection.seal(SECRET_PURPOSE, endpoint.secret), endpoint.at, endpoint.at],
    );
    return this.toEndpoint(row);
  }

  async find(id: string): Promise<WebhookEndpoint | null> {
    const [row] = await this.sql.rows<EndpointRow>(`SELECT ${COLUMNS} FROM "webhook_endpoint" WHERE "id" = ?`, [id]);
    return row ? this.toEndpoint(row) : null;
  }

  /** Newest first (ids are ULIDs: by time), up to `limit`, after the endpoint `before` when given. */
  async list(before: string | null, limit: number): Promise<WebhookEndpoint[]> {
    const where = before === null ? '' : `WHERE ${this.byId} < ? `;
    const rows = await this.sql.rows<EndpointRow>(`SELECT ${COLUMNS} FROM "webhook_endpoint" ${where}ORDER BY ${this.byId} DESC LIMIT ?`, [
      ...(before === null ? [] : [before]),
      limit,
    ]);
    return rows.map((row) => this.toEndpoint(row));
  }

  async enabled(): Promise<WebhookEndpoint[]> {
    const rows = await this.sql.rows<EndpointRow>(`SELECT ${COLUMNS} FROM "webhook_endpoint" WHERE "enabled" = ? ORDER BY ${this.byId}`, [true]);
    return rows.map((row) => this.toEndpoint(row));
  }

  /** The endpoint as changed; null when there is none with this id. */
  async update(id: string, changes: EndpointUpdate, at: Date): Promise<WebhookEndpoint | null> {
    const sets: string[] = [];
    const params: unknown[] = [];
    const set = (assignment: string, ...values: unknown[]) => {
      sets.push(assignment);
      params.push(...values);
    };
    if (changes.url !== undefined) set('"url" = ?', changes.url);
    if (changes.description !== undefined) set('"description" = ?', changes.description);
    if (changes.eventTypes !== undefined) set('"event_types" = ?', eventTypesText(changes.eventTypes));
    if (changes.enabled === true) {
      // Turned back on: why it was off is forgotten, and so is its failing streak, which would
      // otherwise disable it again at the next failure. An endpoint already on keeps its streak.
      set('"failing_since" = CASE WHEN "enabled" THEN "failing_since" ELSE NULL END');
      set('"enabled" = ?', true);
      set('"disabled_reason" = NULL');
    } else if (changes.enabled === false) {
      // An endpoint the service had already turned off keeps the reason it gave ('gone', 'failing').
      set('"enabled" = ?', false);
      set(`"disabled_reason" = COALESCE("disabled_reason", 'manual')`);
    }
    set('"updated_at" = ?', at);
    const [row] = await this.sql.rows<EndpointRow>(`UPDATE "webhook_endpoint" SET ${sets.join(', ')} WHERE "id" = ? RETURNING ${COLUMNS}`, [...params, id]);
    return row ? this.toEndpoint(row) : null;
  }

  /** False when there was none (its deliveries and their attempts go with it: foreign keys cascade). */
  async delete(id: string): Promise<boolean> {
    const rows = await this.sql.rows('DELETE FROM "webhook_endpoint" WHERE "id" = ? RETURNING "id"', [id]);
    return rows.length > 0;
  }

  async secrets(id: string): Promise<WebhookEndpointSecrets | null> {
    const [row] = await this.sql.rows<{ secret: string; previous_secret: string | null; previous_secret_expires_at: unknown }>(
      'SELECT "secret", "previous_secret", "previous_secret_expires_at" FROM "webhook_endpoint" WHERE "id" = ?',
      [id],
    );
    if (!row) return null;
    return {
      secret: this.protection.open(SECRET_PURPOSE, row.secret),
      previousSecret: this.protection.openOrNull(SECRET_PURPOSE, row.previous_secret),
      previousSecretExpiresAt: this.sql.readInstant(row.previous_secret_expires_at),
    };
  }

  /**
   * The current secret becomes the previous one (until `previousExpiresAt`) and `secret` the
   * current one, in one statement (the right-hand sides read the row as it was), so two rotations
   * at once cannot lose a secret that is still signing. False when there is no such endpoint.
   */
  async rotate(id: string, secret: string, previousExpiresAt: Date, at: Date): Promise<boolean> {
    const rows = await this.sql.rows(
      'UPDATE "webhook_endpoint" SET "previous_secret" = "secret", "secret" = ?, "previous_secret_expires_at" = ?, "updated_at" = ? WHERE "id" = ? RETURNING "id"',
      [this.protection.seal(SECRET_PURPOSE, secret), previousExpiresAt, at, id],
    );
    return rows.length > 0;
  }

  /** True only when it was enabled until now (so that one caller, not each replica, reports it). */
  async disable(id: string, reason: Exclude<DisabledReason, 'manual'>, at: Date): Promise<boolean> {
    const rows = await this.sql.rows(
      'UPDATE "webhook_endpoint" SET "enabled" = ?, "disabled_reason" = ?, "updated_at" = ? WHERE "id" = ? AND "enabled" = ? RETURNING "id"',
      [false, reason, at, id, true],
    );
    return rows.length > 0;
  }

  // The failing streak is the delivery's bookkeeping, not a change of the endpoint: updated_at stays.
  async markFailing(id: string, since: Date): Promise<void> {
    await this.sql.rows('UPDATE "webhook_endpoint" SET "failing_since" = ? WHERE "id" = ? AND "failing_since" IS NULL', [since, id]);
  }

  async markHealthy(id: string): Promise<void> {
    await this.sql.rows('UPDATE "webhook_endpoint" SET "failing_since" = NULL WHERE "id" = ? AND "failing_since" IS NOT NULL', [id]);
  }

  private toEndpoint(row: EndpointRow): WebhookEndpoint {
    return {
      id: row.id,
      url: row.url,
      description: row.description,
      eventTypes: parseEventTypesText(row.event_types),
      enabled: this.sql.readBoolean(row.enabled),
      disabledReason: (row.disabled_reason as DisabledReason | null) ?? null,
      createdAt: this.sql.readInstant(row.created_at) as Date,
      updatedAt: this.sql.readInstant(row.updated_at) as Date,
      failingSince: this.sql.readInstant(row.failing_since),
    };
  }
}

function eventTypesText(types: readonly EventType[] | null): string | null {
  return types === null ? null : JSON.stringify(types);
}

/** The stored JSON array; a type this version no longer knows is dropped (it is sent nothing, never everything). */
function parseEventTypesText(text: string | null): EventType[] | null {
  if (text === null) return null;
  const parsed: unknown = JSON.parse(text);
  return Array.isArray(parsed) ? parsed.filter((t): t is EventType => typeof t === 'string' && isEventType(t)) : [];
}
