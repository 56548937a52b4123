import { Sql } from './sql';

/**
 * A named reader's place in the event feed (`outbox_cursor`), held by one replica at a time
 * through a lease, never through an open transaction: the holder renews it while it works; when
 * it dies, another takes over after `ttlMs` and starts from the last position saved, so what was
 * read but not saved is read again (at-least-once).
 */
export class OutboxCursor {
  constructor(
    private readonly sql: Sql,
    readonly name: string,
    /** This replica's name for the lease (unique per process). */
    private readonly owner: string,
    private readonly ttlMs: number,
  ) {}

  /**
   * Takes or renews the lease; the saved position when held, null when another replica holds it.
   * The first time, the cursor is created at `initial()` (e.g. the feed's latest position).
   */
  async acquire(initial: () => Promise<string>, now = new Date()): Promise<string | null> {
    const until = new Date(now.getTime() + this.ttlMs);
    const existing = await this.sql.rows('SELECT "name" FROM "outbox_cursor" WHERE "name" = ?', [this.name]);
    if (existing.length === 0) {
      await this.sql.rows(
        'INSERT INTO "outbox_cursor" ("name", "position", "lease_owner", "lease_until", "updated_at") VALUES (?, ?, NULL, NULL, ?) ON CONFLICT ("name") DO NOTHING',
        [this.name, await initial(), now],
      );
    }
    const held = await this.sql.rows<{ position: string }>(
      'UPDATE "outbox_cursor" SET "lease_owner" = ?, "lease_until" = ? ' +
        'WHERE "name" = ? AND ("lease_owner" = ? OR "lease_owner" IS NULL OR "lease_until" < ?) RETURNING "position"',
      [this.owner, until, this.name, this.owner, now],
    );
    return held.length > 0 ? held[0].position : null;
  }

  /** Saves a position (and renews the lease); false when the lease was lost meanwhile (another replica took over). */
  async advance(position: string, now = new Date()): Promise<boolean> {
    const saved = await this.sql.rows(
      'UPDATE "outbox_cursor" SET "position" = ?, "lease_until" = ?, "updated_at" = ? WHERE "name" = ? AND "lease_owner" = ? RETURNING "name"',
      [position, new Date(now.getTime() + this.ttlMs), now, this.name, this.owner],
    );
    return saved.length > 0;
  }

  /** Lets another replica take over at once (on shutdown). */
  async release(): Promise<void> {
    await this.sql.rows('UPDATE "outbox_cursor" SET "lease_owner" = NULL, "lease_until" = NULL WHERE "name" = ? AND "lease_owner" = ?', [this.name, this.owner]);
  }
}
