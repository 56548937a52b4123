import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from './config/app-config';
import { REQUIRED_ENV } from './config/testing-env';
import { databaseOptions, describeError, listenFailure, maskDatabaseUrl, openDatabase, StartupError } from './startup';

describe('maskDatabaseUrl', () => {
  it('masks a PostgreSQL password and query values but the harmless ones', () => {
    expect(maskDatabaseUrl('postgres://app:s3cr%40t@db.internal:5432/health')).toBe('postgres://app:***@db.internal:5432/health');
    expect(maskDatabaseUrl('postgresql://app:pw@db/health?sslmode=require&password=other')).toBe('postgresql://app:***@db/health?sslmode=require&password=***');
    expect(maskDatabaseUrl('postgres://app@db:5432/health')).toBe('postgres://app@db:5432/health');
  });

  it('shows a SQLite path as this process resolves it', () => {
    expect(maskDatabaseUrl('sqlite:./data/x.sqlite')).toBe(`sqlite:${resolve('data/x.sqlite')}`);
    expect(maskDatabaseUrl('sqlite::memory:')).toBe('sqlite::memory:');
  });
});

describe('describeError', () => {
  it('joins the errors of a refusal on every address, and never shows the password', () => {
    const refused = new AggregateError([new Error('connect ECONNREFUSED ::1:5432'), new Error('connect ECONNREFUSED 127.0.0.1:5432')], '');
    expect(describeError(refused)).toBe('connect ECONNREFUSED ::1:5432; connect ECONNREFUSED 127.0.0.1:5432');
    expect(describeError(new Error('bad login for s3cret-pw\n  in two lines'), 'postgres://app:s3cret-pw@db/x')).toBe('bad login for *** in two lines');
  });
});

describe('listenFailure', () => {
  it('names PORT for a busy port and HOST for an address the machine does not have', () => {
    const config = { host: '127.0.0.1', port: 3000 };
    const busy = listenFailure(Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' }), config);
    expect(busy).toBeInstanceOf(StartupError);
    expect(busy.message).toMatch(/^The port 3000 on 127\.0\.0\.1 is already in use.*set PORT/);
    expect(listenFailure(Object.assign(new Error('x'), { code: 'EADDRNOTAVAIL' }), config).message).toMatch(/^HOST 127\.0\.0\.1/);
    const other = new Error('something else');
    expect(listenFailure(other, config)).toBe(other);
  });
});

describe('openDatabase', () => {
  const logged: Array<{ msg: string; attempt?: number }> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
  const configFor = (env: Record<string, string>) => loadConfig({ ...REQUIRED_ENV, ...env });
  const open = (env: Record<string, string>) => {
    const config = configFor(env);
    return openDatabase(databaseOptions(config), config, logger);
  };
  beforeEach(() => (logged.length = 0));

  it('waits for an unreachable PostgreSQL server, a line per attempt, then gives up naming DATABASE_URL', async () => {
    const port = await closedPort();
    const error = await open({ DATABASE_URL: `postgres://app:s3cret-pw@127.0.0.1:${port}/health`, DATABASE_CONNECT_TIMEOUT_MS: '600' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupError);
    expect((error as Error).message).toMatch(new RegExp(`No PostgreSQL server answered at postgres://app:\\*\\*\\*@127\\.0\\.0\\.1:${port}/health within 600 ms \\(DATABASE_CONNECT_TIMEOUT_MS\\).*Check DATABASE_URL`));
    expect(logged.length).toBeGreaterThanOrEqual(2);
    expect(logged.map((line) => line.attempt)).toEqual(logged.map((_, i) => i + 1));
    for (const line of logged) expect(line.msg).toContain(`postgres://app:***@127.0.0.1:${port}/health: attempt ${line.attempt} failed (connect ECONNREFUSED`);
    expect(JSON.stringify(logged) + (error as Error).message).not.toContain('s3cret-pw');
  });

  it('tries once with DATABASE_CONNECT_TIMEOUT_MS=0', async () => {
    const error = await open({ DATABASE_URL: `postgres://app@127.0.0.1:${await closedPort()}/health`, DATABASE_CONNECT_TIMEOUT_MS: '0' }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/after 1 attempt:/);
    expect(logged).toEqual([]);
  });

  (process.env.TEST_DATABASE_URL ? it : it.skip)('does not wait for a server that answers but refuses (no such database)', async () => {
    const url = new URL(process.env.TEST_DATABASE_URL as string);
    url.pathname = '/no_such_database_for_startup_spec';
    const error = await open({ DATABASE_URL: url.toString() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupError);
    expect((error as Error).message).toMatch(/refused this service: .*no_such_database_for_startup_spec.* does not exist.*Check DATABASE_URL/);
    expect(logged).toEqual([]);
  });

  it('names the SQLite path it cannot open, at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'startup-spec-'));
    try {
      const error = await open({ DATABASE_URL: `sqlite:${dir}` }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StartupError);
      expect((error as Error).message).toContain(`The SQLite database ${dir} (DATABASE_URL=sqlite:${dir}) cannot be opened or written: unable to open database file`);
      expect(logged).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('opens a SQLite database, leaving the migrations to the archive', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'startup-spec-'));
    try {
      const dataSource = await open({ DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}` });
      try {
        expect(dataSource.isInitialized).toBe(true);
        expect(await dataSource.createQueryRunner().hasTable('push_log')).toBe(false);
      } finally {
        await dataSource.destroy();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A loopback port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((res, rej) => {
    const server = createServer();
    server.on('error', rej);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => res(port));
    });
  });
}
