import { createServer } from 'node:net';

/** A loopback port on which nothing listens (it was free a moment ago): Viatom unreachable. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

type Falsy = false | null | undefined | 0 | '';

/**
 * Polls `condition` every 25 ms until it gives a truthy value, which it answers; fails naming
 * what it waited for after `ms` (a test fails rather than hangs; never a timing assertion).
 */
export async function waitFor<T>(what: string, condition: () => Falsy | T | Promise<Falsy | T>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await condition();
    if (value) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Polls until the condition holds, for at most 5 s. */
export async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  await waitFor(what, condition, 5_000);
}

/** What the promise rejected with; fails when it resolves. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function failure(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}
