import type { PgClient } from '../typeorm-internals';

/** node-postgres' own result builder (rows parsed by the type parsers a query's rows get) and its parameter mapping. */
interface Result {
  rows: unknown[];
  addFields(fields: unknown[]): void;
  parseRow(fields: unknown[]): unknown;
  addRow(row: unknown): void;
}
const Result: new () => Result = require('pg/lib/result');
const prepareValue: (value: unknown) => unknown = require('pg/lib/utils').prepareValue;

/** One statement of a pipeline: named (prepared once per connection, then only bound) or unnamed. */
export interface PipelineStep {
  name?: string;
  text: string;
  values?: unknown[];
}

/**
 * Runs `steps` in one round trip: for each, Parse (a named statement only the first time on this
 * connection), Bind, Describe and Execute, then one Sync. PostgreSQL runs them in order and skips
 * the rest after an error: inside a transaction, the transaction is then aborted, and the promise
 * fails with that error. After a failure the connection must be discarded (`whileHeld` discards
 * it after every failure): a named statement parsed before the failing one is prepared on the
 * server but not recorded as such. Answers each step's rows, in order. node-postgres'
 * `query_timeout` (a client-side timer, which the archive does not set) does not apply to it.
 *
 * node-postgres runs one statement per round trip. This is its Submittable interface (an object
 * with `submit(connection)` given to `client.query`, the way pg-cursor is built), driving the
 * connection's own message writers; `pg` is pinned exactly for it in package.json, and the
 * adapter's contract suite runs every batched write through it.
 */
export function pipeline(client: PgClient, steps: PipelineStep[]): Promise<Array<Array<Record<string, unknown>>>> {
  return new Promise((resolve, reject) => {
    (client as unknown as { query(submittable: Pipeline): void }).query(new Pipeline(steps, resolve, reject));
  });
}

/** What the pipeline uses of node-postgres' connection (pg/lib/connection.js). */
interface PgConnection {
  parsedStatements: Record<string, string>;
  stream: { cork?: () => void; uncork?: () => void };
  parse(message: { name?: string; text: string }): void;
  bind(message: { statement?: string; values?: unknown[] }): void;
  describe(message: { type: 'P'; name: string }): void;
  execute(message: { portal: string; rows?: number }): void;
  sync(): void;
}

interface RowDescription {
  fields: unknown[];
}
interface DataRow {
  fields: unknown[];
}

class Pipeline {
  private readonly results: Result[] = [];
  private current: Result | null = null;
  private failed = false;
  private rowError: Error | null = null;

  constructor(
    private readonly steps: PipelineStep[],
    private readonly resolve: (rows: Array<Array<Record<string, unknown>>>) => void,
    private readonly reject: (error: Error) => void,
  ) {}

  submit(connection: PgConnection): Error | null {
    // Every value mapped before a byte is written: a value that cannot be sent fails the pipeline
    // before anything reached the server (node-postgres then reports it through handleError).
    let values: unknown[][];
    try {
      values = this.steps.map((step) => (step.values ?? []).map((value) => prepareValue(value)));
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
    connection.stream.cork?.();
    try {
      const parsing = new Set<string>();
      for (const [i, step] of this.steps.entries()) {
        if (!step.name || (connection.parsedStatements[step.name] === undefined && !parsing.has(step.name))) connection.parse({ name: step.name, text: step.text });
        if (step.name) parsing.add(step.name);
        connection.bind({ statement: step.name, values: values[i] });
        connection.describe({ type: 'P', name: '' });
        connection.execute({ portal: '' });
      }
      connection.sync();
    } finally {
      connection.stream.uncork?.();
    }
    // Known as parsed once they were: after the round trip, if it succeeded (handleReadyForQuery).
    return null;
  }

  handleRowDescription(message: RowDescription): void {
    this.current = new Result();
    this.current.addFields(message.fields);
  }

  handleDataRow(message: DataRow): void {
    if (!this.current || this.rowError) return;
    // A type parser that throws fails the pipeline once the server is done with it, as node-postgres' own queries do.
    try {
      this.current.addRow(this.current.parseRow(message.fields));
    } catch (error) {
      this.rowError = error instanceof Error ? error : new Error(String(error));
    }
  }

  handleCommandComplete(): void {
    // A statement that returns no rows (BEGIN, COMMIT, an INSERT without RETURNING) has no RowDescription.
    this.results.push(this.current ?? new Result());
    this.current = null;
  }

  handleEmptyQuery(): void {
    this.results.push(new Result());
  }

  handleError(error: Error): void {
    // node-postgres has already let go of this query: the ReadyForQuery that follows is not ours.
    this.failed = true;
    this.reject(error);
  }

  handleReadyForQuery(connection: PgConnection): void {
    if (this.failed) return;
    if (this.rowError) return this.handleError(this.rowError);
    for (const step of this.steps) if (step.name) connection.parsedStatements[step.name] = step.text;
    this.resolve(this.results.map((result) => result.rows as Array<Record<string, unknown>>));
  }

  handlePortalSuspended(): void {
    // Never: every Execute asks for all rows.
  }

  handleCopyInResponse(): void {
    this.handleError(new Error('a pipelined statement asked for COPY'));
  }

  handleCopyData(): void {
    // Never.
  }
}
