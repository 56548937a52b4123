import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedPush {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  raw: string;
  /** The parsed body, or undefined when it was not JSON. */
  json: unknown;
}

/** A tiny push receiver for tests: records what it gets, answers Viatom's envelope (or what it is told). */
export interface PushReceiver {
  url: string;
  received: ReceivedPush[];
  /** Next answers: status and body (default 200 and Viatom's success envelope). */
  answer: { status: number; body: string };
  /** Resolves when at least `count` pushes arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedPush[]>;
  close(): Promise<void>;
}

export async function startPushReceiver(): Promise<PushReceiver> {
  const received: ReceivedPush[] = [];
  const waiters = new Set<() => void>();
  const receiver: PushReceiver = {
    url: '',
    received,
    answer: { status: 200, body: JSON.stringify({ code: 0, message: 'success', reason: '', data: {} }) },
    waitFor(count, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (received.length < count) return;
          cleanup();
          resolve(received.slice());
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`Expected ${count} pushes within ${timeoutMs} ms, got ${received.length}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        json = undefined;
      }
      received.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, raw, json });
      response.writeHead(receiver.answer.status, { 'content-type': 'application/json' });
      response.end(receiver.answer.body);
      for (const waiter of [...waiters]) waiter();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/viatom?token=receiver-token`;
  return receiver;
}
