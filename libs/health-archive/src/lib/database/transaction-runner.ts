import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Dialect, dialectOf } from './dialect';

/**
 * Runs work in one database transaction.
 *
 * better-sqlite3 has a single connection, and TypeORM would interleave two concurrent
 * transactions on it; so on SQLite transactions are queued one after the other in this
 * process. On PostgreSQL each transaction takes its own pooled connection.
 */
@Injectable()
export class TransactionRunner {
  readonly dialect: Dialect;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly dataSource: DataSource) {
    this.dialect = dialectOf(dataSource);
  }

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.dialect !== 'sqlite') return this.dataSource.transaction(work);
    const result = this.queue.then(() => this.dataSource.transaction(work));
    this.queue = result.catch(() => undefined);
    return result;
  }
}
