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
import type { DataProtectionKeys } from './lib/protection/data-protection';

export { CuttableRelay } from './tcp-relay';

/** Throw-away data-protection keys, new for each test database: what the archive seals with in tests. */
export function testDataProtectionKeys(): DataProtectionKeys {
  return { encryptionKeys: [{ id: 'test', key: randomBytes(32) }], hashKey: randomBytes(32) };
}

export interface TestDatabaseTarget {
  name: 'sqlite' | 'postgres';
  /** For postgres: the server's URL; for sqlite: unused. */
  url?: string;
}

export interface TestDatabase {
  name: TestDatabaseTarget['name'];
  /** With `dataProtection`: the database's own keys. */
  options: HealthArchiveDatabaseOptions & { dataProtection: DataProtectionKeys };
  /** The same keys. */
  keys: DataProtectionKeys;
  drop(): Promise<void>;
}

/** SQLite always; PostgreSQL too when a URL is given (CI sets TEST_DATABASE_URL). */
export function testDatabaseTargets(postgresUrl: string | undefined): TestDatabaseTarget[] {
  return postgresUrl ? [{ name: 'sqlite' }, { name: 'postgres', url: postgresUrl }] : [{ name: 'sqlite' }];
}

export async function createTestDatabase(target: TestDatabaseTarget): Promise<TestDatabase> {
  if (target.name === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'health-archive-test-'));
    const keys = testDataProtectionKeys();
    return {
      name: 'sqlite',
      options: { url: `sqlite:${join(dir, 'test.sqlite')}`, dataProtection: keys },
      keys,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const url = target.url as string;
  const schema = `test_${process.pid}_${randomBytes(4).toString('hex')}`;
  try {
    await withClient(url, (client) => client.query(`CREATE SCHEMA "${schema}"`));
  } catch (error) {
    throw new Error(`cannot create a test schema on ${withoutPassword(url)} (TEST_DATABASE_URL): ${describeError(error)}`, { cause: error });
  }
  const keys = testDataProtectionKeys();
  return {
    name: 'postgres',
    options: { url, schema, poolSize: 5, dataProtection: keys },
    keys,
    drop: () => withClient(url, (client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)).then(() => undefined),
  };
}

/**
 * What a test harness has opened so far. When a later step of the harness throws, what the
 * earlier steps opened is closed before the error goes on: one server left listening keeps Jest
 * from ever exiting, and a run that hangs says nothing.
 */
export class OpenedResources {
  private readonly closers: Array<() => unknown> = [];

  /** @param harness names the harness in errors, e.g. `startApi on postgres` */
  constructor(private readonly harness: string) {}

  /** Registers how to close what was just opened. */
  add(close: () => unknown): void {
    this.closers.push(close);
  }

  /** Runs one step; when it throws, closes everything opened so far and throws an error naming the step. */
  async step<T>(what: string, run: () => T | Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      // The step's error is the one worth reading; a failure to close on top of it is not.
      await this.close().catch(() => undefined);
      throw new Error(`${this.harness}: ${what} failed: ${describeError(error)}`, { cause: error });
    }
  }

  /** Closes the last opened first; every closer runs even when one throws (the first error is rethrown). A second call does nothing. */
  async close(): Promise<void> {
    const errors: unknown[] = [];
    for (const close of this.closers.splice(0).reverse()) {
      try {
        await close();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw errors[0];
  }
}

function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unreadable URL)';
  }
}

/** A connection refused on every address of a host is an AggregateError with an empty message. */
function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.map(describeError).join('; ');
  return error instanceof Error ? error.message || error.name : String(error);
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

/** The archive's DataSource in a test's module (`module.get(HEALTH_ARCHIVE_DATA_SOURCE)`), to look at the tables directly. */
export { HEALTH_ARCHIVE_DATA_SOURCE } from './lib/health-archive.module';
