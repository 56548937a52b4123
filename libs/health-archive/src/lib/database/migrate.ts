import type { DataSource, Migration } from 'typeorm';
import { dialectOf } from './dialect';

/** Any constant: the key of the PostgreSQL advisory lock that serialises migration runs. */
const MIGRATION_LOCK_KEY = 727_401_913;

/**
 * Runs pending migrations so that several replicas starting at once do not race: on
 * PostgreSQL a session advisory lock makes one replica migrate while the others wait, then
 * find nothing left to do. (TypeORM's own `migrationsRun` takes no such lock.)
 */
export async function runPendingMigrations(dataSource: DataSource): Promise<Migration[]> {
  if (dialectOf(dataSource) !== 'postgres') return dataSource.runMigrations({ transaction: 'each' });
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      return await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}
