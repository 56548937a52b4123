import { ConfigurationError, loadConfig } from './app-config';
import { problemsOf, REQUIRED_ENV } from './testing-env';

const REQUIRED = REQUIRED_ENV;
const SHA256_OF_SOMETHING = 'sha256:' + 'ab'.repeat(32);

/** The one problem that names this variable (fails when none or several do). */
function problemAbout(env: Record<string, string | undefined>, name: string): string {
  const about = problemsOf(env).filter((p) => p.startsWith(name));
  expect(about).toHaveLength(1);
  return about[0];
}

describe('loadConfig', () => {
  describe('defaults', () => {
    it('fills in everything optional', () => {
      const config = loadConfig(REQUIRED);
      expect(config).toMatchObject({
        nodeEnv: 'development',
        host: '127.0.0.1',
        port: 3000,
        database: { url: 'sqlite:./data/health-bridge.sqlite', migrationsRun: true, poolSize: 10 },
        viatom: {
          baseUrl: 'https://open.viatomtech.com.cn',
          secret: 'the-secret',
          accessToken: 'the-access-token',
          language: 'zh-CN',
          timeZone: '+08:00',
          timeoutMs: 10_000,
        },
        apiKeys: ['an-integrator-key-0123456789'],
        webhookToken: null,
        bodyLimitBytes: 1_048_576,
        swaggerEnabled: true,
      });
      expect(config.database.schema).toBeUndefined();
      // The default database is a file under ./data/.
      expect(config.database.url).toMatch(/^sqlite:\.\/data\/[^/]+\.sqlite$/);
    });

    it('treats blank values as absent and trims the others', () => {
      const config = loadConfig({
        ...REQUIRED,
        PORT: '  ',
        DATABASE_URL: '',
        VIATOM_LANGUAGE: ' ',
        VIATOM_TIMEZONE: '',
        VIATOM_SECRET: '  padded-secret  ',
        HOST: ' 0.0.0.0 ',
      });
      expect(config).toMatchObject({ port: 3000, host: '0.0.0.0', database: { url: 'sqlite:./data/health-bridge.sqlite' } });
      expect(config.viatom).toMatchObject({ language: 'zh-CN', timeZone: '+08:00', secret: 'padded-secret' });
    });

    it('reads only the environment it is given', () => {
      const saved = process.env.PORT;
      process.env.PORT = '1234';
      try {
        expect(loadConfig(REQUIRED).port).toBe(3000);
      } finally {
        if (saved === undefined) delete process.env.PORT;
        else process.env.PORT = saved;
      }
    });

    it('takes every value it is given', () => {
      const config = loadConfig({
        ...REQUIRED,
        NODE_ENV: 'test',
        PORT: '8080',
        DATABASE_URL: 'postgres://user:pw@db.internal:5432/health',
        DATABASE_SCHEMA: 'health_bridge',
        DATABASE_MIGRATIONS_RUN: 'false',
        DATABASE_POOL_SIZE: '25',
        VIATOM_LANGUAGE: 'en-US',
        VIATOM_TIMEZONE: '-05:30',
        VIATOM_TIMEOUT_MS: '2500',
        WEBHOOK_TOKEN: 'a-webhook-token-of-some-length',
        BODY_LIMIT_BYTES: '2048',
        SWAGGER_ENABLED: 'no',
      });
      expect(config).toMatchObject({
        nodeEnv: 'test',
        port: 8080,
        database: { url: 'postgres://user:pw@db.internal:5432/health', schema: 'health_bridge', migrationsRun: false, poolSize: 25 },
        viatom: { language: 'en-US', timeZone: '-05:30', timeoutMs: 2500 },
        webhookToken: 'a-webhook-token-of-some-length',
        bodyLimitBytes: 2048,
        swaggerEnabled: false,
      });
    });
  });

  describe('every bad variable in one ConfigurationError', () => {
    it('names each missing required variable', () => {
      let thrown: unknown;
      try {
        loadConfig({});
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ConfigurationError);
      const error = thrown as ConfigurationError;
      expect(error.name).toBe('ConfigurationError');
      for (const name of ['VIATOM_BASE_URL', 'VIATOM_SECRET', 'VIATOM_ACCESS_TOKEN', 'API_KEYS']) {
        expect(error.problems.filter((p) => p.startsWith(`${name} is required`))).toHaveLength(1);
      }
      expect(error.problems).toHaveLength(4);
      // The message lists them all, one a line.
      expect(error.message.split('\n')).toEqual(['Invalid configuration:', ...error.problems.map((p) => `  - ${p}`)]);
    });

    it('names several bad variables at once, each exactly once, and nothing valid', () => {
      const bad = {
        PORT: 'eighty',
        DATABASE_URL: 'mysql://root@localhost/health',
        DATABASE_SCHEMA: 'drop table;',
        DATABASE_MIGRATIONS_RUN: 'maybe',
        DATABASE_POOL_SIZE: '0',
        VIATOM_BASE_URL: 'open.viatomtech.com.cn',
        VIATOM_LANGUAGE: 'fr-FR',
        VIATOM_TIMEZONE: 'Asia/Shanghai',
        VIATOM_TIMEOUT_MS: '50',
        API_KEYS: 'short',
        WEBHOOK_TOKEN: 'short',
        BODY_LIMIT_BYTES: '1.5',
        SWAGGER_ENABLED: 'on',
      };
      const problems = problemsOf({ ...REQUIRED, ...bad });
      const named = ['PORT', 'DATABASE_URL', 'DATABASE_SCHEMA', 'DATABASE_MIGRATIONS_RUN', 'DATABASE_POOL_SIZE', 'VIATOM_BASE_URL', 'VIATOM_LANGUAGE', 'VIATOM_TIMEZONE', 'VIATOM_TIMEOUT_MS', 'API_KEYS', 'WEBHOOK_TOKEN', 'BODY_LIMIT_BYTES', 'SWAGGER_ENABLED'];
      for (const name of named) {
        // `startsWith(name + ' ')` or ':' so that DATABASE_URL does not also count DATABASE_URL_X.
        expect({ name, count: problems.filter((p) => new RegExp(`^${name}[ :]`).test(p)).length }).toEqual({ name, count: 1 });
      }
      expect(problems).toHaveLength(named.length);
      // The secret values are never echoed back.
      expect(problems.join('\n')).not.toContain('the-secret');
      expect(problems.join('\n')).not.toContain('the-access-token');
    });

    it('says what it got, so the mistake is visible', () => {
      expect(problemAbout({ ...REQUIRED, PORT: '99999' }, 'PORT')).toBe('PORT must be a whole number from 0 to 65535 (got "99999")');
      expect(problemAbout({ ...REQUIRED, VIATOM_TIMEZONE: '+8' }, 'VIATOM_TIMEZONE')).toContain('(got "+8")');
      expect(problemAbout({ ...REQUIRED, SWAGGER_ENABLED: 'Perhaps' }, 'SWAGGER_ENABLED')).toContain('(got "Perhaps")');
    });
  });

  describe('API_KEYS', () => {
    it('takes a comma-separated list, trimmed, empty entries dropped', () => {
      expect(loadConfig({ ...REQUIRED, API_KEYS: ' key-number-one-0123456 ,, key-number-two-0123456 ,' }).apiKeys).toEqual([
        'key-number-one-0123456',
        'key-number-two-0123456',
      ]);
    });

    it('takes sha256:<64 hex> entries as they are, in either case, beside plain keys', () => {
      const upper = 'sha256:' + 'AB'.repeat(32);
      expect(loadConfig({ ...REQUIRED, API_KEYS: `${SHA256_OF_SOMETHING},${upper},a-plain-key-0123456789` }).apiKeys).toEqual([
        SHA256_OF_SOMETHING,
        upper,
        'a-plain-key-0123456789',
      ]);
    });

    it.each([
      ['a short plain key', 'fifteen-chars-x', /at least 16 characters/],
      ['one short key among good ones', 'a-plain-key-0123456789,short', /at least 16 characters/],
      ['a sha256: entry that is too short', 'sha256:abcdef', /64 hex digits/],
      ['a sha256: entry that is too long', `${SHA256_OF_SOMETHING}00`, /64 hex digits/],
      ['a sha256: entry that is not hex', 'sha256:' + 'zz'.repeat(32), /64 hex digits/],
      ['only commas', ',, ,', /^API_KEYS is required/],
    ])('rejects %s', (_, keys, message) => {
      expect(problemAbout({ ...REQUIRED, API_KEYS: keys }, 'API_KEYS')).toMatch(message);
    });

    it('accepts a plain key of exactly 16 characters', () => {
      expect(loadConfig({ ...REQUIRED, API_KEYS: 'sixteen-chars-xx' }).apiKeys).toEqual(['sixteen-chars-xx']);
    });
  });

  describe('DATABASE_URL', () => {
    it.each(['sqlite::memory:', 'sqlite:/var/lib/health-bridge/db.sqlite', 'sqlite://./data/x.sqlite', 'postgres://u@localhost:5432/db', 'postgresql://u:p@db:6543/health?sslmode=require'])(
      'accepts %s',
      (url) => {
        expect(loadConfig({ ...REQUIRED, DATABASE_URL: url }).database.url).toBe(url);
      },
    );

    it.each([
      ['mysql://root@localhost/db', /must start with "sqlite:" or "postgres:\/\/"/],
      ['./data/x.sqlite', /must start with "sqlite:" or "postgres:\/\/"/],
      ['sqlite:', /needs a path/],
      ['postgres://user@[not-a-host/db', /not a valid postgres:\/\/ URL/],
      ['postgres://postgres:s3cret%pw@127.0.0.1:5432/test', /"%" that is no percent-escape.*%25/],
      ['postgres://postgres@127.0.0.1:5432/te%zzst', /"%" that is no percent-escape/],
    ])('rejects %s', (url, message) => {
      const said = problemAbout({ ...REQUIRED, DATABASE_URL: url }, 'DATABASE_URL');
      expect(said).toMatch(message);
      expect(said).not.toContain('s3cret');
    });

    it('rejects a schema that is not a plain identifier', () => {
      expect(problemAbout({ ...REQUIRED, DATABASE_SCHEMA: 'public"; drop' }, 'DATABASE_SCHEMA')).toMatch(/plain identifier/);
      expect(problemAbout({ ...REQUIRED, DATABASE_SCHEMA: '1abc' }, 'DATABASE_SCHEMA')).toMatch(/plain identifier/);
    });
  });

  describe('VIATOM_TIMEZONE', () => {
    it.each(['Z', '+08:00', '-05:30', '+14:00', '-00:00'])('accepts %s', (zone) => {
      expect(loadConfig({ ...REQUIRED, VIATOM_TIMEZONE: zone }).viatom.timeZone).toBe(zone);
    });

    it.each(['+8', '08:00', '+0800', '+15:00', '+08:60', 'Asia/Shanghai', 'UTC', 'z'])('rejects %s', (zone) => {
      expect(problemAbout({ ...REQUIRED, VIATOM_TIMEZONE: zone }, 'VIATOM_TIMEZONE')).toMatch(/UTC offset like \+08:00 or Z/);
    });
  });

  describe('VIATOM_BASE_URL and VIATOM_LANGUAGE', () => {
    it.each(['http://127.0.0.1:4010', 'https://open.viatomtech.com.cn/', 'https://gateway.example.com/viatom'])('accepts %s', (url) => {
      expect(loadConfig({ ...REQUIRED, VIATOM_BASE_URL: url }).viatom.baseUrl).toBe(url);
    });

    it.each(['open.viatomtech.com.cn', 'ftp://open.viatomtech.com.cn', 'https://exa mple.com', 'http://'])('rejects %s', (url) => {
      expect(problemAbout({ ...REQUIRED, VIATOM_BASE_URL: url }, 'VIATOM_BASE_URL')).toMatch(/http\(s\) URL/);
    });

    it('takes only zh-CN or en-US', () => {
      expect(loadConfig({ ...REQUIRED, VIATOM_LANGUAGE: 'en-US' }).viatom.language).toBe('en-US');
      expect(problemAbout({ ...REQUIRED, VIATOM_LANGUAGE: 'zh-cn' }, 'VIATOM_LANGUAGE')).toMatch(/zh-CN, en-US/);
    });
  });

  describe('booleans', () => {
    it.each([
      ['true', true],
      ['TRUE', true],
      ['1', true],
      ['yes', true],
      ['false', false],
      ['False', false],
      ['0', false],
      ['no', false],
    ])('reads %s as %s', (text, expected) => {
      const config = loadConfig({ ...REQUIRED, SWAGGER_ENABLED: text, DATABASE_MIGRATIONS_RUN: text });
      expect(config.swaggerEnabled).toBe(expected);
      expect(config.database.migrationsRun).toBe(expected);
    });

    it.each(['maybe', '2', 'on', 'off', 'y', 'tru'])('rejects %s', (text) => {
      expect(problemAbout({ ...REQUIRED, SWAGGER_ENABLED: text }, 'SWAGGER_ENABLED')).toMatch(/must be true or false/);
      expect(problemAbout({ ...REQUIRED, DATABASE_MIGRATIONS_RUN: text }, 'DATABASE_MIGRATIONS_RUN')).toMatch(/must be true or false/);
    });
  });

  describe('integers', () => {
    it.each([
      ['PORT', '0', 0],
      ['PORT', '65535', 65535],
      ['PORT', ' 8080 ', 8080],
      ['DATABASE_POOL_SIZE', '1', 1],
      ['DATABASE_POOL_SIZE', '500', 500],
      ['VIATOM_TIMEOUT_MS', '100', 100],
      ['VIATOM_TIMEOUT_MS', '120000', 120_000],
      ['BODY_LIMIT_BYTES', '1024', 1024],
    ])('accepts %s=%s', (name, text, expected) => {
      const config = loadConfig({ ...REQUIRED, [name]: text });
      const read = { PORT: config.port, DATABASE_POOL_SIZE: config.database.poolSize, VIATOM_TIMEOUT_MS: config.viatom.timeoutMs, BODY_LIMIT_BYTES: config.bodyLimitBytes };
      expect(read[name as keyof typeof read]).toBe(expected);
    });

    it.each([
      ['PORT', '65536'],
      ['PORT', '-1'],
      ['PORT', '3000.5'],
      ['PORT', '3e3'],
      ['PORT', '0x50'],
      ['PORT', 'http'],
      ['DATABASE_POOL_SIZE', '0'],
      ['DATABASE_POOL_SIZE', '501'],
      ['VIATOM_TIMEOUT_MS', '99'],
      ['VIATOM_TIMEOUT_MS', '120001'],
      ['BODY_LIMIT_BYTES', '1023'],
      ['BODY_LIMIT_BYTES', '104857601'],
    ])('rejects %s=%s', (name, text) => {
      expect(problemAbout({ ...REQUIRED, [name]: text }, name)).toMatch(/must be a whole number from \d+ to \d+/);
    });
  });

  it('rejects a webhook token shorter than 16 characters', () => {
    expect(problemAbout({ ...REQUIRED, WEBHOOK_TOKEN: 'fifteen-chars-x' }, 'WEBHOOK_TOKEN')).toMatch(/at least 16 characters/);
    expect(loadConfig({ ...REQUIRED, WEBHOOK_TOKEN: 'sixteen-chars-xx' }).webhookToken).toBe('sixteen-chars-xx');
  });
});
