import type { Database } from 'better-sqlite3';

/** A unit of work: synchronous statements on better-sqlite3's connection. */
type Unit = { work: (db: Database) => unknown; resolve: (value: unknown) => void; reject: (error: unknown) => void };

/** How many queued units of work one commit may carry. */
const MAX_GROUP = 64;

/**
 * SQLite's writes (one connection, one writer), committed in groups: units of work queued in
 * one turn of the event loop run one after the other in one transaction, each inside its own
 * savepoint, and the promises settle after the single COMMIT (one disk sync for all). A unit
 * that throws is rolled back alone and rejected; when SQLite itself ends the transaction (disk
 * full, I/O error) or the COMMIT fails, every unit of the group is rejected: none is committed.
 *
 * A group runs synchronously from BEGIN to COMMIT, so no other statement on the connection
 * (TypeORM's reads) can fall inside it.
 */
export class SqliteGroupCommit {
  private queue: Unit[] = [];
  private scheduled = false;
  private savepointOn: Database | null = null;
  private savepoint: ((unit: Unit['work'], db: Database) => unknown) | null = null;

  /** @param connection the connection to write on, read at each group (it is replaced when the DataSource reconnects). */
  constructor(private readonly connection: () => Database) {}

  /** Queues `work` for the next group; settles after that group's COMMIT. */
  run<T>(work: (db: Database) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      // The next turn of the event loop: the requests read in this turn join the group.
      setImmediate(() => this.drain());
    });
  }

  private drain(): void {
    this.scheduled = false;
    const queued = this.queue;
    this.queue = [];
    for (let i = 0; i < queued.length; i += MAX_GROUP) this.commitGroup(queued.slice(i, i + MAX_GROUP));
  }

  private commitGroup(group: Unit[]): void {
    let db: Database;
    try {
      db = this.connection();
      // A transaction left open (by nothing this service runs) would swallow this group's.
      if (db.inTransaction) db.exec('ROLLBACK');
      // IMMEDIATE: the write lock is taken now, so another writer on the file makes this wait
      // (busy_timeout), never fail half-way at its first write.
      db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      for (const unit of group) unit.reject(error);
      return;
    }

    const done: Array<{ unit: Unit; value: unknown }> = [];
    for (const [index, unit] of group.entries()) {
      try {
        done.push({ unit, value: this.inSavepoint(db, unit.work) });
      } catch (error) {
        if (db.inTransaction) {
          unit.reject(error); // its savepoint is rolled back: this unit only
          continue;
        }
        // SQLite rolled the whole transaction back: nothing of the group is committed.
        for (const rest of [...done.map((d) => d.unit), ...group.slice(index)]) rest.reject(error);
        return;
      }
    }

    try {
      // A transaction SQLite ended by itself must not pass for committed.
      if (!db.inTransaction) throw new Error('the SQLite transaction was rolled back before COMMIT');
      db.exec('COMMIT');
    } catch (error) {
      try {
        if (db.inTransaction) db.exec('ROLLBACK');
      } catch {
        // The connection is unusable: the next group's BEGIN says so to its units.
      }
      for (const { unit } of done) unit.reject(error);
      return;
    }
    for (const { unit, value } of done) unit.resolve(value);
  }

  /** better-sqlite3 runs a transaction function called inside a transaction in a savepoint. */
  private inSavepoint(db: Database, work: Unit['work']): unknown {
    if (this.savepointOn !== db) {
      this.savepointOn = db;
      this.savepoint = db.transaction((fn: Unit['work'], on: Database) => fn(on));
    }
    return (this.savepoint as (fn: Unit['work'], on: Database) => unknown)(work, db);
  }
}
