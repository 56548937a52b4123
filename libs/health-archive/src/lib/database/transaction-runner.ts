import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { Dialect, dialectOf } from './dialect';

interface QueuedWork {
  work: (manager: EntityManager) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

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
 */
@Injectable()
export class TransactionRunner {
  readonly dialect: Dialect;
  private readonly queue: QueuedWork[] = [];
  private draining = false;
  private sqliteRunner: QueryRunner | null = null;

  constructor(private readonly dataSource: DataSource) {
    this.dialect = dialectOf(dataSource);
  }

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.dialect !== 'sqlite') return this.dataSource.transaction(work);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) await this.commitGroup(this.queue.splice(0, MAX_GROUP));
    } finally {
      this.draining = false;
    }
  }

  private async commitGroup(group: QueuedWork[]): Promise<void> {
    if (!this.sqliteRunner || this.sqliteRunner.isReleased) this.sqliteRunner = this.dataSource.createQueryRunner();
    const runner = this.sqliteRunner;
    try {
      await runner.startTransaction();
    } catch (error) {
      for (const unit of group) unit.reject(error);
      return this.discardRunner(runner);
    }

    const done: Array<{ unit: QueuedWork; value: unknown }> = [];
    for (const unit of group) {
      try {
        await runner.startTransaction(); // SAVEPOINT
        const value = await unit.work(runner.manager);
        await runner.commitTransaction(); // RELEASE SAVEPOINT
        done.push({ unit, value });
      } catch (error) {
        try {
          await runner.rollbackTransaction(); // ROLLBACK TO SAVEPOINT: this unit only
        } catch {
          // The savepoint cannot be rolled back: give up the whole group, nothing is committed.
          await runner.rollbackTransaction().catch(() => undefined);
          for (const rest of [...done.map((d) => d.unit), ...group.slice(group.indexOf(unit))]) rest.reject(error);
          return this.discardRunner(runner);
        }
        unit.reject(error);
      }
    }

    try {
      await runner.commitTransaction();
    } catch (error) {
      await runner.rollbackTransaction().catch(() => undefined);
      for (const { unit } of done) unit.reject(error);
      return this.discardRunner(runner);
    }
    for (const { unit, value } of done) unit.resolve(value);
  }

  /** A runner whose transaction state is uncertain is not reused. */
  private async discardRunner(runner: QueryRunner): Promise<void> {
    if (this.sqliteRunner === runner) this.sqliteRunner = null;
    await runner.release().catch(() => undefined);
  }
}
