import Database from 'better-sqlite3';
import { DataSource } from 'typeorm';
import { createTestDatabase, testDatabaseTargets, type TestDatabase } from '../../testing';
import { healthArchiveDataSourceOptions } from './data-source-options';
import { sqliteConnectionOf } from './dialect';
import { insertOrIgnore } from './insert-or-ignore';
import { TransactionRunner } from './transaction-runner';

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('TransactionRunner on $name', (target) => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let runner: TransactionRunner;

  beforeAll(async () => {
    database = await createTestDatabase(target);
    dataSource = await new DataSource(healthArchiveDataSourceOptions({ ...database.options, migrationsRun: true })).initialize();
    runner = new TransactionRunner(dataSource);
  });
  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });
  beforeEach(() => dataSource.query('DELETE FROM push_log'));

  const logRow = (key: string) => ({
    dedupe_key: key,
    data_tag: key,
    type: 9,
    account_id: '',
    member_id: '',
    device_sn: '',
    phone: null,
    source_created_at: null,
    source_updated_at: null,
    received_at: new Date(),
    outcome: 'ignored',
    raw_message: '{}',
  });
  const keys = async () => (await dataSource.query('SELECT dedupe_key FROM push_log ORDER BY dedupe_key')).map((r: { dedupe_key: string }) => r.dedupe_key);

  it('rolls back a failing unit alone, even among units committed with it', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        runner.run(async (manager) => {
          await insertOrIgnore(manager, 'push_log', logRow(`k${String(i).padStart(2, '0')}`));
          await insertOrIgnore(manager, 'push_log', logRow(`k${String(i).padStart(2, '0')}-second`));
          if (i % 7 === 3) throw new Error(`unit ${i} fails after writing`);
          return i;
        }),
      ),
    );
    const failed = [3, 10, 17];
    expect(results.map((r) => r.status)).toEqual(Array.from({ length: 20 }, (_, i) => (failed.includes(i) ? 'rejected' : 'fulfilled')));
    const expected = Array.from({ length: 20 }, (_, i) => i)
      .filter((i) => !failed.includes(i))
      .flatMap((i) => [`k${String(i).padStart(2, '0')}`, `k${String(i).padStart(2, '0')}-second`]);
    expect(await keys()).toEqual(expected.sort());
  });

  it('keeps working after a unit failed', async () => {
    await expect(runner.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(runner.run(async (manager) => insertOrIgnore(manager, 'push_log', logRow('after')))).resolves.toEqual(expect.any(Number));
    expect(await keys()).toEqual(['after']);
  });

  if (target.name === 'postgres') {
    it('refuses synchronous SQLite work', async () => {
      await expect(runner.runSqlite(() => 1)).rejects.toThrow('runSqlite is for SQLite only');
    });
  }

  if (target.name === 'sqlite') {
    const insertRaw = (db: Database.Database, key: string) => {
      const row = logRow(key);
      db.prepare(
        'INSERT INTO push_log (dedupe_key, data_tag, type, account_id, member_id, device_sn, phone, source_created_at, source_updated_at, received_at, outcome, raw_message) ' +
          "VALUES (?, ?, ?, '', '', '', NULL, NULL, NULL, ?, ?, ?)",
      ).run(row.dedupe_key, row.data_tag, row.type, row.received_at.toISOString(), row.outcome, row.raw_message);
    };

    it('commits synchronous units in the same groups as the others, and rolls back a failing one alone', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 12 }, (_, i) =>
          i % 2 === 0
            ? runner.runSqlite((db) => {
                insertRaw(db, `s${String(i).padStart(2, '0')}`);
                insertRaw(db, `s${String(i).padStart(2, '0')}-second`);
                if (i % 4 === 2) throw new Error(`sync unit ${i} fails after writing`);
                return i;
              })
            : runner.run(async (manager) => {
                await insertOrIgnore(manager, 'push_log', logRow(`s${String(i).padStart(2, '0')}`));
                return i;
              }),
        ),
      );
      const failed = [2, 6, 10];
      expect(results.map((r) => (r.status === 'fulfilled' ? r.value : 'rejected'))).toEqual(
        Array.from({ length: 12 }, (_, i) => (failed.includes(i) ? 'rejected' : i)),
      );
      const expected = Array.from({ length: 12 }, (_, i) => i)
        .filter((i) => !failed.includes(i))
        .flatMap((i) => (i % 2 === 0 ? [`s${String(i).padStart(2, '0')}`, `s${String(i).padStart(2, '0')}-second`] : [`s${String(i).padStart(2, '0')}`]));
      expect(await keys()).toEqual(expected.sort());
    });

    it('fails the whole group when a synchronous unit leaves SQLite without its transaction, and goes on', async () => {
      const settled = await Promise.allSettled([
        runner.run((manager) => insertOrIgnore(manager, 'push_log', logRow('g-before'))),
        runner.runSqlite((db) => {
          insertRaw(db, 'g-lost');
          db.exec('ROLLBACK'); // as after SQLITE_FULL or an I/O error
          throw new Error('disk I/O error');
        }),
        runner.runSqlite((db) => insertRaw(db, 'g-after-in-group')),
      ]);
      expect(settled.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
      await runner.runSqlite((db) => insertRaw(db, 'g-later'));
      expect(await keys()).toEqual(['g-later']);
    });
    it('recovers when SQLite rolled the transaction back by itself: nothing passes for committed that is not', async () => {
      const file = database.options.url.slice('sqlite:'.length);
      const committed = (key: string) => {
        const reader = new Database(file, { readonly: true });
        try {
          return reader.prepare('SELECT 1 FROM push_log WHERE dedupe_key = ?').get(key) !== undefined;
        } finally {
          reader.close();
        }
      };
      // One unit at a time, so that each is a group of its own.
      const outcomes: Array<[string, PromiseSettledResult<unknown>]> = [];
      const step = async (key: string, work: Parameters<TransactionRunner['run']>[0]) => {
        outcomes.push([key, (await Promise.allSettled([runner.run(work)]))[0]]);
      };
      await step('before', (manager) => insertOrIgnore(manager, 'push_log', logRow('before')));
      // As after SQLITE_FULL or an I/O error: the whole transaction is gone, then the unit fails.
      await step('lost', async (manager) => {
        await insertOrIgnore(manager, 'push_log', logRow('lost'));
        await manager.query('ROLLBACK');
        throw new Error('disk I/O error');
      });
      await step('failing', async () => Promise.reject(new Error('an ordinary failure')));
      for (const key of ['after-1', 'after-2', 'after-3']) await step(key, (manager) => insertOrIgnore(manager, 'push_log', logRow(key)));

      // Whatever was answered as committed is on disk, and the service still commits afterwards.
      expect(outcomes.map(([key, r]) => [key, r.status, committed(key)])).toEqual([
        ['before', 'fulfilled', true],
        ['lost', 'rejected', false],
        ['failing', 'rejected', false],
        ['after-1', 'fulfilled', true],
        ['after-2', 'fulfilled', true],
        ['after-3', 'fulfilled', true],
      ]);
      // And between groups nothing is left open, neither in SQLite nor in TypeORM's shared runner.
      const connection = sqliteConnectionOf(dataSource);
      expect(connection.inTransaction).toBe(false);
      expect(dataSource.createQueryRunner().isTransactionActive).toBe(false);
    });

    it('settles each unit only once its changes are committed (seen from another connection)', async () => {
      const file = database.options.url.slice('sqlite:'.length);
      const seenCommitted: boolean[] = [];
      await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          runner
            .run((manager) => insertOrIgnore(manager, 'push_log', logRow(`c${i}`)))
            .then(() => {
              const reader = new Database(file, { readonly: true });
              try {
                seenCommitted.push(reader.prepare('SELECT 1 FROM push_log WHERE dedupe_key = ?').get(`c${i}`) !== undefined);
              } finally {
                reader.close();
              }
            }),
        ),
      );
      expect(seenCommitted).toEqual(Array(30).fill(true));
    });
  }
});
