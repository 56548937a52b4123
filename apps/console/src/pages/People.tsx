import { useCallback, useMemo, useState } from 'react';
import type { EChartsCoreOption } from 'echarts/core';
import { ApiError, ok, type Authorization, type ConsentRecord, type Measurement } from '../api/client';
import { useConsole, useLoad } from '../app/context';
import { Chart } from '../components/Chart';
import { Confirm, ErrorNote, Loading, Section } from '../components/common';
import { formatDateTime, formatQuantity, fromLocalInput, toLocalInput, unitLabel } from '../lib/format';
import type { Translate } from '../lib/i18n';
import { buildCharts, valueRange, type BuiltChart } from '../lib/series';

/**
 * Search a person by phone; show who they are, their consent, and their readings. The person
 * chosen is kept by the app while other pages are open (in memory: a phone never goes in a URL).
 */
export function People({ phone, onPhone }: { phone: string | null; onPhone: (phone: string) => void }) {
  const { t } = useConsole();
  const [query, setQuery] = useState(phone ?? '');
  const setPhone = onPhone;
  return (
    <div className="page">
      <div className="page-header">
        <h1>{t('navPeople')}</h1>
      </div>
      <Section title={t('search')} id="search">
        <form
          className="inline-form"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            if (query.trim()) setPhone(query.trim());
          }}
        >
          <label htmlFor="phone-search">{t('searchPhone')}</label>
          <input id="phone-search" type="tel" inputMode="tel" value={query} onChange={(e) => setQuery(e.target.value)} aria-describedby="phone-search-help" required />
          <button type="submit" className="primary">
            {t('search')}
          </button>
          <p id="phone-search-help" className="muted">
            {t('searchPhoneHelp')}
          </p>
        </form>
      </Section>
      {phone && <Person key={phone} phone={phone} />}
      <AuthUrl />
    </div>
  );
}

function AuthUrl() {
  const { api, t, language } = useConsole();
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<Error>();
  return (
    <Section title={t('authUrl')} id="auth-url">
      <p className="muted">{t('authUrlHelp')}</p>
      <button
        type="button"
        onClick={() => {
          setError(undefined);
          ok(api.POST('/api/v1/authorizations/auth-url', { body: { language: language === 'zh' ? 'zh-CN' : 'en-US' } }))
            .then((answer) => setUrl(answer.jumpPath))
            .catch((err: Error) => setError(err));
        }}
      >
        {t('getAuthUrl')}
      </button>
      <ErrorNote error={error} />
      {url && (
        <p>
          <code className="wrap" data-testid="auth-url">
            {url}
          </code>{' '}
          <a href={url} target="_blank" rel="noopener noreferrer">
            {t('openAuthUrl')}
          </a>
        </p>
      )}
    </Section>
  );
}

function Person({ phone }: { phone: string }) {
  const { api, t } = useConsole();
  const person = useLoad(async () => {
    try {
      return await ok(api.GET('/api/v1/authorizations/{phone}', { params: { path: { phone } } }));
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  }, [api, phone]);
  const authorization = person.data;
  // A cancel or an erase changes what the readings and the consent history hold: they are read again.
  const [revision, setRevision] = useState(0);
  const changed = useCallback(() => {
    person.reload();
    setRevision((r) => r + 1);
  }, [person.reload]);
  return (
    <>
      <ErrorNote error={person.error} />
      <Loading when={person.loading && authorization === undefined} />
      {authorization === null && (
        <p className="note" role="status">
          {t('personNotFound')}
        </p>
      )}
      {authorization && (
        <>
          <PersonSummary authorization={authorization} onChanged={changed} />
          <Readings key={`readings-${revision}`} phone={authorization.phone} />
          <Consents key={`consents-${revision}`} phone={authorization.phone} />
        </>
      )}
    </>
  );
}

function PersonSummary({ authorization, onChanged }: { authorization: Authorization; onChanged: () => void }) {
  const { api, t, language } = useConsole();
  const [confirming, setConfirming] = useState<'erase' | 'cancel' | null>(null);
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<Error>();
  const [result, setResult] = useState<string | null>(null);
  const phone = authorization.phone;

  const exportData = () => {
    setError(undefined);
    ok(api.GET('/api/v1/people/{phone}/export', { params: { path: { phone } } }))
      .then((data) => {
        const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
        const link = document.createElement('a');
        link.href = URL.createObjectURL(blob);
        link.download = `health-bridge-export-${phone}.json`;
        link.click();
        setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
      })
      .catch((err: Error) => setError(err));
  };

  return (
    <Section
      title={phone}
      id="person"
      actions={
        <>
          <button type="button" onClick={exportData}>
            {t('exportData')}
          </button>
          {authorization.status === 'authorized' && (
            <button type="button" onClick={() => setConfirming('cancel')}>
              {t('cancelAuthorization')}
            </button>
          )}
          <button type="button" className="danger" onClick={() => setConfirming('erase')}>
            {t('eraseData')}
          </button>
        </>
      }
    >
      <dl className="facts">
        <dt>{t('status')}</dt>
        <dd>
          <span className={`badge status-${authorization.status}`} data-testid="person-status">
            {authorization.status === 'authorized' ? t('statusAuthorized') : t('statusRevoked')}
          </span>
        </dd>
        <dt>{t('account')}</dt>
        <dd>
          <code>{authorization.accountId ?? '—'}</code>
        </dd>
        <dt>{t('authorizedAt')}</dt>
        <dd>{formatDateTime(authorization.authorizedAt, language)}</dd>
        {authorization.status === 'revoked' && (
          <>
            <dt>{t('revokedAt')}</dt>
            <dd>{formatDateTime(authorization.revokedAt, language)}</dd>
            <dt>{t('revokedBy')}</dt>
            <dd>{authorization.revokedBy === 'integrator' ? t('byIntegrator') : t('byUser')}</dd>
          </>
        )}
      </dl>
      <ErrorNote error={error} />
      {result && (
        <p className="note" role="status">
          {result}
        </p>
      )}
      {confirming === 'erase' && (
        <Confirm
          title={t('eraseConfirmTitle', { phone })}
          text={t('eraseConfirmText')}
          confirmLabel={t('eraseConfirmButton')}
          danger
          confirmDisabled={typed.replace(/\D/g, '') !== phone.replace(/\D/g, '')}
          onCancel={() => {
            setConfirming(null);
            setTyped('');
          }}
          onConfirm={() => {
            setConfirming(null);
            setTyped('');
            setError(undefined);
            ok(api.DELETE('/api/v1/people/{phone}', { params: { path: { phone } } }))
              .then((erased) => {
                setResult(t('erased', { n: erased.measurementsDeleted }));
                onChanged();
              })
              .catch((err: Error) => setError(err));
          }}
        >
          <label htmlFor="erase-phone">{t('phone')}</label>
          <input id="erase-phone" type="tel" autoComplete="off" value={typed} onChange={(e) => setTyped(e.target.value)} autoFocus />
        </Confirm>
      )}
      {confirming === 'cancel' && (
        <Confirm
          title={t('cancelConfirm', { phone })}
          text={t('authUrlHelp')}
          confirmLabel={t('cancelAuthorization')}
          danger
          onCancel={() => setConfirming(null)}
          onConfirm={() => {
            setConfirming(null);
            setError(undefined);
            ok(api.POST('/api/v1/authorizations/cancel', { body: { phone } }))
              .then(onChanged)
              .catch((err: Error) => setError(err));
          }}
        />
      )}
    </Section>
  );
}

const RANGES = [
  ['24h', 'range24h', 1],
  ['7d', 'range7d', 7],
  ['30d', 'range30d', 30],
  ['90d', 'range90d', 90],
  ['1y', 'range1y', 365],
  ['all', 'rangeAll', null],
] as const;
const DAY = 86_400_000;
/** Pages of 200 (the API's largest): a person's year of daily readings is a few pages; beyond that, narrow the range. */
const PAGE = 200;
const MAX_READINGS = 2000;

interface Range {
  from: Date | null;
  to: Date | null;
}

function presetRange(days: number | null): Range {
  return days === null ? { from: null, to: null } : { from: new Date(Date.now() - days * DAY), to: null };
}

function Readings({ phone }: { phone: string }) {
  const { api, t } = useConsole();
  const [preset, setPreset] = useState<string>('30d');
  const [range, setRange] = useState<Range>(() => presetRange(30));
  const [custom, setCustom] = useState({ from: toLocalInput(new Date(Date.now() - 30 * DAY)), to: toLocalInput(new Date()) });

  const readings = useLoad(async () => {
    const items: Measurement[] = [];
    let cursor: string | undefined;
    do {
      const page = await ok(
        api.GET('/api/v1/measurements', {
          params: { query: { phone, limit: PAGE, cursor, from: range.from?.toISOString(), to: range.to?.toISOString() } },
        }),
      );
      items.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && items.length < MAX_READINGS);
    return { items, capped: Boolean(cursor) };
  }, [api, phone, range]);

  const charts = useMemo(() => buildCharts(readings.data?.items ?? []), [readings.data]);

  return (
    <Section
      title={t('readings')}
      id="readings"
      actions={
        <div className="range-picker" role="group" aria-label={t('range')}>
          {RANGES.map(([id, label, days]) => (
            <button
              key={id}
              type="button"
              aria-pressed={preset === id}
              onClick={() => {
                setPreset(id);
                setRange(presetRange(days));
              }}
            >
              {t(label)}
            </button>
          ))}
          <button type="button" aria-pressed={preset === 'custom'} onClick={() => setPreset('custom')}>
            {t('rangeCustom')}
          </button>
        </div>
      }
    >
      {preset === 'custom' && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            setRange({ from: fromLocalInput(custom.from), to: fromLocalInput(custom.to) });
          }}
        >
          <label htmlFor="range-from">{t('from')}</label>
          <input id="range-from" type="datetime-local" value={custom.from} onChange={(e) => setCustom({ ...custom, from: e.target.value })} />
          <label htmlFor="range-to">{t('to')}</label>
          <input id="range-to" type="datetime-local" value={custom.to} onChange={(e) => setCustom({ ...custom, to: e.target.value })} />
          <button type="submit">{t('apply')}</button>
        </form>
      )}
      <ErrorNote error={readings.error} />
      <Loading when={readings.loading} />
      {readings.data?.capped && <p className="note">{t('readingsCapped', { n: readings.data.items.length })}</p>}
      {readings.data && charts.length === 0 && <p className="muted">{t('noReadings')}</p>}
      {charts.map((chart) => (
        <ReadingsChart key={chart.definition.id} chart={chart} t={t} />
      ))}
      {readings.data && readings.data.items.length > 0 && <ReadingsTable items={readings.data.items} />}
    </Section>
  );
}

function ReadingsChart({ chart, t }: { chart: BuiltChart; t: Translate }) {
  const { language } = useConsole();
  const option = useMemo<EChartsCoreOption>(() => {
    const range = valueRange(chart);
    const unit = unitLabel(chart.definition.unit);
    return {
      animation: false,
      tooltip: { trigger: 'axis', renderMode: 'richText', valueFormatter: (v: unknown) => `${String(v)} ${unit}` },
      legend: { bottom: 0 },
      grid: { left: 48, right: 24, top: 24, bottom: 48 },
      xAxis: { type: 'time' },
      yAxis: { type: 'value', name: unit, min: range?.min, max: range?.max },
      series: chart.series.map((s, i) => ({
        name: t(s.definition.label),
        type: 'line',
        showSymbol: true,
        symbolSize: 7,
        data: s.points.map(([time, value]) => [time, value]),
        markLine:
          i === 0 && chart.definition.thresholds.length > 0
            ? {
                silent: true,
                symbol: 'none',
                lineStyle: { type: 'dashed', color: '#b3261e' },
                label: { formatter: '{b}', position: 'insideEndTop' },
                data: chart.definition.thresholds.map((line) => ({ yAxis: line.value, name: t(line.label) })),
              }
            : undefined,
      })),
    };
  }, [chart, t]);
  const points = chart.series.reduce((n, s) => n + s.points.length, 0);
  return (
    <div className="reading-chart">
      <h3>{t(chart.definition.title)}</h3>
      <Chart option={option} summary={t('chartSummary', { title: t(chart.definition.title), n: chart.readings })} points={points} language={language} testId={`chart-${chart.definition.id}`} />
    </div>
  );
}

function ReadingsTable({ items }: { items: Measurement[] }) {
  const { t, language } = useConsole();
  return (
    <div className="table-wrap">
      <table data-testid="readings-table">
        <thead>
          <tr>
            <th scope="col">{t('measuredAt')}</th>
            <th scope="col">{t('kind')}</th>
            <th scope="col">{t('values')}</th>
            <th scope="col">{t('finding')}</th>
            <th scope="col">{t('files')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((m) => (
            <tr key={m.id}>
              <td>{formatDateTime(m.measuredAt, language)}</td>
              <td>{m.kind ?? m.dataType}</td>
              <td>{m.observations.map((o) => `${o.name} ${formatQuantity(o.value, o.unit, language)}`).join(', ') || '—'}</td>
              <td>{m.finding ?? '—'}</td>
              <td>
                {m.attachments.map((a) => (
                  <a key={a.url} href={a.url} target="_blank" rel="noopener noreferrer" className="file-link">
                    {a.role === 'report' ? t('fileReport') : t('fileRecording')}
                  </a>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Consents({ phone }: { phone: string }) {
  const { api, t, language } = useConsole();
  const [pages, setPages] = useState<ConsentRecord[][]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const first = useLoad(() => ok(api.GET('/api/v1/people/{phone}/consents', { params: { path: { phone }, query: { limit: 50 } } })), [api, phone]);
  const [error, setError] = useState<Error>();
  const records = [...(first.data?.items ?? []), ...pages.flat()];
  const next = cursor === undefined ? first.data?.nextCursor : cursor;
  return (
    <Section title={t('consentHistory')} id="consents">
      <ErrorNote error={first.error ?? error} />
      <Loading when={first.loading} />
      {first.data && records.length === 0 && <p className="muted">{t('none')}</p>}
      {records.length > 0 && (
        <div className="table-wrap">
          <table data-testid="consents-table">
            <tbody>
              {records.map((r, i) => (
                <tr key={`${r.pushId ?? r.requestId ?? ''}-${i}`}>
                  <td>{formatDateTime(r.sourceTime ?? r.receivedAt, language)}</td>
                  <td>{r.action === 'granted' ? t('consentGranted') : t('consentWithdrawn')}</td>
                  <td>{r.by === 'integrator' ? t('byIntegrator') : t('byUser')}</td>
                  <td>{r.outcome === 'stale' ? t('consentStale') : ''}</td>
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
            setError(undefined);
            ok(api.GET('/api/v1/people/{phone}/consents', { params: { path: { phone }, query: { limit: 50, cursor: next } } }))
              .then((page) => {
                setPages((p) => [...p, page.items]);
                setCursor(page.nextCursor ?? null);
              })
              .catch((err: Error) => setError(err));
          }}
        >
          {t('loadMore')}
        </button>
      )}
    </Section>
  );
}
