import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource, Migration } from 'typeorm';
import { dialectOf } from './dialect';

/** Any constant: the key of the PostgreSQL advisory lock that serialises migration runs. */
const MIGRATION_LOCK_KEY = 727_401_913;
/** How often a replica waiting for another's migrations asks for the lock again. */
const LOCK_POLL_MS = 100;

/**
 * Runs pending migrations so that several replicas starting at once do not race: on
 * PostgreSQL a session advisory lock makes one replica migrate while the others wait, then
 * find nothing left to do. (TypeORM's own `migrationsRun` takes no such lock.) The others
 * wait by asking again (`pg_try_advisory_lock`), not in a blocked `pg_advisory_lock`: a
 * blocked statement holds a snapshot, and a `CREATE INDEX CONCURRENTLY` of the migrations
 * waits for every older snapshot to end, which would then never happen.
 */
export async function runPendingMigrations(dataSource: DataSource): Promise<Migration[]> {
  if (dialectOf(dataSource) !== 'postgres') return dataSource.runMigrations({ transaction: 'each' });
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    while (!(await runner.query('SELECT pg_try_advisory_lock($1) AS "locked"', [MIGRATION_LOCK_KEY]))[0].locked) await sleep(LOCK_POLL_MS);
    try {
      return await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}
