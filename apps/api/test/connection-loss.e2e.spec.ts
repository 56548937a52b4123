import type { CuttableRelay } from '@health-bridge/health-archive/testing';
import { formatViatomTime } from '@health-bridge/viatom-protocol';
import { testMeasurementPush, testPush } from '@health-bridge/viatom-protocol/testing';
import { accountIdForPhone, DEFAULT_MEMBER_ID } from '@health-bridge/viatom-sandbox';
import { Client } from 'pg';
import { api, postPush, startApiBehindRelay, type ApiBehindRelay, type ApiHarness } from './api-harness';

const postgresUrl = process.env.TEST_DATABASE_URL;

/** Cuts of each kind; between two cuts the load must be answered 200 again. */
const CUTS_PER_KIND = 6;
const MEASUREMENT_SENDERS = 8;
const AUTHORIZATION_SENDERS = 4;
/** Bounds of the load, whatever happens: pushes per sender, and time. */
const MAX_PUSHES_PER_SENDER = 4000;
const LOAD_MAX_MS = 90_000;
/** A cut the API does not recover from within this is a failure. */
const RECOVERY_MAX_MS = 15_000;
const PHONES = ['15300000101', '15300000102', '15300000103', '15300000104'];

type Answer = { kind: 'measurement' | 'authorization'; message: Record<string, unknown>; status: number };

/**
 * PostgreSQL connections dying under load, both ways they die: terminated by the server
 * (`pg_terminate_backend`: it says goodbye first) and reset at the TCP level (a crashed or
 * failed-over server: no goodbye), while measurement pushes (the named batch statement, on a
 * client checked out of node-postgres' pool) and authorization pushes (TypeORM's query runner)
 * are in flight. Every push is answered 200 or 503, each one answered 200 is stored once, and
 * nothing escapes as an unhandled 'error' event or rejection: the API runs in this jest worker,
 * where jest's own process listeners turn one into a failure of this test (without listeners, as
 * in production, it ends the process).
 */
(postgresUrl ? describe : describe.skip)('database connections lost with statements in flight (PostgreSQL)', () => {
  const applicationName = `health-bridge-connection-loss-${process.pid}`;
  let relay: CuttableRelay;
  let admin: Client;
  let h: ApiHarness | undefined;
  let behindRelay: ApiBehindRelay | undefined;

  beforeAll(async () => {
    admin = new Client({ connectionString: postgresUrl, connectionTimeoutMillis: 5000 });
    await admin.connect();
    // The application_name names the API's backends, so that only they are terminated.
    behindRelay = await startApiBehindRelay(postgresUrl as string, {}, { application_name: applicationName });
    ({ h, relay } = behindRelay);
  });
  afterAll(async () => {
    try {
      await behindRelay?.close();
    } finally {
      await admin?.end();
    }
  });

  const send = async (message: Record<string, unknown>): Promise<number> => {
    try {
      return (await postPush(h as ApiHarness, message, { signal: AbortSignal.timeout(15_000) })).status;
    } catch {
      return 0; // no HTTP answer at all
    }
  };

  let sequence = 0;
  const measurementPush = () => {
    const n = ++sequence;
    const phone = PHONES[n % PHONES.length];
    return testMeasurementPush({ data_tag: `loss-m-${n}`, account_id: accountIdForPhone(phone), member_id: DEFAULT_MEMBER_ID, time: '2022-12-29 10:05:00', result: { spo2: 98 } });
  };
  const authorizationPush = () => {
    const n = ++sequence;
    const phone = PHONES[n % PHONES.length];
    // Each phone authorized, cancelled, authorized… with a later time each time.
    const time = formatViatomTime(new Date(Date.UTC(2022, 11, 29, 0, 0, 0) + n * 1000));
    const type = Math.floor(n / PHONES.length) % 2 === 0 ? 2 : 3;
    return testPush({ type, data_tag: `loss-a-${n}`, account_id: accountIdForPhone(phone), member_id: DEFAULT_MEMBER_ID, phone, time });
  };

  /** Stored rows per data_tag, read from the database directly. */
  const storedCounts = async (tags: string[]): Promise<Map<string, number>> => {
    const schema = h?.database.options.schema as string;
    const { rows } = await admin.query<{ data_tag: string; n: number }>(
      `SELECT data_tag, COUNT(*)::int AS n FROM "${schema}".push_log WHERE data_tag = ANY($1) GROUP BY data_tag`,
      [tags],
    );
    return new Map(rows.map((r) => [r.data_tag, r.n]));
  };

  /** Terminates every backend of the API; returns how many, and how many were in a statement or a transaction. */
  const terminateBackends = async (): Promise<{ terminated: number; busy: number }> => {
    const { rows } = await admin.query<{ state: string | null }>(
      'SELECT state, pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()',
      [applicationName],
    );
    return { terminated: rows.length, busy: rows.filter((r) => r.state !== 'idle').length };
  };

  it('lives on, answers 200 or 503, stores each push answered 200 once, and recovers without a restart', async () => {
    const answers: Answer[] = [];
    let stopped = false;
    const deadline = Date.now() + LOAD_MAX_MS;
    const sender = async (kind: Answer['kind'], next: () => Record<string, unknown>) => {
      for (let i = 0; i < MAX_PUSHES_PER_SENDER && !stopped && Date.now() < deadline; i++) {
        const message = next();
        answers.push({ kind, message, status: await send(message) });
      }
    };
    const load = Promise.all([
      ...Array.from({ length: MEASUREMENT_SENDERS }, () => sender('measurement', measurementPush)),
      ...Array.from({ length: AUTHORIZATION_SENDERS }, () => sender('authorization', authorizationPush)),
    ]);

    /** Waits (without blocking the load) until pushes of both kinds are answered 200 again. */
    const recovered = async (since: number) => {
      const until = Date.now() + RECOVERY_MAX_MS;
      const okSince = (kind: Answer['kind']) => answers.slice(since).filter((a) => a.kind === kind && a.status === 200).length;
      while (okSince('measurement') < 20 || okSince('authorization') < 5) {
        if (Date.now() > until) throw new Error(`no recovery within ${RECOVERY_MAX_MS} ms after a cut`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };

    const cuts = { terminated: 0, terminatedBusy: 0, reset: 0 };
    try {
      for (let cut = 0; cut < 2 * CUTS_PER_KIND; cut++) {
        await recovered(answers.length);
        if (cut % 2 === 0) {
          const { terminated, busy } = await terminateBackends();
          cuts.terminated += terminated;
          cuts.terminatedBusy += busy;
        } else {
          cuts.reset += relay.reset();
        }
      }
      await recovered(answers.length);
    } finally {
      stopped = true;
      await load;
    }

    expect((await api(h as ApiHarness, 'GET', '/health')).status).toBe(200);
    // The cuts hit statements in flight (else this test shows nothing).
    expect(cuts.terminatedBusy).toBeGreaterThan(0);
    expect(cuts.reset).toBeGreaterThan(0);
    const refused = answers.filter((a) => a.status !== 200);
    expect(refused.filter((a) => a.status !== 503).map((a) => `${a.message.data_tag}: ${a.status}`)).toEqual([]);
    const accepted = answers.filter((a) => a.status === 200);
    for (const kind of ['measurement', 'authorization']) {
      expect({ kind, refused: refused.some((a) => a.kind === kind), accepted: accepted.some((a) => a.kind === kind) }).toEqual({ kind, refused: true, accepted: true });
    }

    const tag = (a: Answer) => a.message.data_tag as string;
    const stored = await storedCounts(accepted.map(tag));
    expect(accepted.filter((a) => stored.get(tag(a)) !== 1).map((a) => `${tag(a)}: ${stored.get(tag(a)) ?? 0}`)).toEqual([]);

    // What was refused is accepted when Viatom sends it again, and is then stored once.
    for (const a of refused) expect({ tag: tag(a), status: await send(a.message) }).toEqual({ tag: tag(a), status: 200 });
    const resent = await storedCounts(refused.map(tag));
    expect(refused.filter((a) => resent.get(tag(a)) !== 1).map((a) => `${tag(a)}: ${resent.get(tag(a)) ?? 0}`)).toEqual([]);
  }, 180_000);
});
