import { Logger } from '@nestjs/common';
import type { Database } from 'better-sqlite3';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DataSource } from 'typeorm';
import { dialectOf } from '../../database/dialect';
import { sqliteConnectionOf } from '../typeorm-internals';

/** How often the worker checkpoints the WAL. */
const CHECKPOINT_INTERVAL_MS = 100;
/**
 * The main connection's own automatic checkpoint, kept as a safety net (4,000 pages, ~16 MB of
 * WAL): it only runs if the worker falls that far behind, or is gone.
 */
const FALLBACK_AUTOCHECKPOINT_PAGES = 4000;
/** SQLite's default, restored when the worker cannot run. */
const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;

// The worker: its own connection to the same file, a PASSIVE checkpoint (never blocks the
// writer or the readers) every interval; stops on any message.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true, timeout: 5000 });
let timer;
const tick = () => {
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)');
    if (row && row.checkpointed > 0) parentPort.postMessage({ checkpointed: row.checkpointed });
  } catch (error) {
    parentPort.postMessage({ error: String((error && error.message) || error) });
  }
  timer = setTimeout(tick, workerData.intervalMs);
};
timer = setTimeout(tick, workerData.intervalMs);
parentPort.once('message', () => {
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * SQLite in WAL mode copies the log back into the database file (a checkpoint) every 1,000
 * pages, synchronously, inside whichever commit crosses the mark: on the API's one thread that
 * stalls every request for the time of the copy (about a third of a push's cost under load).
 * This moves the checkpoints to a worker thread with its own connection; the main connection's
 * automatic checkpoint stays on, at a higher mark, as a safety net. Started by the module when
 * its options ask (`sqliteCheckpointWorker`) on a SQLite file, stopped (and its connection
 * closed) before the DataSource is.
 */
export class SqliteCheckpointer {
  private readonly logger = new Logger(SqliteCheckpointer.name);
  private worker: Worker | null = null;
  /** Pages the worker has copied back so far (for health and tests). */
  pagesCheckpointed = 0;

  constructor(private readonly dataSource: DataSource) {}

  get running(): boolean {
    return this.worker !== null;
  }

  /**
   * Starts the worker on a SQLite file (on PostgreSQL or an in-memory database: nothing to do).
   * `driverPath`: where better-sqlite3 is; by default, resolved from the program's own location
   * (`process.argv[1]`), as node would for the program itself (a bundled app has no other).
   */
  start(driverPath?: string): void {
    const file = this.dataSource.options.database;
    if (this.worker || dialectOf(this.dataSource) !== 'sqlite' || typeof file !== 'string' || file === ':memory:' || file === '') return;
    let driver: string;
    try {
      driver = driverPath ?? createRequire(resolve(process.argv[1] ?? `${process.cwd()}/`)).resolve('better-sqlite3');
    } catch {
      this.logger.warn('better-sqlite3 could not be located for the checkpoint worker: SQLite checkpoints stay on the main thread');
      return;
    }
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file: resolve(file), intervalMs: CHECKPOINT_INTERVAL_MS } });
    worker.unref(); // never what keeps the process alive
    worker.on('message', (message: { checkpointed?: number; error?: string }) => {
      if (message.checkpointed) this.pagesCheckpointed += message.checkpointed;
      if (message.error) this.logger.warn(`SQLite checkpoint failed: ${message.error}`);
    });
    worker.on('error', (error) => this.fallBack(`the checkpoint worker failed (${error.message})`));
    worker.on('exit', () => {
      if (this.worker === worker) this.fallBack('the checkpoint worker stopped');
    });
    this.worker = worker;
    this.mainConnection().pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = null;
    const exited = new Promise<void>((done) => worker.once('exit', () => done()));
    worker.postMessage('stop');
    const timer = setTimeout(() => void worker.terminate(), 2000);
    await exited;
    clearTimeout(timer);
  }

  private fallBack(reason: string): void {
    this.worker = null;
    this.logger.warn(`${reason}: SQLite checkpoints are back on the main thread`);
    if (this.dataSource.isInitialized) this.mainConnection().pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
  }

  private mainConnection(): Database {
    return sqliteConnectionOf(this.dataSource);
  }
}
