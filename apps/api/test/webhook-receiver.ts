import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/*
 * What the webhook delivery tests share: a real webhook receiver, and a wait for a condition.
 */

/** A receiver: a real HTTP server on 127.0.0.1; `answer` decides each request's fate (n: its index, from 0). */
export class Receiver {
  readonly received: Array<{ path: string; headers: IncomingHttpHeaders; body: string }> = [];
  /** Requests received and not answered (yet): a receiver that hangs keeps them open. */
  open = 0;
  /** The most requests it held open at once. */
  maxOpen = 0;
  answer: (n: number, req: IncomingMessage, res: ServerResponse) => void = (_n, _req, res) => res.writeHead(200).end('ok');
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private port = 0;

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const n = this.received.length;
        this.received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        this.open++;
        this.maxOpen = Math.max(this.maxOpen, this.open);
        res.on('close', () => this.open--);
        this.answer(n, req, res);
      });
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  /** The webhook-ids received, in order. */
  ids(): string[] {
    return this.received.map((r) => r.headers['webhook-id'] as string);
  }

  bodies(): any[] {
    return this.received.map((r) => JSON.parse(r.body));
  }

  /** The event types received, in the events' order (attempts run side by side: they may arrive in another). */
  typesInOrder(): string[] {
    return this.bodies()
      .sort((a, b) => a.timestamp.localeCompare(b.timestamp) || a.data.sequence - b.data.sequence)
      .map((b) => b.type);
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Polling, from the sandbox's test support (here for the specs that import it with the receiver). */
export { waitFor } from '@health-bridge/viatom-sandbox';
