import type { PushRecord, PushTrigger } from './types';

const MAX_ANSWER_CHARS = 64 * 1024;

/** A URL as it may be shown: query values (e.g. a webhook token) replaced by `***`. */
export function redactUrl(url: string | null): string | null {
  if (!url) return url;
  try {
    const parsed = new URL(url);
    for (const key of [...new Set(parsed.searchParams.keys())]) parsed.searchParams.set(key, '***');
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(invalid URL)';
  }
}

export function checkPushUrl(url: unknown, label = 'push URL'): string | null {
  if (url === null) return null;
  if (typeof url !== 'string') throw new TypeError(`${label}: must be a string (or null to unset)`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`${label}: "${url.slice(0, 200)}" is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new TypeError(`${label}: must be http or https`);
  return url;
}

export interface RawBody {
  body: string;
  contentType?: string;
}

/** POSTs pushes the way Viatom does (JSON, no authentication header) and records the outcome. */
export class PushSender {
  readonly records: PushRecord[] = [];
  private nextId = 1;
  private readonly inflight = new Set<Promise<PushRecord>>();
  private readonly stop = new AbortController();

  constructor(
    public url: string | null,
    private readonly timeoutMs: number,
  ) {}

  send(message: unknown, trigger: PushTrigger, raw?: RawBody): Promise<PushRecord> {
    return this.track(this.post(message, trigger, raw));
  }

  /** Sends once `ready` settles; counts as in flight from now on, so `settled()` waits for it. */
  sendAfter(ready: Promise<unknown>, message: unknown, trigger: PushTrigger): Promise<PushRecord> {
    return this.track(ready.then(() => this.post(message, trigger)));
  }

  private track(promise: Promise<PushRecord>): Promise<PushRecord> {
    this.inflight.add(promise);
    void promise.finally(() => this.inflight.delete(promise));
    return promise;
  }

  /** Resolves when no push is in flight (including pushes started meanwhile). */
  async settled(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  /** Aborts pushes in flight (on close). */
  abortAll(): void {
    this.stop.abort(new Error('the sandbox is closing'));
  }

  reset(): void {
    this.records.length = 0;
    this.nextId = 1;
  }

  private async post(message: unknown, trigger: PushTrigger, raw?: RawBody): Promise<PushRecord> {
    const id = this.nextId++;
    const at = new Date();
    const started = performance.now();
    const url = this.url;
    const record: PushRecord = {
      id,
      at,
      trigger,
      url,
      message: raw ? raw.body : message,
      status: null,
      body: null,
      ok: false,
      error: null,
      durationMs: 0,
    };
    if (!url) {
      record.error = 'no push URL configured';
    } else if (this.stop.signal.aborted) {
      record.error = 'the sandbox is closing';
    } else {
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': raw?.contentType ?? 'application/json; charset=utf-8',
            'user-agent': 'viatom-sandbox',
          },
          body: raw ? raw.body : JSON.stringify(message),
          redirect: 'manual',
          signal: AbortSignal.any([this.stop.signal, AbortSignal.timeout(this.timeoutMs)]),
        });
        record.status = response.status;
        record.ok = response.status >= 200 && response.status < 300;
        const text = await response.text();
        record.body = text.length > MAX_ANSWER_CHARS ? text.slice(0, MAX_ANSWER_CHARS) : text;
      } catch (error) {
        record.error = describeFetchError(error, this.timeoutMs);
      }
    }
    record.durationMs = Math.round(performance.now() - started);
    this.records.push(record);
    return record;
  }
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  const err = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  if (err?.name === 'AbortError') return 'aborted: the sandbox is closing';
  const cause = err?.cause;
  if (cause?.code) return `${cause.code}: ${cause.message ?? err.message ?? ''}`.trim();
  if (cause?.message) return `${err.message}: ${cause.message}`;
  return err?.message ?? String(error);
}
