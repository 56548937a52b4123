import type { PushOutcome } from '../../entities/push-log-entry';
import type { StoredPush } from '../archive-store';
import type { PgClient, PgPool } from '../typeorm-internals';

/** At most this many pushes per batch… */
export const MAX_BATCH = 200;
/**
 * …and at most about this many characters of raw messages, so that a turn that read many large
 * pushes (ECG data, a raised BODY_LIMIT_BYTES) never builds one parameter of hundreds of MB; a
 * larger push goes alone.
 */
export const MAX_BATCH_CHARS = 8_000_000;

/** The first delivery's answer for each of these dedupe keys (a repeat's), by key. */
export async function firstAnswers(client: PgClient, keys: string[]): Promise<Map<string, StoredPush>> {
  const answers = new Map<string, StoredPush>();
  const { rows } = await client.query<{ id: string; dedupe_key: string; outcome: PushOutcome }>(
    'SELECT "id", "dedupe_key", "outcome" FROM "push_log" WHERE "dedupe_key" = ANY($1::varchar[])',
    [keys],
  );
  for (const row of rows) answers.set(row.dedupe_key, { pushId: Number(row.id), outcome: row.outcome, duplicate: true });
  return answers;
}

/**
 * Checks a client out for `work` and releases it, with the error if the work failed or the
 * connection was lost meanwhile (so that the pool discards it, and with it any transaction the
 * work left open). node-postgres' pool listens for 'error' only on idle clients, and a client
 * emits one when its connection dies (the server ended it, the network reset it) even while a
 * query of its own fails with the same error: unheard, that 'error' would end the process.
 * Heard here, the query's failure is all that remains (a 503).
 */
export async function whileHeld<T>(pool: PgPool, work: (client: PgClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let failure: Error | undefined;
  const onError = (error: Error) => (failure ??= error);
  client.on('error', onError);
  try {
    return await work(client);
  } catch (error) {
    failure ??= error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    // The pool listens again from release on: no moment without a listener.
    client.removeListener('error', onError);
    client.release(failure);
  }
}

/**
 * node-postgres' Client, listening for 'error' from its first byte on: the Client class of the
 * archive's pool (pg-pool's documented `Client` option, given through TypeORM's `extra`).
 *
 * The pool listens on a client only while it is idle, and a holder (`whileHeld`, TypeORM's query
 * runner) from the moment it has it; a new connection is handed over between the two
 * synchronously, inside the read of its last start-up bytes. When the server's goodbye (a
 * terminated backend, a restart, a fail-over) arrives in the same chunk, node-postgres emits it
 * as 'error' right then, with no one listening, and an unheard 'error' ends the process. Heard
 * here, it only marks the client unusable: its holder's query fails (a 503 at the REST API), and
 * the pool discards it on release. Nothing else is done with it; a holder hears the errors it can act on.
 */
export function pooledClientClass(): typeof import('pg').Client {
  if (!heardClient) {
    const { Client } = require('pg') as typeof import('pg');
    heardClient = class HeardClient extends Client {
      constructor(config?: ConstructorParameters<typeof Client>[0]) {
        super(config);
        this.on('error', () => undefined);
      }
    };
  }
  return heardClient;
}
// Loaded on first use: a SQLite archive never loads node-postgres.
let heardClient: typeof import('pg').Client | undefined;

/** SQLSTATE class 22 (data exception) or 23 (integrity constraint): this data, not the database. */
export function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23]/.test(code);
}

/** A deadlock (40P01) or serialization failure (40001): nothing was written; the same work may simply run again. */
export function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

/**
 * A named statement prepared on this connection before a migration changed the type of a column
 * it returns: PostgreSQL refuses it there from then on. Nothing was written; on another
 * connection (this one is discarded) it is prepared anew.
 */
export function isStalePlan(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === '0A000' && typeof message === 'string' && message.includes('cached plan must not change result type');
}

/**
 * Cuts `items` in order into batches of at most `maxCount` items and at most `maxSize` in all
 * (an item larger than `maxSize` makes a batch of its own).
 */
export function batchesOf<T>(items: T[], sizeOf: (item: T) => number, maxCount: number, maxSize: number): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const item of items) {
    const itemSize = sizeOf(item);
    if (current.length > 0 && (current.length >= maxCount || size + itemSize > maxSize)) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += itemSize;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Groups what one turn of the event loop asked for and hands each group to `write`, which
 * answers every unit of it. Used by the PostgreSQL adapter's batched writes: one round trip
 * and one commit for many pushes. With `maxInFlight`, no more groups than that are written at
 * once: what arrives meanwhile waits and goes in the next, larger group (so that writes that
 * queue behind one another, on one row's lock, do so as a few large groups, not many small ones).
 */
export class TurnBatcher<I, O> {
  private pending: Array<Unit<I, O>> = [];
  private scheduled = false;
  private inFlight = 0;

  constructor(
    private readonly sizeOf: (input: I) => number,
    private readonly maxCount: number,
    private readonly maxSize: number,
    private readonly write: (batch: Array<Unit<I, O>>) => Promise<void>,
    private readonly maxInFlight = Infinity,
  ) {}

  add(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ input, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.pending.length === 0 || this.inFlight >= this.maxInFlight) return;
    this.scheduled = true;
    // The next turn of the event loop: the pushes read in this one join the batch.
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const batches = batchesOf(this.pending, (unit) => this.sizeOf(unit.input), this.maxCount, this.maxSize);
    const now = batches.slice(0, Math.max(0, this.maxInFlight - this.inFlight));
    this.pending = batches.slice(now.length).flat();
    for (const batch of now) {
      this.inFlight++;
      this.write(batch)
        .catch((error: unknown) => {
          for (const unit of batch) unit.reject(error);
        })
        .finally(() => {
          this.inFlight--;
          this.schedule();
        });
    }
  }
}

export interface Unit<I, O> {
  input: I;
  resolve: (output: O) => void;
  reject: (error: unknown) => void;
}
