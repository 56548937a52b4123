import { Injectable } from '@nestjs/common';
import type { Database } from 'better-sqlite3';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { Dialect, dialectOf, sqliteConnectionOf } from './dialect';

/** A unit of work: through TypeORM (`work`), or synchronous on SQLite's own connection (`sync`). */
type QueuedWork = { resolve: (value: unknown) => void; reject: (error: unknown) => void } & (
  | { work: (manager: EntityManager) => Promise<unknown>; sync?: undefined }
  | { sync: (db: Database) => unknown; work?: undefined }
);

/** How many queued units of work one SQLite commit may carry. */
const MAX_GROUP = 64;

/**
 * Runs work in a database transaction: the returned promise settles only once the work's
 * changes are committed (or rolled back).
 *
 * PostgreSQL: each unit of work is its own transaction on a pooled connection.
 *
 * SQLite (one connection, one writer): units of work are queued and run one after the other
 * on one long-lived query runner (its prepared statements are cached on it). Units that
 * queue up while a commit is under way are committed together — group commit: one
 * transaction, each unit inside its own savepoint, so a failing unit is rolled back alone
 * and rejected, and the others resolve after the single COMMIT (one disk sync for all).
 * `runSqlite` queues synchronous work on better-sqlite3's connection itself (prepared
 * statements, no ORM), for the hot path; it joins the same groups.
 */
@Injectable()
export class TransactionRunner {
  readonly dialect: Dialect;
  private readonly queue: QueuedWork[] = [];
  private draining = false;
  private sqliteRunner: QueryRunner | null = null;
  private savepointOn: Database | null = null;
  private savepoint: ((fn: (db: Database) => unknown) => unknown) | null = null;

  constructor(private readonly dataSource: DataSource) {
    this.dialect = dialectOf(dataSource);
  }

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.dialect !== 'sqlite') return this.dataSource.transaction(work);
    return this.enqueue({ work });
  }

  private enqueue<T>(unit: Pick<QueuedWork, 'work'> | Pick<QueuedWork, 'sync'>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ ...unit, resolve: resolve as (value: unknown) => void, reject } as QueuedWork);
      if (this.draining) return;
      this.draining = true;
      // Started on the next turn of the event loop, not now: the requests read in this turn
      // reach the queue first and share one commit. (Started now, the first unit would run
      // and commit through microtasks alone, before any other request is even parsed.)
      setImmediate(() => void this.drain());
    });
  }

  /**
   * SQLite only: `work` runs synchronously on better-sqlite3's connection, inside the next
   * group's transaction in its own savepoint; the promise settles after the COMMIT.
   */
  runSqlite<T>(work: (db: Database) => T): Promise<T> {
    if (this.dialect !== 'sqlite') return Promise.reject(new Error('runSqlite is for SQLite only'));
    return this.enqueue({ sync: work });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.commitGroup(this.queue.splice(0, MAX_GROUP));
    } finally {
      this.draining = false;
    }
  }

  private async commitGroup(group: QueuedWork[]): Promise<void> {
    // better-sqlite3 gives TypeORM one shared runner: it is reused, and kept honest below.
    const runner = this.sqliteRunner && !this.sqliteRunner.isReleased ? this.sqliteRunner : (this.sqliteRunner = this.dataSource.createQueryRunner());
    if (runner.isTransactionActive || this.sqlite().inTransaction) this.resetSqlite(runner);
    try {
      await runner.startTransaction();
    } catch (error) {
      this.resetSqlite(runner);
      for (const unit of group) unit.reject(error);
      return;
    }

    const done: Array<{ unit: QueuedWork; value: unknown }> = [];
    for (const [index, unit] of group.entries()) {
      const outcome = await this.runUnit(runner, unit);
      if ('value' in outcome) {
        done.push({ unit, value: outcome.value });
      } else if (!outcome.groupLost) {
        unit.reject(outcome.error); // its savepoint is rolled back: this unit only
      } else {
        // SQLite already rolled the whole transaction back (disk full, I/O error…), or the
        // savepoint is gone: nothing of the group is committed; every unit is told so.
        this.resetSqlite(runner);
        for (const rest of [...done.map((d) => d.unit), ...group.slice(index)]) rest.reject(outcome.error);
        return;
      }
    }

    try {
      // A transaction SQLite ended by itself must not pass for committed.
      if (!this.sqlite().inTransaction) throw new Error('the SQLite transaction was rolled back before COMMIT');
      await runner.commitTransaction();
    } catch (error) {
      this.resetSqlite(runner);
      for (const { unit } of done) unit.reject(error);
      return;
    }
    for (const { unit, value } of done) unit.resolve(value);
  }

  /** One unit in its own savepoint: its value, or its error and whether the whole transaction went with it. */
  private async runUnit(runner: QueryRunner, unit: QueuedWork): Promise<{ value: unknown } | { error: unknown; groupLost: boolean }> {
    if (unit.sync) {
      try {
        // better-sqlite3 runs a transaction function called inside a transaction in a savepoint.
        return { value: this.inSavepoint(unit.sync) };
      } catch (error) {
        return { error, groupLost: !this.sqlite().inTransaction };
      }
    }
    try {
      await runner.startTransaction(); // SAVEPOINT
      const value = await unit.work(runner.manager);
      await runner.commitTransaction(); // RELEASE SAVEPOINT
      return { value };
    } catch (error) {
      try {
        await runner.rollbackTransaction(); // ROLLBACK TO SAVEPOINT
        return { error, groupLost: false };
      } catch {
        return { error, groupLost: true };
      }
    }
  }

  private sqlite(): Database {
    return sqliteConnectionOf(this.dataSource);
  }

  /** Runs `work` in a savepoint of the open transaction (rolled back if it throws). */
  private inSavepoint(work: (db: Database) => unknown): unknown {
    const db = this.sqlite();
    if (this.savepointOn !== db) {
      this.savepointOn = db;
      this.savepoint = db.transaction((fn: (db: Database) => unknown) => fn(db));
    }
    return (this.savepoint as (fn: (db: Database) => unknown) => unknown)(work);
  }

  /**
   * Back to "no transaction open", whatever SQLite and TypeORM believe: SQLite may have rolled
   * back by itself, and TypeORM's runner keeps its own (then stale) transaction depth.
   */
  private resetSqlite(runner: QueryRunner): void {
    const db = this.sqlite();
    if (db.inTransaction) db.exec('ROLLBACK');
    Object.assign(runner, { isTransactionActive: false, transactionDepth: 0 });
  }
}
