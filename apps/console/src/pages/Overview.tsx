import { useEffect, useMemo, useState } from 'react';
import type { EChartsCoreOption } from 'echarts/core';
import { ok } from '../api/client';
import { useConsole, useLoad } from '../app/context';
import { Chart } from '../components/Chart';
import { ErrorNote, Loading, Section } from '../components/common';
import { formatDateTime, formatNumber, formatPercent } from '../lib/format';
import type { MessageKey } from '../lib/i18n';
import { pushFlow } from '../lib/overview';

const HOURS = [1, 6, 24, 72] as const;
const REFRESH_MS = 30_000;
const CIRCUIT: Record<string, MessageKey> = { closed: 'circuitClosed', open: 'circuitOpen', 'half-open': 'circuitHalfOpen' };
const OUTCOME_COLOURS: Record<string, string> = { applied: '#1769d1', archived: '#2e9d5b', stale: '#d99a1e', ignored: '#b3261e' };

/** Is data flowing: pushes per minute, Viatom's health, the outbox and how deliveries fare. */
export function Overview() {
  const { api, t, language } = useConsole();
  const [hours, setHours] = useState<number>(6);
  const overview = useLoad(() => ok(api.GET('/api/v1/overview', { params: { query: { hours } } })), [api, hours]);
  const { reload } = overview;
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);

  const data = overview.data;
  const flow = useMemo(() => (data ? pushFlow(data.pushes, data.from, data.to) : null), [data]);
  const option = useMemo<EChartsCoreOption | null>(() => {
    if (!flow) return null;
    return {
      animation: false,
      tooltip: { trigger: 'axis', renderMode: 'richText' },
      legend: { type: 'scroll', bottom: 0 },
      grid: { left: 40, right: 16, top: 16, bottom: 48 },
      xAxis: { type: 'time' },
      yAxis: { type: 'value', minInterval: 1 },
      series: flow.series.map((s) => ({
        name: `${s.type} ${s.outcome}`,
        type: 'bar',
        stack: 'pushes',
        barMaxWidth: 12,
        itemStyle: { color: OUTCOME_COLOURS[s.outcome], opacity: s.type === '1' ? 1 : s.type === '2' ? 0.75 : 0.5 },
        data: flow.minutes.map((m, i) => [m, s.counts[i] ?? 0]),
      })),
    };
  }, [flow]);

  return (
    <div className="page">
      <div className="page-header">
        <h1>{t('navOverview')}</h1>
        <div className="actions">
          <label>
            <span className="visually-hidden">{t('range')}</span>
            <select value={hours} onChange={(e) => setHours(Number(e.target.value))} aria-label={t('range')}>
              {HOURS.map((h) => (
                <option key={h} value={h}>
                  {t('lastHours', { n: h })}
                </option>
              ))}
            </select>
          </label>
          <button type="button" onClick={reload}>
            {t('refresh')}
          </button>
        </div>
      </div>
      <ErrorNote error={overview.error} />
      <Loading when={overview.loading && (!data || overview.stale)} />
      {data && flow && option && (
        <>
          <Section title={t('pushesPerMinute')} id="pushes-per-minute" actions={<span className="muted">{t('pushesTotal', { n: flow.total })}</span>}>
            <Chart option={option} summary={`${t('pushesPerMinute')}: ${t('pushesTotal', { n: flow.total })}`} points={flow.total} language={language} testId="push-flow" />
          </Section>
          <div className="grid">
            <Section title={t('viatom')} id="viatom">
              <p>
                {t('circuit')}: <span className={`badge circuit-${data.viatom.circuit}`}>{t(CIRCUIT[data.viatom.circuit] ?? 'circuitClosed')}</span>
              </p>
              <h3>{t('recentFailures')}</h3>
              {data.viatom.recentFailures.length === 0 ? (
                <p className="muted">{t('noFailures')}</p>
              ) : (
                <div className="table-wrap">
                  <table>
                    <tbody>
                      {data.viatom.recentFailures.map((f, i) => (
                        <tr key={i}>
                          <td>{formatDateTime(f.at, language)}</td>
                          <td>
                            <code>{f.endpoint}</code>
                          </td>
                          <td>{f.status ?? '—'}</td>
                          <td>{f.error}</td>
                          <td className="number">{formatNumber(f.durationMs, language)} ms</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </Section>
            <Section title={t('outbox')} id="outbox">
              <dl className="stats">
                <div>
                  <dt>{t('pendingDeliveries')}</dt>
                  <dd data-testid="pending-deliveries">{formatNumber(data.outbox.pendingDeliveries, language)}</dd>
                </div>
                <div>
                  <dt>{t('failedDeliveries')}</dt>
                  <dd>{formatNumber(data.outbox.failedDeliveries, language)}</dd>
                </div>
                <div>
                  <dt>{t('oldestPending')}</dt>
                  <dd>{formatDateTime(data.outbox.oldestPendingAt, language)}</dd>
                </div>
                <div>
                  <dt>{t('deliverySuccess')}</dt>
                  <dd>
                    {formatPercent(data.deliveries.successRate, language)}
                    <span className="muted"> {t('attemptsCounted', { ok: data.deliveries.succeeded, failed: data.deliveries.failed })}</span>
                  </dd>
                </div>
              </dl>
            </Section>
          </div>
        </>
      )}
    </div>
  );
}
