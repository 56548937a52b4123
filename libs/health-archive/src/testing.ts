/**
 * Test support: a real, throw-away database on each engine. Not part of the runtime API.
 * SQLite is a temporary file (so WAL and locking are real); PostgreSQL is a fresh schema
 * in the given database, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { HealthArchiveDatabaseOptions } from './lib/database/data-source-options';

export interface TestDatabaseTarget {
  name: 'sqlite' | 'postgres';
  /** For postgres: the server's URL; for sqlite: unused. */
  url?: string;
}

export interface TestDatabase {
  name: TestDatabaseTarget['name'];
  options: HealthArchiveDatabaseOptions;
  drop(): Promise<void>;
}

/** SQLite always; PostgreSQL too when a URL is given (CI sets TEST_DATABASE_URL). */
export function testDatabaseTargets(postgresUrl: string | undefined): TestDatabaseTarget[] {
  return postgresUrl ? [{ name: 'sqlite' }, { name: 'postgres', url: postgresUrl }] : [{ name: 'sqlite' }];
}

export async function createTestDatabase(target: TestDatabaseTarget): Promise<TestDatabase> {
  if (target.name === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'health-archive-test-'));
    return {
      name: 'sqlite',
      options: { url: `sqlite:${join(dir, 'test.sqlite')}` },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const url = target.url as string;
  const schema = `test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withClient(url, (client) => client.query(`CREATE SCHEMA "${schema}"`));
  return {
    name: 'postgres',
    options: { url, schema, poolSize: 5 },
    drop: () => withClient(url, (client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)).then(() => undefined),
  };
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
