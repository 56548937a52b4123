import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { DataSourceOptions, LoggerOptions } from 'typeorm';
import { healthArchiveEntities } from '../entities/schemas';
import { healthArchiveMigrations } from '../migrations';
import { DataProtection, type DataProtectionKeys } from '../protection/data-protection';
import { registerDataProtection } from '../protection/registry';
import { pooledClientClass } from '../storage/postgres/pool';
import type { Dialect } from './dialect';

export interface HealthArchiveDatabaseOptions {
  /** `sqlite:<path>` (`sqlite::memory:` for a throw-away database) or `postgres://user@host:port/db`. */
  url: string;
  /** PostgreSQL schema to use (default: the server's search_path, normally `public`). */
  schema?: string;
  /** PostgreSQL connection pool size. Default 10. */
  poolSize?: number;
  /** Run pending migrations when the DataSource initialises. Default false. */
  migrationsRun?: boolean;
  /** SQLite: how long a writer waits for a lock, in ms. Default 5000. */
  busyTimeoutMs?: number;
  logging?: LoggerOptions;
  /**
   * The keys the personal data is sealed with (encryption at rest) and phones are hashed with. Needed
   * to read or write data, and by the migration that encrypts what was stored before it; without
   * them the DataSource can still migrate an empty database's schema, check it and show migrations.
   */
  dataProtection?: DataProtectionKeys | DataProtection;
}

export interface ParsedDatabaseUrl {
  dialect: Dialect;
  /** SQLite file path or ':memory:'; the PostgreSQL URL as given. */
  location: string;
}

/** Reads a DATABASE_URL; throws with a message that says what is accepted. */
export function parseDatabaseUrl(url: string): ParsedDatabaseUrl {
  const value = url.trim();
  if (value.startsWith('sqlite:')) {
    const location = value.slice('sqlite:'.length).replace(/^\/\//, '');
    if (!location) throw new Error('DATABASE_URL "sqlite:" needs a path, e.g. sqlite:./data/health-bridge.sqlite or sqlite::memory:');
    return { dialect: 'sqlite', location };
  }
  if (/^postgres(ql)?:\/\//.test(value)) {
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new Error('DATABASE_URL is not a valid postgres:// URL');
    }
    // node-postgres decodes the user, password and database name: a `%` that starts no escape
    // would stop the service with a bare "URI malformed" at the first connection.
    try {
      for (const part of [parsed.username, parsed.password, parsed.pathname]) decodeURIComponent(part);
    } catch {
      throw new Error('DATABASE_URL holds a "%" that is no percent-escape (in its user, password or database name): write a % as %25');
    }
    return { dialect: 'postgres', location: value };
  }
  throw new Error('DATABASE_URL must start with "sqlite:" or "postgres://"');
}

/**
 * The one TypeORM options source, shared by the app, the tests and the migration CLI.
 * `synchronize` is always off: the schema comes from the migrations.
 */
export function healthArchiveDataSourceOptions(options: HealthArchiveDatabaseOptions): DataSourceOptions {
  const { dialect, location } = parseDatabaseUrl(options.url);
  const protection = options.dataProtection === undefined ? null : options.dataProtection instanceof DataProtection ? options.dataProtection : new DataProtection(options.dataProtection);
  const built = buildOptions(options, dialect, location, protection);
  if (protection) registerDataProtection(built, protection);
  return built;
}

function buildOptions(options: HealthArchiveDatabaseOptions, dialect: Dialect, location: string, protection: DataProtection | null): DataSourceOptions {
  const common = {
    entities: healthArchiveEntities(dialect, protection),
    migrations: healthArchiveMigrations,
    migrationsRun: options.migrationsRun ?? false,
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    logging: options.logging ?? false,
  };
  if (dialect === 'sqlite') {
    if (location !== ':memory:') mkdirSync(dirname(resolve(location)), { recursive: true });
    const busyTimeout = options.busyTimeoutMs ?? 5000;
    return {
      ...common,
      type: 'better-sqlite3',
      database: location,
      // WAL lets readers run beside the writer; the busy timeout makes a writer wait instead of SQLITE_BUSY.
      enableWAL: location !== ':memory:',
      prepareDatabase: (db: { pragma(source: string): unknown }) => {
        db.pragma(`busy_timeout = ${busyTimeout}`);
        db.pragma('foreign_keys = ON');
        // What is deleted (a person's data on withdrawal, a row sealed again) is overwritten with zeros in the file, not left
        // readable in free pages.
        db.pragma('secure_delete = ON');
        // A commit is on disk before it is answered (better-sqlite3 builds WAL mode with NORMAL,
        // which a power loss may undo): the group commit shares one sync among many pushes.
        db.pragma('synchronous = FULL');
      },
    };
  }
  return {
    ...common,
    type: 'postgres',
    url: location,
    schema: options.schema,
    poolSize: options.poolSize ?? 10,
    extra: {
      // Fail a checkout quickly when the server is down, instead of queueing requests forever.
      connectionTimeoutMillis: 5000,
      // TCP keep-alive: a connection whose peer vanished (a half-open socket) is found out, not held forever.
      keepAlive: true,
      // A connection that dies as it is handed over cannot end the process (see pooledClientClass).
      Client: pooledClientClass(),
      // Plain SQL (the hot path's INSERT … ON CONFLICT) resolves tables in the same schema as TypeORM.
      ...(options.schema ? { options: `-c search_path=${quoteIdentifier(options.schema)}` } : {}),
    },
  };
}

function quoteIdentifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) throw new Error(`Invalid PostgreSQL schema name "${name}"`);
  return name;
}
