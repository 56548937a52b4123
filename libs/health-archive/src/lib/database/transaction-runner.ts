import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { Dialect, dialectOf } from './dialect';

/**
 * Runs work in one database transaction.
 *
 * better-sqlite3 has a single connection, and TypeORM would interleave two concurrent
 * transactions on it; so on SQLite transactions are queued one after the other in this
 * process, on one long-lived query runner (its prepared statements are cached on it: a runner
 * per transaction would prepare every statement again). On PostgreSQL each transaction takes
 * its own pooled connection.
 */
@Injectable()
export class TransactionRunner {
  readonly dialect: Dialect;
  private queue: Promise<unknown> = Promise.resolve();
  private sqliteRunner: QueryRunner | null = null;

  constructor(private readonly dataSource: DataSource) {
    this.dialect = dialectOf(dataSource);
  }

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.dialect !== 'sqlite') return this.dataSource.transaction(work);
    const result = this.queue.then(() => this.runOnSqlite(work));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async runOnSqlite<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.sqliteRunner || this.sqliteRunner.isReleased) this.sqliteRunner = this.dataSource.createQueryRunner();
    const runner = this.sqliteRunner;
    await runner.startTransaction();
    try {
      const result = await work(runner.manager);
      await runner.commitTransaction();
      return result;
    } catch (error) {
      try {
        await runner.rollbackTransaction();
      } catch {
        // A runner that cannot roll back is not reused.
        this.sqliteRunner = null;
        await runner.release().catch(() => undefined);
      }
      throw error;
    }
  }
}
