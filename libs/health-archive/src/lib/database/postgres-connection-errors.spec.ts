import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createTestDatabase, CuttableRelay, type TestDatabase } from '../../testing';
import { healthArchiveDataSourceOptions } from './data-source-options';

const postgresUrl = process.env.TEST_DATABASE_URL;

/**
 * A connection ended by the server (`pg_terminate_backend`, a restart, a fail-over) just as it
 * finished starting: node-postgres reads the end of its start-up and the server's goodbye in one
 * chunk, and emits the goodbye as an 'error' event while the pool is handing the new client to
 * whoever asked for it (the pool has stopped listening; the new holder has not started yet).
 * Unheard, that 'error' ends the process. Every client of the archive's pool is heard from its
 * first byte on; the query that meets the dead connection fails, and the next one works.
 */
(postgresUrl ? describe : describe.skip)('a PostgreSQL connection ended as it starts (PostgreSQL)', () => {
  const applicationName = `health-archive-connection-errors-${process.pid}`;
  const holdMs = 400;
  let database: TestDatabase;
  let relay: CuttableRelay;
  let admin: Client;
  let dataSource: DataSource | undefined;

  beforeAll(async () => {
    database = await createTestDatabase({ name: 'postgres', url: postgresUrl });
    // The end of each start-up and what the server sends next reach the client in one chunk.
    relay = new CuttableRelay(postgresUrl as string, { holdFirstBytesMs: holdMs });
    await relay.start();
    admin = new Client({ connectionString: postgresUrl });
    await admin.connect();
  });
  afterAll(async () => {
    await dataSource?.destroy().catch(() => undefined);
    await relay?.cut();
    await admin?.end();
    await database?.drop();
  });

  /** The newest backend of this test's pool, once there are `count` of them and it has finished starting. */
  const newestStartedBackend = async (count: number): Promise<number> => {
    const until = Date.now() + holdMs / 2;
    while (Date.now() < until) {
      const { rows } = await admin.query<{ pid: number; state: string | null }>(
        'SELECT pid, state FROM pg_stat_activity WHERE application_name = $1 ORDER BY backend_start DESC',
        [applicationName],
      );
      if (rows.length >= count && rows[0].state === 'idle') return rows[0].pid;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error(`no new idle backend within ${holdMs / 2} ms`);
  };

  it('fails the query that met the dead connection, keeps the process, and serves the next one', async () => {
    const options = healthArchiveDataSourceOptions({ ...database.options, url: relay.urlWith({ application_name: applicationName }) });
    dataSource = new DataSource(options);
    await dataSource.initialize();

    // The pool's one idle connection is taken, so that the next query needs a new one.
    const holder = dataSource.createQueryRunner();
    await holder.connect();
    const query = dataSource.query('SELECT 1 AS one');
    query.catch(() => undefined);
    const pid = await newestStartedBackend(2);
    const { rows } = await admin.query<{ ok: boolean }>('SELECT pg_terminate_backend($1) AS ok', [pid]);
    expect(rows[0].ok).toBe(true);

    await expect(query).rejects.toThrow(/terminat|connection/i);
    await holder.release();
    expect(await dataSource.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });
});
