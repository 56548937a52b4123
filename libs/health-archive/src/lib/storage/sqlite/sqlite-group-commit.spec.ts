import Database from 'better-sqlite3';
import { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../../../testing';
import { healthArchiveDataSourceOptions } from '../../database/data-source-options';
import { runPendingMigrations } from '../../database/migrate';
import { sqliteConnectionOf } from '../typeorm-internals';
import { SqliteGroupCommit } from './sqlite-group-commit';

describe('SqliteGroupCommit', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let writes: SqliteGroupCommit;

  beforeAll(async () => {
    database = await createTestDatabase({ name: 'sqlite' });
    dataSource = await new DataSource(healthArchiveDataSourceOptions(database.options)).initialize();
    await runPendingMigrations(dataSource);
    writes = new SqliteGroupCommit(() => sqliteConnectionOf(dataSource));
  });
  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });
  beforeEach(() => dataSource.query('DELETE FROM push_log'));

  const insert = (db: Database.Database, key: string) =>
    db
      .prepare(
        'INSERT INTO push_log (dedupe_key, data_tag, type, account_id, member_id, device_sn, phone_hash, source_created_at, source_updated_at, received_at, outcome, raw_message) ' +
          "VALUES (?, ?, 9, '', '', '', NULL, NULL, NULL, ?, 'ignored', '{}')",
      )
      .run(key, key, new Date().toISOString());
  const keys = async () => (await dataSource.query('SELECT dedupe_key FROM push_log ORDER BY dedupe_key')).map((r: { dedupe_key: string }) => r.dedupe_key);
  const file = () => database.options.url.slice('sqlite:'.length);
  /** Whether another connection sees the row: committed, on disk. */
  const committed = (key: string) => {
    const reader = new Database(file(), { readonly: true });
    try {
      return reader.prepare('SELECT 1 FROM push_log WHERE dedupe_key = ?').get(key) !== undefined;
    } finally {
      reader.close();
    }
  };
  const pad = (i: number) => String(i).padStart(2, '0');

  it('rolls back a failing unit alone, even among units committed with it', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        writes.run((db) => {
          insert(db, `k${pad(i)}`);
          insert(db, `k${pad(i)}-second`);
          if (i % 7 === 3) throw new Error(`unit ${i} fails after writing`);
          return i;
        }),
      ),
    );
    const failed = [3, 10, 17];
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : 'rejected'))).toEqual(Array.from({ length: 20 }, (_, i) => (failed.includes(i) ? 'rejected' : i)));
    const expected = Array.from({ length: 20 }, (_, i) => i)
      .filter((i) => !failed.includes(i))
      .flatMap((i) => [`k${pad(i)}`, `k${pad(i)}-second`]);
    expect(await keys()).toEqual(expected.sort());
  });

  it('keeps working after a unit failed', async () => {
    await expect(
      writes.run(() => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await expect(writes.run((db) => insert(db, 'after').changes)).resolves.toBe(1);
    expect(await keys()).toEqual(['after']);
  });

  it('commits the units of one turn together (one transaction), more than one group when they are many', async () => {
    const db = sqliteConnectionOf(dataSource);
    const seen: Array<{ i: number; inTransaction: boolean; changes: number }> = [];
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        writes.run((on) => {
          insert(on, `g${String(i).padStart(3, '0')}`);
          seen.push({ i, inTransaction: on.inTransaction, changes: on.prepare('SELECT count(*) AS n FROM push_log').pluck().get() as number });
        }),
      ),
    );
    expect(seen.every((s) => s.inTransaction)).toBe(true);
    // Groups of 64 at most: the first sees only its own rows, the 65th starts a new group with the first 64 committed.
    expect(seen[63].changes).toBe(64);
    expect(seen[64].changes).toBe(65);
    expect(await keys()).toHaveLength(100);
    expect(db.inTransaction).toBe(false);
  });

  it('fails the whole group when SQLite ends the transaction by itself, and goes on', async () => {
    const settled = await Promise.allSettled([
      writes.run((db) => insert(db, 'g-before')),
      writes.run((db) => {
        insert(db, 'g-lost');
        db.exec('ROLLBACK'); // as after SQLITE_FULL or an I/O error
        throw new Error('disk I/O error');
      }),
      writes.run((db) => insert(db, 'g-after-in-group')),
    ]);
    expect(settled.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    await writes.run((db) => insert(db, 'g-later'));
    expect(await keys()).toEqual(['g-later']);
    expect(committed('g-later')).toBe(true);
  });

  it('never answers as committed what SQLite rolled back, even when the unit itself returned', async () => {
    const outcomes: Array<[string, string, boolean]> = [];
    const step = async (key: string, work: (db: Database.Database) => unknown) => {
      const [result] = await Promise.allSettled([writes.run(work)]);
      outcomes.push([key, result.status, committed(key)]);
    };
    await step('before', (db) => insert(db, 'before'));
    await step('lost-silently', (db) => {
      insert(db, 'lost-silently');
      db.exec('ROLLBACK'); // the unit returns normally: only the COMMIT can tell
    });
    await step('failing', () => {
      throw new Error('an ordinary failure');
    });
    for (const key of ['after-1', 'after-2']) await step(key, (db) => insert(db, key));
    expect(outcomes).toEqual([
      ['before', 'fulfilled', true],
      ['lost-silently', 'rejected', false],
      ['failing', 'rejected', false],
      ['after-1', 'fulfilled', true],
      ['after-2', 'fulfilled', true],
    ]);
    expect(sqliteConnectionOf(dataSource).inTransaction).toBe(false);
  });

  it('settles each unit only once its changes are committed (seen from another connection)', async () => {
    const seenCommitted = await Promise.all(Array.from({ length: 30 }, (_, i) => writes.run((db) => insert(db, `c${i}`)).then(() => committed(`c${i}`))));
    expect(seenCommitted).toEqual(Array(30).fill(true));
  });

  it('rejects the group when the write lock cannot be had, and commits once it is free', async () => {
    const other = new Database(file(), { timeout: 0 });
    sqliteConnectionOf(dataSource).pragma('busy_timeout = 50');
    try {
      other.exec('BEGIN IMMEDIATE');
      const blocked = await Promise.allSettled([writes.run((db) => insert(db, 'blocked'))]);
      expect(blocked[0]).toMatchObject({ status: 'rejected', reason: { code: 'SQLITE_BUSY' } });
      other.exec('ROLLBACK');
      await writes.run((db) => insert(db, 'free'));
      expect(await keys()).toEqual(['free']);
    } finally {
      sqliteConnectionOf(dataSource).pragma('busy_timeout = 5000');
      other.close();
    }
  });
});
