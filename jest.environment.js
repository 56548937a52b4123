// The test environment of every project: Node's, plus a check when a test file ends. A server
// still listening then (a harness that failed half-way, an afterAll that threw) keeps Jest from
// ever exiting, and Nx's static output hides Jest's "did not exit" warning, so the run hangs
// without a word. Instead the file fails, naming the servers, and they are closed so the run ends.
const net = require('node:net');
const { relative } = require('node:path');
const { TestEnvironment } = require('jest-environment-node');

/** Servers listening in this process now (Node has no public way to list them). */
function listeningServers() {
  return process._getActiveHandles().filter((handle) => handle instanceof net.Server && handle.listening);
}

function describeServer(server) {
  const address = server.address();
  if (!address) return 'a server';
  return typeof address === 'string' ? address : `${address.address}:${address.port}`;
}

/**
 * Closes the servers listening now that were not listening in `before`, with the connections
 * they accepted (an open one would hold the process as surely as the server); returns their
 * addresses.
 */
async function closeServersLeftListening(before) {
  const left = listeningServers().filter((server) => !before.has(server));
  const addresses = left.map(describeServer);
  for (const handle of process._getActiveHandles()) {
    if (handle instanceof net.Socket && left.includes(handle._server)) handle.destroy();
  }
  // close() stops listening at once; its callback waits for connections, which must not hang the check itself.
  const closing = left.map((server) => new Promise((resolve) => server.close(() => resolve())));
  await Promise.race([Promise.all(closing), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
  return addresses;
}

class NoServerLeftEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.testPath = relative(process.cwd(), context.testPath);
  }

  async setup() {
    await super.setup();
    this.listeningBefore = new Set(listeningServers());
  }

  /** After the last afterAll: an error added to the run's keeps every test's own result beside it. */
  async handleTestEvent(event, state) {
    if (event.name !== 'run_finish') return;
    const left = await closeServersLeftListening(this.listeningBefore);
    if (left.length === 0) return;
    state.unhandledErrors.push(
      new Error(
        `${this.testPath} left ${left.length} server${left.length === 1 ? '' : 's'} listening after its tests (${left.join(', ')}). ` +
          'Close every server a test opens whatever step fails: afterAll(() => h?.close()), and a harness closes what it opened when a later step throws (OpenedResources). ' +
          'They were closed so that the run can end.',
      ),
    );
  }
}

module.exports = NoServerLeftEnvironment;
module.exports.listeningServers = listeningServers;
module.exports.closeServersLeftListening = closeServersLeftListening;
