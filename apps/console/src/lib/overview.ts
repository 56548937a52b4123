/** One bucket of the overview's push counts (the API's `GET /api/v1/overview`). */
export interface PushBucket {
  minute: string;
  type: string;
  outcome: string;
  count: number;
}

export interface PushFlow {
  /** Epoch ms of each minute from `from` to `to`, every one present (a quiet minute is a 0). */
  minutes: number[];
  /** One series per type and outcome seen, e.g. `1 archived`, in type then outcome order. */
  series: Array<{ type: string; outcome: string; counts: number[] }>;
  total: number;
}

const MINUTE = 60_000;
const OUTCOME_ORDER = ['applied', 'archived', 'stale', 'ignored'];

/** The buckets as a minute-by-minute table the chart stacks, zeros filled in. */
export function pushFlow(buckets: readonly PushBucket[], from: string, to: string): PushFlow {
  const start = Math.floor(Date.parse(from) / MINUTE) * MINUTE;
  const end = Math.floor(Date.parse(to) / MINUTE) * MINUTE;
  const minutes: number[] = [];
  for (let t = start; t <= end; t += MINUTE) minutes.push(t);
  const index = new Map(minutes.map((t, i) => [t, i]));
  const byKey = new Map<string, { type: string; outcome: string; counts: number[] }>();
  let total = 0;
  for (const b of buckets) {
    const i = index.get(Math.floor(Date.parse(b.minute) / MINUTE) * MINUTE);
    if (i === undefined) continue;
    const key = `${b.type} ${b.outcome}`;
    let row = byKey.get(key);
    if (!row) byKey.set(key, (row = { type: b.type, outcome: b.outcome, counts: minutes.map(() => 0) }));
    row.counts[i] = (row.counts[i] ?? 0) + b.count;
    total += b.count;
  }
  const rank = (outcome: string) => {
    const i = OUTCOME_ORDER.indexOf(outcome);
    return i === -1 ? OUTCOME_ORDER.length : i;
  };
  const series = [...byKey.values()].sort((a, b) => a.type.localeCompare(b.type) || rank(a.outcome) - rank(b.outcome) || a.outcome.localeCompare(b.outcome));
  return { minutes, series, total };
}
