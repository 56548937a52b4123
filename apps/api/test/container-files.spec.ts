import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { loadConfig } from '../src/config/app-config';

/*
 * The Dockerfile and docker-compose.yml cannot be built or run here (no Docker engine), and no
 * YAML parser is installed: these tests read the facts that matter from the text, so that the
 * files cannot drift from the stack the other tests run on without one of them failing.
 */
const ROOT = join(__dirname, '..', '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const dockerfile = read('Dockerfile');
const compose = read('docker-compose.yml');

const indentOf = (line: string) => line.length - line.trimStart().length;

/** The lines under `key:` at this indentation, up to the next line as shallow; comments and blank lines left out. */
function block(lines: string[], key: string, indent: number): string[] {
  const start = lines.findIndex((line) => indentOf(line) === indent && line.trim().startsWith(`${key}:`));
  if (start < 0) throw new Error(`no "${key}:" at indentation ${indent}`);
  const body: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    if (indentOf(line) <= indent) break;
    body.push(line);
  }
  return body;
}

const composeLines = compose.split('\n');
const services = block(composeLines, 'services', 0);
const serviceNames = services.filter((line) => indentOf(line) === 2).map((line) => line.trim().replace(/:$/, ''));
/** A service's lines, with the `x-api` anchor it merges (`<<: *api`) in place, at the service's indentation. */
function service(name: string): string[] {
  return block(services, name, 2).flatMap((line) =>
    line.trim() === '<<: *api' ? block(composeLines, 'x-api', 0).map((merged) => `  ${merged}`) : [line],
  );
}
/** `KEY: value` lines of a mapping at this indentation. */
function mapping(lines: string[]): Record<string, string> {
  const indent = Math.min(...lines.map(indentOf));
  return Object.fromEntries(
    lines.filter((line) => indentOf(line) === indent).map((line) => {
      const [, key, value] = /^\s*([\w-]+):\s*(.*)$/.exec(line) ?? [];
      return [key, value];
    }),
  );
}

/** `${NAME:?…}` and `${NAME}` references. */
const references = (text: string) => [...text.matchAll(/\$\{(\w+)(?::?[?-][^}]*)?\}/g)].map((match) => match[1]!);

describe('the Dockerfile', () => {
  const majors = [...dockerfile.matchAll(/^FROM node:(\d+)/gm)].map((match) => Number(match[1]));

  it("uses one Node major in every stage, and package.json's engines allow it", () => {
    expect(majors.length).toBeGreaterThanOrEqual(2);
    expect(new Set(majors).size).toBe(1);
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
    expect({ engines, major: majors[0], allowed: engineAllowsMajor(engines, majors[0]!) }).toEqual({ engines, major: majors[0], allowed: true });
    expect([18, 19, 20, 21, 22, 24].filter((major) => engineAllowsMajor('>=20.11 <21 || >=22', major))).toEqual([20, 22, 24]);
  });

  it('runs the built API as the node user, with a health check on readiness', () => {
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/apps\/api\/main\.js"\]$/m);
    expect(read('apps/api/webpack.config.js')).toContain("dist/apps/api'");
    expect(dockerfile).toMatch(/^HEALTHCHECK [^\n]*\\\n\s+CMD .*\/health\/ready/m);
  });
});

describe('docker-compose.yml', () => {
  it('runs two API replicas, PostgreSQL, Redis and RabbitMQ, each with a health check', () => {
    expect(serviceNames.sort()).toEqual(['api-1', 'api-2', 'postgres', 'rabbitmq', 'redis']);
    for (const name of serviceNames) {
      const healthcheck = mapping(block(service(name), 'healthcheck', 4));
      expect([name, healthcheck['test']]).toEqual([name, expect.stringMatching(/^\["CMD", /)]);
    }
  });

  it('builds the replicas from the Dockerfile, on the postgres and redis services, ready once /health/ready says so', () => {
    for (const name of ['api-1', 'api-2']) {
      const api = service(name);
      expect(mapping(api)['build']).toBe('.');
      const environment = mapping(block(api, 'environment', 4));
      expect(new URL(environment['DATABASE_URL']!.replace(/\$\{[^}]*\}/g, 'x')).host).toBe('postgres:5432');
      expect(new URL(environment['REDIS_URL']!.replace(/\$\{[^}]*\}/g, 'x')).host).toBe('redis:6379');
      expect(block(api, 'healthcheck', 4).join('\n')).toContain("fetch('http://127.0.0.1:3000/health/ready')");
      const dependsOn = block(api, 'depends_on', 4).map((line) => line.trim());
      expect(dependsOn).toEqual(['postgres:', 'condition: service_healthy', 'redis:', 'condition: service_healthy']);
    }
    expect(existsSync(join(ROOT, 'Dockerfile'))).toBe(true);
  });

  it('gives the replicas a configuration the API accepts in production, every variable one it reads', () => {
    const environment = mapping(block(service('api-1'), 'environment', 4));
    // Each ${NAME:?…} as an operator would fill it in compose.env.
    const filled = Object.fromEntries(
      Object.entries(environment).map(([name, value]) => [name, value.replace(/\$\{(\w+)[^}]*\}/g, (_, variable: string) => `${variable.toLowerCase().replace(/_/g, '')}0123456789abcdef`)]),
    );
    filled['VIATOM_BASE_URL'] = 'https://open.viatomtech.com.cn';
    // Keys as `npm run keys:generate` writes them.
    filled['DATA_ENCRYPTION_KEYS'] = `k1:${Buffer.alloc(32, 1).toString('base64')}`;
    filled['DATA_HASH_KEY'] = Buffer.alloc(32, 2).toString('base64');
    const config = loadConfig(filled);
    expect(config.nodeEnv).toBe('production');
    expect(new URL(config.database.url).hostname).toBe('postgres');

    const configSources = readdirSync(join(ROOT, 'apps/api/src/config'))
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'))
      .map((file) => read(join('apps/api/src/config', file)))
      .join('\n');
    const unread = Object.keys(environment).filter((name) => !configSources.includes(`'${name}'`));
    expect(unread).toEqual([]);
  });

  it('takes every secret from the env file, which is ignored by git and by the image build', () => {
    const secretLike = /PASSWORD|SECRET|TOKEN|API_KEYS|AUTH|_PASS$|_KEYS?$/;
    const values = serviceNames.flatMap((name) => Object.entries(mapping(block(service(name), 'environment', 4))));
    const inline = values.filter(([name, value]) => secretLike.test(name) && !/^\$\{\w+:\?[^}]+\}$/.test(value)).map(([name]) => name);
    expect(inline).toEqual([]);
    // Passwords inside URLs and commands are references too.
    for (const url of values.map(([, value]) => value).filter((value) => /^\w+:\/\//.test(value))) {
      expect(url).toMatch(/^\w+:\/\/[\w]*:\$\{\w+:\?[^}]+\}@/);
    }
    // Redis's password reaches it through its environment and a file, never its command line.
    expect(mapping(service('redis'))['command']).not.toContain('REDIS_PASSWORD');
    expect(mapping(service('redis'))['command']).toContain('requirepass %s');

    const example = read('compose.env.example');
    const exampleValues = Object.fromEntries([...example.matchAll(/^(\w+)=(.*)$/gm)].map((match) => [match[1], match[2]]));
    const referenced = [...new Set(references(compose))].sort();
    expect(Object.keys(exampleValues).sort()).toEqual(referenced);
    const filledSecrets = Object.entries(exampleValues).filter(([name, value]) => secretLike.test(name) && value !== '');
    expect(filledSecrets).toEqual([]);
    expect(read('.gitignore').split('\n')).toContain('compose.env');
    expect(read('.dockerignore').split('\n')).toContain('compose.env');
  });

  const postgresUrl = process.env.TEST_DATABASE_URL;
  (postgresUrl ? it : it.skip)('uses the PostgreSQL major the tests run on', async () => {
    const client = new Client({ connectionString: postgresUrl, connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
      const { rows } = await client.query<{ server_version_num: string }>('SHOW server_version_num');
      expect(mapping(service('postgres'))['image']).toBe(`postgres:${Math.floor(Number(rows[0]!.server_version_num) / 10_000)}-bookworm`);
    } finally {
      await client.end();
    }
  });
});

/** Whether a range like `>=20.11 <21 || >=22` admits some release of this major (only >= and < are read). */
function engineAllowsMajor(range: string, major: number): boolean {
  return range.split('||').some((alternative) =>
    alternative
      .trim()
      .split(/\s+/)
      .every((comparator) => {
        const [, operator, wanted, minor, patch] = /^(>=|<)(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(comparator) ?? [];
        if (!operator) throw new Error(`engines: cannot read "${comparator}"`);
        if (operator === '>=') return major >= Number(wanted);
        // <21 admits no 21.x; <21.4 admits 21.0 to 21.3.
        return major < Number(wanted) || (major === Number(wanted) && Number(minor ?? 0) + Number(patch ?? 0) > 0);
      }),
  );
}
