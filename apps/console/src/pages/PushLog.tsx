import { useRef, useState } from 'react';
import { ok, type Push } from '../api/client';
import { useConsole, useLoad } from '../app/context';
import { ErrorNote, Loading, Section } from '../components/common';
import { formatDateTime } from '../lib/format';
import type { Translate } from '../lib/i18n';
import { explainPush } from '../lib/outcomes';

type Outcome = Push['outcome'];
const OUTCOMES: Outcome[] = ['applied', 'stale', 'archived', 'ignored'];

interface Filters {
  type?: number;
  outcome?: Outcome;
  phone?: string;
}

export function pushTypeLabel(type: number | null, t: Translate): string {
  if (type === 1) return t('pushType1');
  if (type === 2) return t('pushType2');
  if (type === 3) return t('pushType3');
  return t('pushTypeOther', { type: type ?? '?' });
}

/** The push log, newest first, with the API's filters; a push opens with its message as received and its outcome in words. */
export function PushLog() {
  const { api, t, language } = useConsole();
  const [form, setForm] = useState({ type: '', outcome: '', phone: '' });
  const [filters, setFilters] = useState<Filters>({});
  const [more, setMore] = useState<{ items: Push[]; cursor: string | null } | null>(null);
  const [selected, setSelected] = useState<Push | null>(null);
  const [error, setError] = useState<Error>();
  const current = useRef(filters);
  current.current = filters;
  const query = (cursor?: string) => ({ limit: 50, cursor, type: filters.type, outcome: filters.outcome, phone: filters.phone });
  const first = useLoad(() => ok(api.GET('/api/v1/pushes', { params: { query: query() } })), [api, filters]);
  const items = [...(first.data?.items ?? []), ...(more?.items ?? [])];
  const next = more ? more.cursor : first.data?.nextCursor;

  return (
    <div className="page">
      <div className="page-header">
        <h1>{t('navPushes')}</h1>
      </div>
      <Section title={t('filter')} id="push-filters">
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            setMore(null);
            setSelected(null);
            setError(undefined);
            setFilters({
              type: form.type ? Number(form.type) : undefined,
              outcome: (form.outcome || undefined) as Outcome | undefined,
              phone: form.phone.trim() || undefined,
            });
          }}
        >
          <label htmlFor="filter-type">{t('type')}</label>
          <select id="filter-type" value={form.type} onChange={(e) => setForm({ ...form, type: e.target.value })}>
            <option value="">{t('anyValue')}</option>
            <option value="1">{t('pushType1')}</option>
            <option value="2">{t('pushType2')}</option>
            <option value="3">{t('pushType3')}</option>
          </select>
          <label htmlFor="filter-outcome">{t('outcome')}</label>
          <select id="filter-outcome" value={form.outcome} onChange={(e) => setForm({ ...form, outcome: e.target.value })}>
            <option value="">{t('anyValue')}</option>
            {OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
          <label htmlFor="filter-phone">{t('phone')}</label>
          <input id="filter-phone" type="tel" value={form.phone} onChange={(e) => setForm({ ...form, phone: e.target.value })} />
          <button type="submit" className="primary">
            {t('filter')}
          </button>
        </form>
      </Section>
      <ErrorNote error={first.error ?? error} />
      <Loading when={first.loading} />
      <div className="split">
        <Section title={t('navPushes')} id="push-list">
          {first.data && items.length === 0 && <p className="muted">{t('noPushes')}</p>}
          {items.length > 0 && (
            <div className="table-wrap">
              <table data-testid="push-table">
                <thead>
                  <tr>
                    <th scope="col">{t('receivedAt')}</th>
                    <th scope="col">{t('type')}</th>
                    <th scope="col">{t('outcome')}</th>
                    <th scope="col">{t('phone')}</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((p) => (
                    <tr key={p.id} aria-selected={selected?.id === p.id} className={selected?.id === p.id ? 'selected' : undefined}>
                      <td>
                        <button type="button" className="link" onClick={() => setSelected(p)}>
                          {formatDateTime(p.receivedAt, language)}
                        </button>
                      </td>
                      <td>{pushTypeLabel(p.type, t)}</td>
                      <td>
                        <span className={`badge outcome-${p.outcome}`}>{p.outcome}</span>
                      </td>
                      <td>{p.phone ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {next && (
            <button
              type="button"
              onClick={() => {
                // The page answers the filters of the click: dropped when they changed meanwhile.
                const asked = filters;
                setError(undefined);
                ok(api.GET('/api/v1/pushes', { params: { query: query(next) } }))
                  .then((page) => {
                    if (current.current === asked) setMore((m) => ({ items: [...(m?.items ?? []), ...page.items], cursor: page.nextCursor ?? null }));
                  })
                  .catch((err: Error) => current.current === asked && setError(err));
              }}
            >
              {t('loadMore')}
            </button>
          )}
        </Section>
        {selected && (
          <Section
            title={`#${selected.id} · ${pushTypeLabel(selected.type, t)}`}
            id="push-detail"
            actions={
              <button type="button" onClick={() => setSelected(null)}>
                {t('close')}
              </button>
            }
          >
            <h3>{t('explanation')}</h3>
            <p data-testid="push-explanation">{explainPush(selected, language)}</p>
            <dl className="facts">
              <dt>{t('receivedAt')}</dt>
              <dd>{formatDateTime(selected.receivedAt, language)}</dd>
              <dt>{t('dataTag')}</dt>
              <dd>
                <code>{selected.dataTag || '—'}</code>
              </dd>
            </dl>
            <h3>{t('rawMessage')}</h3>
            <pre className="raw" data-testid="push-raw">
              {selected.rawMessage || '—'}
            </pre>
          </Section>
        )}
      </div>
    </div>
  );
}
