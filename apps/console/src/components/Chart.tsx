import { useEffect, useRef, useState } from 'react';
import type { EChartsCoreOption } from 'echarts/core';
import type { Language } from '../lib/i18n';

type ECharts = typeof import('echarts/core');
type Instance = ReturnType<ECharts['init']>;

let loading: Promise<ECharts> | null = null;
function loadECharts(): Promise<ECharts> {
  loading ??= import('./echarts').then((m) => m.echarts);
  return loading;
}

/**
 * An ECharts canvas. `summary` is what a screen reader (and a test) reads instead of the
 * picture; `points` is how many values are drawn, exposed as `data-points`.
 */
export function Chart(props: { option: EChartsCoreOption; summary: string; points: number; language: Language; height?: number; testId?: string }) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<Instance | null>(null);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    let disposed = false;
    let observer: ResizeObserver | undefined;
    void loadECharts().then((echarts) => {
      if (disposed || !element.current) return;
      chart.current = echarts.init(element.current, null, { renderer: 'canvas', locale: props.language === 'zh' ? 'ZH' : 'EN' });
      observer = new ResizeObserver(() => chart.current?.resize());
      observer.observe(element.current);
      setReady(true);
    });
    return () => {
      disposed = true;
      observer?.disconnect();
      chart.current?.dispose();
      chart.current = null;
      setReady(false);
    };
  }, [props.language]);

  useEffect(() => {
    if (ready) chart.current?.setOption(props.option, { notMerge: true });
  }, [ready, props.option]);

  return (
    <figure className="chart" data-testid={props.testId} data-points={props.points} data-ready={ready ? 'true' : 'false'}>
      <div ref={element} className="chart-canvas" role="img" aria-label={props.summary} style={{ height: props.height ?? 280 }} />
      <figcaption className="visually-hidden">{props.summary}</figcaption>
    </figure>
  );
}
