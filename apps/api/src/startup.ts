import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger as PinoLogger } from 'pino';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { healthArchiveDataSourceOptions, HealthArchiveMigrationError, type HealthArchiveDatabaseOptions, parseDatabaseUrl } from '@health-bridge/health-archive';
import type { AppConfig } from './config/app-config';

/**
 * A start-up failure an operator can act on: the message says what is wrong and names the
 * variable to change. main.ts prints it alone, without a stack.
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/** Query parameters of a PostgreSQL URL that are shown as they are (any other may carry a secret). */
const PLAIN_QUERY = new Set(['sslmode', 'application_name', 'connect_timeout']);

/**
 * DATABASE_URL as it may be printed: a PostgreSQL password masked (and query values but a few
 * harmless ones), a SQLite path made absolute, so that "which file?" has one answer.
 */
export function maskDatabaseUrl(url: string): string {
  const { dialect, location } = parseDatabaseUrl(url);
  if (dialect === 'sqlite') return location === ':memory:' ? 'sqlite::memory:' : `sqlite:${resolve(location)}`;
  const parsed = new URL(location);
  if (parsed.password) parsed.password = '***';
  for (const key of [...parsed.searchParams.keys()]) if (!PLAIN_QUERY.has(key)) parsed.searchParams.set(key, '***');
  return parsed.toString();
}

/**
 * The archive's database options from DATABASE_*; checked here (a SQLite directory that cannot
 * be created is named), before the archive opens it.
 */
export function archiveDatabaseOptions(config: AppConfig): HealthArchiveDatabaseOptions {
  const { url, schema, poolSize } = config.database;
  try {
    healthArchiveDataSourceOptions({ url, schema, poolSize });
  } catch (error) {
    throw sqliteFailure(config, error);
  }
  return { url, schema, poolSize };
}

/** The TypeORM options for DATABASE_URL, as the archive builds them. */
export function databaseOptions(config: AppConfig): DataSourceOptions {
  return healthArchiveDataSourceOptions(archiveDatabaseOptions(config));
}

const FIRST_RETRY_DELAY_MS = 250;
const MAX_RETRY_DELAY_MS = 5_000;

/**
 * Opens the database (the archive then runs the pending migrations, under their lock). A
 * PostgreSQL server that cannot be reached is tried again, with a backoff, until
 * DATABASE_CONNECT_TIMEOUT_MS: one log line per failed attempt, then a StartupError naming
 * DATABASE_URL. A server that answers but refuses (a wrong password, no such database) is not
 * waited for, nor is SQLite: a local file does not come back by itself.
 */
export async function openDatabase(options: DataSourceOptions, config: AppConfig, logger: PinoLogger): Promise<DataSource> {
  const target = maskDatabaseUrl(config.database.url);
  const sqlite = options.type === 'better-sqlite3';
  const timeoutMs = config.database.connectTimeoutMs;
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    const dataSource = new DataSource(options);
    try {
      await dataSource.initialize();
    } catch (error) {
      if (sqlite) throw sqliteFailure(config, error);
      const reason = describeError(error, config.database.url);
      if (!isUnreachable(error)) {
        throw new StartupError(`The PostgreSQL server at ${target} refused this service: ${reason}. Check DATABASE_URL${config.database.schema ? ' and DATABASE_SCHEMA' : ''}.`);
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new StartupError(
          `No PostgreSQL server answered at ${target} within ${seconds(timeoutMs)} (DATABASE_CONNECT_TIMEOUT_MS), after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${reason}. ` +
            'Check DATABASE_URL, and that the server is up and reachable from here.',
        );
      }
      const delay = Math.min(FIRST_RETRY_DELAY_MS * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS, left);
      logger.warn(
        { context: 'Database', attempt },
        `waiting for the database at ${target}: attempt ${attempt} failed (${reason}); next attempt in ${seconds(delay)}, giving up in ${seconds(left)}`,
      );
      await sleep(delay);
      continue;
    }
    if (attempt > 1) logger.info({ context: 'Database', attempt }, `database at ${target} reached (attempt ${attempt})`);
    return dataSource;
  }
}

/** A failure of the archive's migrations at start, told as a StartupError; any other error as it is. */
export function startupFailure(error: unknown, config: AppConfig): unknown {
  if (!(error instanceof HealthArchiveMigrationError)) return error;
  if (parseDatabaseUrl(config.database.url).dialect === 'sqlite') return sqliteFailure(config, error.cause);
  return new StartupError(
    `The migrations failed on ${maskDatabaseUrl(config.database.url)}: ${describeError(error.cause, config.database.url)}. The failing migration was rolled back and none after it was run.`,
  );
}

/** A SQLite file that cannot be opened, created or written: its path, as this process resolves it. */
function sqliteFailure(config: AppConfig, error: unknown): Error {
  const { dialect, location } = parseDatabaseUrl(config.database.url);
  if (dialect !== 'sqlite') return error as Error;
  const path = location === ':memory:' ? location : resolve(location);
  return new StartupError(
    `The SQLite database ${path} (DATABASE_URL=${config.database.url}) cannot be opened or written: ${describeError(error, config.database.url)}. ` +
      'Its directory must exist or be creatable, and both must be writable by this process; or point DATABASE_URL at another path.',
  );
}

/**
 * Whether no server was reached at all (refused, reset, timed out, no such host) or the server
 * said "not now" (starting up, too many connections): worth waiting for. pg's answers from the
 * server carry a `severity` and an SQLSTATE `code`.
 */
function isUnreachable(error: unknown): boolean {
  const e = error as { severity?: unknown; code?: unknown };
  if (e === null || typeof e !== 'object' || e.severity === undefined) return true;
  return typeof e.code === 'string' && /^(08|53|57P03)/.test(e.code);
}

/** One line: a refusal on every address of a host is an AggregateError with an empty message; a password never shows. */
export function describeError(error: unknown, databaseUrl?: string): string {
  // Read by shape, not instanceof: node's own errors may come from another realm (Jest's VM).
  const e = (typeof error === 'object' && error !== null ? error : {}) as { errors?: unknown; message?: unknown; code?: unknown; name?: unknown };
  const text =
    Array.isArray(e.errors) && e.errors.length > 0
      ? [...new Set(e.errors.map((inner) => describeError(inner)))].join('; ')
      : typeof e.message === 'string'
        ? e.message || String(e.code ?? e.name ?? 'unknown error')
        : String(error);
  let line = text.replace(/\s+/g, ' ').trim();
  const password = databaseUrl ? passwordOf(databaseUrl) : '';
  if (password.length >= 3) line = line.split(password).join('***');
  return line;
}

function passwordOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).password);
  } catch {
    return '';
  }
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}

/** A listen that failed, told in terms of PORT and HOST; other errors as they are. */
export function listenFailure(error: unknown, config: Pick<AppConfig, 'host' | 'port'>): Error {
  const code = (error as { code?: unknown } | null)?.code;
  const where = `port ${config.port} on ${config.host}`;
  if (code === 'EADDRINUSE') return new StartupError(`The ${where} is already in use by another process: stop it, or set PORT to a free port.`);
  if (code === 'EACCES') return new StartupError(`This process may not listen on ${where}: choose a PORT above 1023, or grant it the right to bind low ports.`);
  if (code === 'EADDRNOTAVAIL') return new StartupError(`HOST ${config.host} is not an address of this machine: use one of its addresses, 127.0.0.1, or 0.0.0.0 for all.`);
  return error as Error;
}
