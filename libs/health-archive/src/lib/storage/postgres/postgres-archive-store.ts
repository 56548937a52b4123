import type { DataSource } from 'typeorm';
import type { AuthorizationChange } from '../../authorization-rules';
import type { AuthorizationChangeWritten, ChangeOutcome, MeasurementPushRecord, MeasurementWritten, PoolState, PushRecord, StoredPush } from '../archive-store';
import { TypeOrmArchiveStore } from '../typeorm-archive-store';
import { postgresPoolOf, type PgPool } from '../typeorm-internals';
import { PostgresPushWriter, type PushWritten } from './authorization-batch';
import { PostgresMeasurementBatcher } from './measurement-batch';
import { firstAnswers, whileHeld } from './pool';

/**
 * PostgreSQL's adapter. Writes go to node-postgres' pool in batches: the measurements of one
 * turn of the event loop in one statement (`PostgresMeasurementBatcher`), the other pushes and
 * the cancels in one short transaction (`PostgresPushWriter`). Reads go through TypeORM.
 */
export class PostgresArchiveStore extends TypeOrmArchiveStore {
  private readonly measurements: PostgresMeasurementBatcher;
  private readonly pushes: PostgresPushWriter;

  constructor(dataSource: DataSource) {
    super(dataSource);
    this.measurements = new PostgresMeasurementBatcher(() => this.pool());
    this.pushes = new PostgresPushWriter(() => this.pool());
  }

  async recordAuthorizationChange(push: PushRecord, change: AuthorizationChange): Promise<AuthorizationChangeWritten> {
    const written = await this.pushes.write({ push, change });
    return { ...storedOf(written), change: written.change };
  }

  async applyAuthorizationChange(change: AuthorizationChange): Promise<ChangeOutcome> {
    return (await this.pushes.write({ push: null, change })).change as ChangeOutcome;
  }

  async recordIgnoredPush(push: PushRecord): Promise<StoredPush> {
    return storedOf(await this.pushes.write({ push, change: null }));
  }

  async recordMeasurement(push: MeasurementPushRecord): Promise<MeasurementWritten> {
    const written = await this.measurements.write(push);
    if (written) return written;
    // A repeat whose first delivery committed while the statement ran: its answer is read now.
    const first = (await whileHeld(this.pool(), (client) => firstAnswers(client, [push.dedupeKey]))).get(push.dedupeKey);
    if (!first) throw new Error('the push log lost the row of a push being written');
    return { ...first, measurementId: null };
  }

  poolState(): PoolState | null {
    const pool = postgresPoolOf(this.dataSource);
    return pool ? { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } : null;
  }

  private pool(): PgPool {
    const pool = postgresPoolOf(this.dataSource);
    if (!pool) throw new Error('the PostgreSQL DataSource is not connected');
    return pool;
  }
}

function storedOf(written: PushWritten): StoredPush {
  if (!written.stored) throw new Error('the push log lost the row of a push being written');
  return written.stored;
}
