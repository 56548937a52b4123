import { Sql } from './sql';

/**
 * A named reader's place in the event feed (`outbox_cursor`), held by one replica at a time
 * through a lease, never through an open transaction: the holder renews it while it works; when
 * it dies, another takes over after `ttlMs` and starts from the last position saved, so what was
 * read but not saved is read again (at-least-once).
 */
export class OutboxCursor {
  /** While this replica holds the lease: until when, and the position it last saved (so a renewal is not a statement each time). */
  private held: { until: number; position: string } | null = null;

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
    // Held, with more than half the lease left: nobody else can have taken it, and its position is the one this replica saved.
    if (this.held && this.held.until - now.getTime() > this.ttlMs / 2) return this.held.position;
    this.held = null;
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
    if (held.length === 0) return null;
    this.held = { until: until.getTime(), position: held[0].position };
    return held[0].position;
  }

  /** Saves a position (and renews the lease); false when the lease was lost meanwhile (another replica took over). */
  async advance(position: string, now = new Date()): Promise<boolean> {
    const advancing = this.advancing(position, now);
    return advancing.saved(await this.sql.rows(advancing.sql, advancing.params));
  }

  /**
   * The statement that saves a position, for the caller to run with the writes it must commit
   * with (all or none), and what its rows say: false when the lease was lost meanwhile.
   */
  advancing(position: string, now = new Date()): { sql: string; params: unknown[]; saved: (rows: readonly unknown[]) => boolean } {
    const until = new Date(now.getTime() + this.ttlMs);
    this.held = null;
    return {
      sql: 'UPDATE "outbox_cursor" SET "position" = ?, "lease_until" = ?, "updated_at" = ? WHERE "name" = ? AND "lease_owner" = ? RETURNING "name"',
      params: [position, until, now, this.name, this.owner],
      saved: (rows) => {
        if (rows.length === 0) return false;
        this.held = { until: until.getTime(), position };
        return true;
      },
    };
  }

  /** Lets another replica take over at once (on shutdown). */
  async release(): Promise<void> {
    this.held = null;
    await this.sql.rows('UPDATE "outbox_cursor" SET "lease_owner" = NULL, "lease_until" = NULL WHERE "name" = ? AND "lease_owner" = ?', [this.name, this.owner]);
  }
}
