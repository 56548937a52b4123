import { createServer, connect, type Server } from 'node:net';
import { testDatabaseTargets } from '@health-bridge/health-archive/testing';
import { closedPort, failure } from '@health-bridge/viatom-sandbox';
import { Client } from 'pg';
import { startApi } from './api-harness';

// The checks the jest environment of every project makes when a test file ends (workspace tooling, in no project).
// eslint-disable-next-line @nx/enforce-module-boundaries
const environment = require('../../../jest.environment.js') as {
  listeningServers(): Server[];
  closeServersLeftListening(before: Set<Server>): Promise<string[]>;
};

const postgresUrl = process.env.TEST_DATABASE_URL;

/** The servers this process listens on now, by address. */
const listening = () => environment.listeningServers().map((server) => JSON.stringify(server.address()));

/** This process's test schemas on the PostgreSQL test server (createTestDatabase names them test_<pid>_…). */
async function testSchemas(): Promise<string[]> {
  const client = new Client({ connectionString: postgresUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const rows = await client.query<{ name: string }>('SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name LIKE $1 ORDER BY 1', [
      `test\\_${process.pid}\\_%`,
    ]);
    return rows.rows.map((row) => row.name);
  } finally {
    await client.end();
  }
}

describe('startApi when a step fails', () => {
  it('rejects at once, naming the step and the unreachable PostgreSQL, and leaves no server listening', async () => {
    const before = listening();
    const port = await closedPort();
    const error = await failure(startApi({ name: 'postgres', url: `postgres://postgres:s3cret@127.0.0.1:${port}/test` }));
    expect(error.message).toContain(`startApi on postgres: creating the test database failed: cannot create a test schema on postgres://postgres:***@127.0.0.1:${port}/test (TEST_DATABASE_URL)`);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).not.toContain('s3cret');
    // The sandbox, started before the database step, is closed again.
    expect(listening()).toEqual(before);
  }, 10_000);

  describe.each(testDatabaseTargets(postgresUrl))('on $name', (target) => {
    const schemas = () => (target.name === 'postgres' ? testSchemas() : Promise.resolve([]));

    it('closes the sandbox and drops the database when the configuration is refused', async () => {
      const [servers, schemasBefore] = [listening(), await schemas()];
      const error = await failure(startApi(target, { VIATOM_TIMEOUT_MS: 'abc' }));
      expect(error.message).toMatch(new RegExp(`^startApi on ${target.name}: loading the configuration failed: .*VIATOM_TIMEOUT_MS`, 's'));
      expect(listening()).toEqual(servers);
      expect(await schemas()).toEqual(schemasBefore);
    });

    it('closes the app, the database and the sandbox when the API cannot listen', async () => {
      const [servers, schemasBefore] = [listening(), await schemas()];
      // 192.0.2.1 (TEST-NET-1) is on no interface of this machine: listen fails with EADDRNOTAVAIL after the app was built and migrated.
      const error = await failure(startApi(target, { HOST: '192.0.2.1' }));
      expect(error.message).toMatch(new RegExp(`^startApi on ${target.name}: starting the API failed: .*EADDRNOTAVAIL`, 's'));
      expect(listening()).toEqual(servers);
      expect(await schemas()).toEqual(schemasBefore);
    });

    it('closes everything it opened on close(), and a second close does nothing', async () => {
      const [servers, schemasBefore] = [listening(), await schemas()];
      const h = await startApi(target);
      expect(listening().length).toBe(servers.length + 2);
      await h.close();
      await h.close();
      expect(listening()).toEqual(servers);
      expect(await schemas()).toEqual(schemasBefore);
      await expect(fetch(h.sandboxUrl)).rejects.toThrow();
    });
  });
});

describe('the jest environment', () => {
  it('closes a server a test file left listening, with its open connection, and names it', async () => {
    const before = new Set(environment.listeningServers());
    const server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const client = connect(port, '127.0.0.1');
    await new Promise((resolve) => client.once('connect', resolve));
    const clientClosed = new Promise((resolve) => client.once('close', resolve));

    expect(await environment.closeServersLeftListening(before)).toEqual([`127.0.0.1:${port}`]);
    expect(server.listening).toBe(false);
    await clientClosed;
    expect(await environment.closeServersLeftListening(before)).toEqual([]);
  });
});
