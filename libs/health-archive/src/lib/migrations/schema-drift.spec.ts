import { DataSource } from 'typeorm';
import { healthArchiveDataSourceOptions } from '../database/data-source-options';
import { createTestDatabase, testDatabaseTargets, type TestDatabase } from '../../testing';

/**
 * The entities' mapping and the migrations describe the same schema: after every migration
 * has run, TypeORM finds nothing to change (what `npm run migration:check` asks it too).
 */
describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('schema drift on $name', (target) => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase(target);
    dataSource = await new DataSource(healthArchiveDataSourceOptions({ ...database.options, migrationsRun: true })).initialize();
  });
  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  it('has no difference between the entities and the migrated database', async () => {
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });
});
