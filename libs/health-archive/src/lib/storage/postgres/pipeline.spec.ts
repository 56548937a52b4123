import { Client } from 'pg';
import { testDatabaseTargets } from '../../../testing';
import type { PgClient } from '../typeorm-internals';
import { pipeline } from './pipeline';

const postgres = testDatabaseTargets(process.env.TEST_DATABASE_URL).filter((t) => t.name === 'postgres');

// PostgreSQL only; CI always sets TEST_DATABASE_URL.
(postgres.length > 0 ? describe : describe.skip)('pipeline (several statements in one round trip)', () => {
  let client: Client;
  let roundTrips: number;
  const table = `pipeline_spec_${process.pid}`;

  beforeEach(async () => {
    client = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await client.connect();
    await client.query(`CREATE TEMP TABLE ${table} (id bigserial PRIMARY KEY, k varchar UNIQUE NOT NULL, at timestamptz, doc jsonb)`);
    roundTrips = 0;
    // One ReadyForQuery per Sync: what the server answers once per round trip.
    (client as unknown as { connection: NodeJS.EventEmitter }).connection.on('readyForQuery', () => roundTrips++);
  });
  afterEach(() => client.end());

  const run = (steps: Parameters<typeof pipeline>[1]) => pipeline(client as unknown as PgClient, steps);

  it("answers each statement's rows, parsed as node-postgres parses them, in one round trip", async () => {
    const at = new Date('2026-12-03T10:00:00.123Z');
    const answers = await run([
      { text: 'BEGIN' },
      { text: `INSERT INTO ${table} (k, at, doc) VALUES ($1, $2, $3::jsonb) RETURNING id, at, doc`, values: ['a', at, JSON.stringify({ x: [1] })] },
      { text: `INSERT INTO ${table} (k) VALUES ($1)`, values: ['b'] },
      { text: `SELECT k FROM ${table} ORDER BY k` },
      { text: 'COMMIT' },
    ]);
    expect(roundTrips).toBe(1);
    expect(answers).toHaveLength(5);
    expect(answers[0]).toEqual([]);
    expect(answers[1]).toEqual([{ id: '1', at, doc: { x: [1] } }]);
    expect(answers[2]).toEqual([]);
    expect(answers[3]).toEqual([{ k: 'a' }, { k: 'b' }]);
    expect((await client.query(`SELECT count(*)::int AS n FROM ${table}`)).rows).toEqual([{ n: 2 }]);
  });

  it('prepares a named statement once per connection, and node-postgres knows it is prepared', async () => {
    const step = (k: string) => ({ name: 'pipeline_spec_insert', text: `INSERT INTO ${table} (k) VALUES ($1) RETURNING k`, values: [k] });
    expect(await run([step('a'), step('b')])).toEqual([[{ k: 'a' }], [{ k: 'b' }]]);
    expect(await run([step('c')])).toEqual([[{ k: 'c' }]]);
    // A Parse of a name already prepared would fail with 42P05: neither the pipeline nor an ordinary query sends one again.
    expect((await client.query(step('d'))).rows).toEqual([{ k: 'd' }]);
    const prepared = await client.query(`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name = 'pipeline_spec_insert'`);
    expect(prepared.rows).toEqual([{ n: 1 }]);
  });

  it('stops at the first failing statement: the rest are skipped, the transaction is aborted, the error is the server’s', async () => {
    await client.query(`INSERT INTO ${table} (k) VALUES ('taken')`);
    const failure = run([
      { text: 'BEGIN' },
      { text: `INSERT INTO ${table} (k) VALUES ($1)`, values: ['first'] },
      { text: `INSERT INTO ${table} (k) VALUES ($1)`, values: ['taken'] },
      { text: `INSERT INTO ${table} (k) VALUES ($1)`, values: ['after'] },
      { text: 'COMMIT' },
    ]);
    await expect(failure).rejects.toMatchObject({ code: '23505' });
    // The COMMIT was skipped: the transaction is still open, and aborted.
    await expect(client.query('SELECT 1')).rejects.toMatchObject({ code: '25P02' });
    await client.query('ROLLBACK');
    expect((await client.query(`SELECT k FROM ${table} ORDER BY k`)).rows).toEqual([{ k: 'taken' }]);
  });

  it('fails alone a named statement whose text does not parse, and the connection goes on', async () => {
    await expect(run([{ name: 'pipeline_spec_bad', text: 'SELEC 1' }])).rejects.toMatchObject({ code: '42601' });
    // Not recorded as prepared: a corrected text under a new name, and ordinary queries, work.
    expect(await run([{ name: 'pipeline_spec_good', text: 'SELECT 1 AS one' }])).toEqual([[{ one: 1 }]]);
    expect((await client.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
  });

  it('refuses a value it cannot send before writing anything, and the connection goes on', async () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expect(run([{ text: 'BEGIN' }, { text: 'SELECT $1::jsonb AS doc', values: [circular] }])).rejects.toThrow();
    expect(roundTrips).toBe(0);
    // Nothing was sent: no transaction was begun (outside one, each statement's transaction starts with it).
    expect((await client.query('SELECT now() = statement_timestamp() AS outside')).rows).toEqual([{ outside: true }]);
  });
});
