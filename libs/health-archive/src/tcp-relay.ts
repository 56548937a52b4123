import { createServer, Server, Socket, connect } from 'node:net';

/**
 * A TCP relay in front of a PostgreSQL server, for outage tests: it can be cut and restored (while
 * cut, every open connection is dropped and new ones are refused, as when the database server
 * goes down), or have its connections reset while it stays up (what a crashed or failed-over
 * server, or a broken network path, gives: no goodbye from the server, just an RST).
 *
 * With `holdFirstBytesMs`, the server's first bytes on each connection are held that long and
 * then written at once with all that followed them meanwhile: the client reads them in one
 * chunk, as it does when a loaded machine or a proxy delivers the end of a start-up and what came
 * next together.
 */
export class CuttableRelay {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  /** @param postgresUrl the server behind the relay */
  constructor(
    private readonly postgresUrl: string,
    private readonly options: { holdFirstBytesMs?: number } = {},
  ) {}

  /** The same URL, pointed at the relay (once started). */
  get databaseUrl(): string {
    return this.urlWith({});
  }

  /** The relay's URL with these query parameters set (e.g. `application_name`). */
  urlWith(query: Record<string, string>): string {
    const via = new URL(this.postgresUrl);
    via.hostname = '127.0.0.1';
    via.port = String(this.port);
    for (const [name, value] of Object.entries(query)) via.searchParams.set(name, value);
    return via.toString();
  }

  async start(port = 0): Promise<void> {
    this.server = createServer((client) => {
      const target = new URL(this.postgresUrl);
      const upstream = connect(Number(target.port || 5432), target.hostname);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream);
      client.on('close', () => upstream.destroy());
      const holdMs = this.options.holdFirstBytesMs;
      if (holdMs === undefined) {
        upstream.pipe(client);
        upstream.on('close', () => client.destroy());
        return;
      }
      const held: Buffer[] = [];
      let holding = true;
      const hold = (chunk: Buffer) => {
        if (held.length === 0) setTimeout(release, holdMs);
        held.push(chunk);
      };
      const release = () => {
        holding = false;
        upstream.off('data', hold);
        if (client.destroyed) return;
        client.write(Buffer.concat(held));
        // The server closed meanwhile: what it sent goes out first, then the close.
        if (upstream.destroyed) client.end();
        else upstream.pipe(client);
      };
      upstream.on('data', hold);
      upstream.on('close', () => {
        if (!holding) client.destroy();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  /** How many relayed connections are open (each counted once, not per side). */
  get connections(): number {
    return this.sockets.size / 2;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  async restore(): Promise<void> {
    if (!this.server) await this.start(this.port);
  }

  /**
   * Resets every open connection on both sides (TCP RST, no FIN): the API's side reads
   * ECONNRESET in the middle of whatever it was doing, the server's side aborts the backend's
   * transaction. New connections are still accepted. Returns how many were reset.
   */
  reset(): number {
    const count = this.connections;
    for (const s of this.sockets) s.resetAndDestroy();
    return count;
  }
}
