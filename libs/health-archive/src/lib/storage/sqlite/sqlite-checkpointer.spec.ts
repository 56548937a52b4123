import { statSync } from 'node:fs';
import { startArchive, type ArchiveHarness } from '../../../../test/archive-harness';
import { testDatabaseTargets } from '../../../testing';
import { sqliteConnectionOf } from '../typeorm-internals';
import { SqliteCheckpointer } from './sqlite-checkpointer';

describe('SqliteCheckpointer', () => {
  let archive: ArchiveHarness | undefined;
  afterEach(async () => {
    await archive?.close();
    archive = undefined;
  });

  const file = () => archive?.dataSource.options.database as string;
  const pragma = (sql: string) =>
    sqliteConnectionOf((archive as ArchiveHarness).dataSource).pragma(sql, { simple: true });

  const withWorker = { sqliteCheckpointWorker: true } as const;

  it('copies the WAL back into the database file from a worker, while the main connection only keeps a high safety mark', async () => {
    const started = (archive = await startArchive({ name: 'sqlite' }, undefined, withWorker));
    const checkpointer = started.module.get(SqliteCheckpointer);
    expect(checkpointer.running).toBe(true);
    expect(pragma('wal_autocheckpoint')).toBe(4000);

    const before = statSync(file()).size;
    const rows = Array.from({ length: 3000 }, (_, i) => `('k${i}', 't', 9, '', '', '', '2026-01-01 00:00:00.000', 'ignored', '${'x'.repeat(200)}')`);
    await started.dataSource.query(
      `INSERT INTO push_log (dedupe_key, data_tag, type, account_id, member_id, device_sn, received_at, outcome, raw_message) VALUES ${rows.join(', ')}`,
    );
    // Fewer pages than the safety mark: only the worker can have put them in the file.
    const deadline = Date.now() + 5000;
    while (checkpointer.pagesCheckpointed === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(checkpointer.pagesCheckpointed).toBeGreaterThan(0);
    expect(statSync(file()).size).toBeGreaterThan(before + 3000 * 200);
  });

  it('is not started unless the options ask', async () => {
    const started = (archive = await startArchive({ name: 'sqlite' }));
    expect(started.module.get(SqliteCheckpointer).running).toBe(false);
    expect(pragma('wal_autocheckpoint')).toBe(1000);
  });

  it('finds better-sqlite3 where the options say', async () => {
    const started = (archive = await startArchive({ name: 'sqlite' }, undefined, { sqliteCheckpointWorker: { driverPath: require.resolve('better-sqlite3') } }));
    expect(started.module.get(SqliteCheckpointer).running).toBe(true);
  });

  it('stops its worker with the module', async () => {
    const started = await startArchive({ name: 'sqlite' }, undefined, withWorker);
    const checkpointer = started.module.get(SqliteCheckpointer);
    expect(checkpointer.running).toBe(true);
    await started.close();
    expect(checkpointer.running).toBe(false);
  });

  const postgres = testDatabaseTargets(process.env.TEST_DATABASE_URL).find((t) => t.name === 'postgres');
  (postgres ? it : it.skip)('does nothing on PostgreSQL', async () => {
    const started = (archive = await startArchive(postgres as NonNullable<typeof postgres>, undefined, withWorker));
    expect(started.module.get(SqliteCheckpointer).running).toBe(false);
  });
});
