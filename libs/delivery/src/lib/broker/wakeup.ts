/**
 * A poll interval that can be cut short: `sleep` ends after its time, at `wake()`, or when the
 * signal aborts. A wake that comes while nobody sleeps is kept for the next sleep, so that an
 * event stored during a round is not left waiting for the next poll.
 */
export class Wakeup {
  private pending = false;
  private waking: (() => void) | null = null;

  wake(): void {
    if (this.waking) this.waking();
    else this.pending = true;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.pending || signal?.aborted) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        if (this.waking === done) this.waking = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      this.waking = done;
    });
  }
}

/** A pause that only the signal cuts short (a back-off after a failure: new events must not shorten it). */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Whether `work` settled within `ms` (it goes on either way; its failure is the caller's to log). */
export async function settledWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
