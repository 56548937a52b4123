import { testDatabaseTargets } from '../../../testing';
import { startArchive, type ArchiveHarness } from '../../../../test/archive-harness';
import { BEGIN_STEPS, LOCK_SQL, WRITE_SQL } from './authorization-batch';

const postgres = testDatabaseTargets(process.env.TEST_DATABASE_URL).filter((t) => t.name === 'postgres');

// PostgreSQL only (SQLite's adapter writes in SqliteGroupCommit); CI always sets TEST_DATABASE_URL.
// The batches' behaviour is the contract suite's (archive-store.contract.spec.ts); this is their plan.
(postgres.length > 0 ? describe : describe.skip)('PostgresPushWriter plans', () => {
  let archive: ArchiveHarness;
  beforeAll(async () => {
    archive = await startArchive(postgres[0]);
  });
  afterAll(() => archive?.close());

  /** The generic plan of `sql` (as a connection keeps it) made now, on the empty tables; in the batch's transaction unless `bare`. */
  const genericPlan = async (sql: string, types: string, args: string, bare = false): Promise<string> => {
    const runner = archive.dataSource.createQueryRunner();
    try {
      await runner.query('BEGIN');
      if (!bare) for (const step of BEGIN_STEPS.slice(1)) await runner.query(step.text);
      await runner.query('SET LOCAL plan_cache_mode = force_generic_plan');
      await runner.query(`PREPARE planned(${types}) AS ${sql}`);
      return (await runner.query(`EXPLAIN EXECUTE planned(${args})`)).map((row: Record<string, string>) => row['QUERY PLAN']).join('\n');
    } finally {
      await runner.query('ROLLBACK');
      await runner.query('DEALLOCATE ALL');
      await runner.release();
    }
  };

  it('locks the phones by the phone-hash index even in the plan a connection made on an empty table', async () => {
    const plan = await genericPlan(LOCK_SQL, 'varchar[]', `'{}'`);
    expect(plan).toMatch(/Index Scan (?:using|on) "UQ_user_authorization_phone_hash"/);
    expect(plan).not.toContain('Seq Scan on user_authorization');
    // Why the batch's transaction says so: left to itself, the planner reads the small table whole, and the plan is kept.
    expect(await genericPlan(LOCK_SQL, 'varchar[]', `'{}'`, true)).toContain('Seq Scan on user_authorization');
  });

  it('updates the changed rows by id, not by reading the table', async () => {
    const plan = await genericPlan(WRITE_SQL, 'jsonb, jsonb, jsonb', `'[]', '[]', '[]'`);
    expect(plan).toMatch(/Index Scan using "\w+" on user_authorization/);
    expect(plan).not.toContain('Seq Scan on user_authorization');
  });
});
