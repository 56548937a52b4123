import { DataSource } from 'typeorm';
import { healthArchiveDataSourceOptions } from '../database/data-source-options';
import { runPendingMigrations } from '../database/migrate';
import { healthArchiveMigrations } from './index';
import { createTestDatabase, type TestDatabase } from '../../testing';

const postgresUrl = process.env.TEST_DATABASE_URL;

/** Several replicas starting at once on one PostgreSQL database: one migrates, the others wait. */
(postgresUrl ? describe : describe.skip)('runPendingMigrations with several replicas on PostgreSQL', () => {
  let database: TestDatabase;
  const sources: DataSource[] = [];

  beforeAll(async () => {
    database = await createTestDatabase({ name: 'postgres', url: postgresUrl });
  });
  afterAll(async () => {
    await Promise.all(sources.filter((s) => s.isInitialized).map((s) => s.destroy()));
    await database.drop();
  });

  it('runs each migration once when four processes start together', async () => {
    for (let i = 0; i < 4; i++) sources.push(new DataSource(healthArchiveDataSourceOptions({ ...database.options, poolSize: 2 })));
    await Promise.all(sources.map((s) => s.initialize()));
    const ran = await Promise.all(sources.map((s) => runPendingMigrations(s)));

    expect(ran.map((r) => r.length).sort()).toEqual([0, 0, 0, healthArchiveMigrations.length]);
    const rows = await sources[0].query('SELECT name FROM migrations');
    expect(rows).toHaveLength(healthArchiveMigrations.length);
    await expect(sources[1].query('SELECT COUNT(*) FROM push_log')).resolves.toBeDefined();
  });
});
