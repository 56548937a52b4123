import type { IngestResult } from '@health-bridge/health-archive';
import type { ViatomCallReport, ViatomCircuitState } from '@health-bridge/viatom-client';
import { collectDefaultMetrics, Counter, Gauge, Histogram, register, Registry } from 'prom-client';

/** The route label of a request no route matched (a 404): never its URL, which may hold anything. */
export const UNMATCHED_ROUTE = 'unmatched';

const PUSH_TYPES = ['1', '2', '3', 'other'] as const;
const PUSH_OUTCOMES = ['applied', 'stale', 'archived', 'ignored'] as const;
const CIRCUIT_STATES: readonly ViatomCircuitState[] = ['closed', 'half-open', 'open'];

/** Seconds; from a cached read (1 ms) to the longest Viatom deadline (120 s). */
const REQUEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120];
const VIATOM_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120];

/** node-postgres' pool counts. */
/** The database's connection pool (the archive's `PoolState`). */
export interface PoolCounts {
  total: number;
  idle: number;
  waiting: number;
}

/** What is read at scrape time: the app's own state, as the module found it at start. */
export interface MetricsSources {
  circuitState: () => ViatomCircuitState;
  /** node-postgres' pool, read at each scrape (absent while the DataSource is closed); none on SQLite: one connection, no pool. */
  pool?: () => PoolCounts | undefined;
  poolMax?: number;
}

/** A push type as a label: one of four values, whatever integer a sender puts in `type`. */
function pushTypeLabel(type: number | null): (typeof PUSH_TYPES)[number] {
  return type === 1 ? '1' : type === 2 ? '2' : type === 3 ? '3' : 'other';
}

/**
 * This app's metrics, in a registry of its own: what it counts starts at zero with the app and
 * what it reads at scrape time is this app's (tests start many apps in one process, and a
 * process-wide metric would read a closed one's pool). What belongs to the process (CPU,
 * memory, event-loop lag, GC: prom-client's default metrics) and what other parts register on
 * prom-client's default registry are served with it.
 */
export class ApiMetrics {
  readonly registry = new Registry();
  private readonly requestDuration: Histogram<'method' | 'route' | 'status_code'>;
  /**
   * The request histogram's series by route, method and status, found without building a key;
   * what is left per request is prom-client's own observe (about half a microsecond).
   */
  private readonly requestSeries = new Map<string, Map<string, Map<number, Histogram.Internal<string>>>>();
  private readonly pushes: Record<string, Record<string, Counter.Internal>> = {};
  private readonly duplicates: Record<string, Counter.Internal> = {};
  private readonly viatomCalls: Counter<'endpoint' | 'outcome'>;
  private readonly viatomAttempts: Counter<'endpoint'>;
  private readonly viatomDuration: Histogram<'endpoint'>;
  private sources?: MetricsSources;

  constructor() {
    const registers = [this.registry];
    this.requestDuration = new Histogram({
      name: 'health_bridge_http_request_duration_seconds',
      help: 'Time to answer a request, by method, route pattern (`unmatched` for a 404 that matched no route) and status.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: REQUEST_BUCKETS,
      registers,
    });

    const pushes = new Counter({
      name: 'health_bridge_pushes_total',
      help: 'Pushes stored, by type (1, 2, 3 or other) and outcome; a repeat of a stored push is counted in health_bridge_push_duplicates_total instead.',
      labelNames: ['type', 'outcome'],
      registers,
    });
    const duplicates = new Counter({
      name: 'health_bridge_push_duplicates_total',
      help: 'Repeats of a push already stored (same data_tag, or same content without one): acknowledged, nothing changed.',
      labelNames: ['type'],
      registers,
    });
    // Every series exists from the start at 0, so that rate() and alerts see the first push.
    const atZero = (series: Counter.Internal) => {
      series.inc(0);
      return series;
    };
    for (const type of PUSH_TYPES) {
      this.pushes[type] = {};
      for (const outcome of PUSH_OUTCOMES) this.pushes[type][outcome] = atZero(pushes.labels(type, outcome));
      this.duplicates[type] = atZero(duplicates.labels(type));
    }

    this.viatomCalls = new Counter({
      name: 'health_bridge_viatom_calls_total',
      help: "Calls to Viatom's open API, by endpoint and outcome (ok, refused, credentials-rejected, busy, circuit-open, or the transport failure).",
      labelNames: ['endpoint', 'outcome'],
      registers,
    });
    this.viatomAttempts = new Counter({
      name: 'health_bridge_viatom_call_attempts_total',
      help: 'HTTP attempts made by those calls, retries included (attempts minus calls: the retries).',
      labelNames: ['endpoint'],
      registers,
    });
    this.viatomDuration = new Histogram({
      name: 'health_bridge_viatom_call_duration_seconds',
      help: 'Time of a whole call to Viatom, every attempt and backoff included.',
      labelNames: ['endpoint'],
      buckets: VIATOM_BUCKETS,
      registers,
    });
    for (const endpoint of ['jump_path', 'cancel']) {
      atZero(this.viatomCalls.labels(endpoint, 'ok'));
      atZero(this.viatomAttempts.labels(endpoint));
    }

    const sources = () => this.sources;
    new Gauge({
      name: 'health_bridge_viatom_circuit_state',
      help: "The circuit breaker in front of Viatom: 1 for the state it is in (closed, half-open or open), 0 for the others.",
      labelNames: ['state'],
      registers,
      collect() {
        const current = sources()?.circuitState();
        for (const state of CIRCUIT_STATES) this.labels(state).set(state === current ? 1 : 0);
      },
    });
  }

  /** Called once the module graph exists: the state read at scrape time (the pool gauges exist only on PostgreSQL). */
  watch(sources: MetricsSources): void {
    this.sources = sources;
    const { pool, poolMax } = sources;
    if (!pool) return;
    const registers = [this.registry];
    // A pool that is gone (the DataSource closed) leaves the gauges at their last values.
    const gauge = (name: string, help: string, read: (counts: PoolCounts) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          const counts = pool();
          if (counts) this.set(read(counts));
        },
      });
    gauge('health_bridge_db_pool_connections_in_use', 'PostgreSQL connections of this process running a query or transaction.', (c) => c.total - c.idle);
    gauge('health_bridge_db_pool_connections_idle', 'PostgreSQL connections of this process open and free.', (c) => c.idle);
    gauge('health_bridge_db_pool_waiting_clients', 'Queries and transactions of this process waiting for a free PostgreSQL connection.', (c) => c.waiting);
    if (poolMax !== undefined) {
      new Gauge({ name: 'health_bridge_db_pool_connections_max', help: 'The most PostgreSQL connections this process opens (DATABASE_POOL_SIZE).', registers }).set(poolMax);
    }
  }

  /**
   * Process metrics, on prom-client's default registry: once per process, whatever the number
   * of apps (registering them twice throws).
   */
  static collectProcessMetrics(): void {
    if (register.getSingleMetric('process_cpu_user_seconds_total') === undefined) collectDefaultMetrics({ register });
  }

  /** On every answered request (the hot path): three map lookups and an observe. */
  observeRequest(method: string, route: string | undefined, statusCode: number, elapsedMs: number): void {
    const pattern = route ?? UNMATCHED_ROUTE;
    let byMethod = this.requestSeries.get(pattern);
    if (byMethod === undefined) this.requestSeries.set(pattern, (byMethod = new Map()));
    let byStatus = byMethod.get(method);
    if (byStatus === undefined) byMethod.set(method, (byStatus = new Map()));
    let series = byStatus.get(statusCode);
    if (series === undefined) byStatus.set(statusCode, (series = this.requestDuration.labels(method, pattern, String(statusCode))));
    series.observe(elapsedMs / 1000);
  }

  /** After a push was committed (or found to be a repeat). */
  recordPush(type: number | null, result: Pick<IngestResult, 'outcome' | 'duplicate'>): void {
    const label = pushTypeLabel(type);
    if (result.duplicate) this.duplicates[label].inc();
    else this.pushes[label][result.outcome]?.inc();
  }

  /** The Viatom client's `onCall` observer. */
  readonly observeViatomCall = (call: ViatomCallReport): void => {
    this.viatomCalls.labels(call.endpoint, call.outcome).inc();
    this.viatomAttempts.labels(call.endpoint).inc(call.attempts);
    this.viatomDuration.labels(call.endpoint).observe(call.durationMs / 1000);
  };

  /** The text a scrape gets: this app's metrics, then the process's and everything else on the default registry. */
  async scrape(): Promise<string> {
    return Registry.merge([this.registry, register]).metrics();
  }

  readonly contentType = register.contentType;
}
