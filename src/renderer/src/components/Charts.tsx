import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { backendColor } from '../app/backendColors';
import { useLab, useServices } from '../app/context';
import { chartData, chartSeries, type ChartColumns, type SeriesSpec } from '../store/metrics';
import type { LabStore } from '../store/labStore';
import type { Theme } from '../store/types';

/** Charts redraw at most this often (the engine samples at most 10×/s). */
export const CHART_REFRESH_MS = 100;

type ChartKind = 'throughput' | 'latency' | 'connections';

const CHARTS: { kind: ChartKind; title: string; unit: string }[] = [
  { kind: 'throughput', title: 'Throughput', unit: 'messages/s' },
  { kind: 'latency', title: 'Latency', unit: 'ms' },
  { kind: 'connections', title: 'Open connections', unit: 'per backend' },
];

const WINDOWS = [
  { ms: 60_000, label: 'Last 1 min' },
  { ms: 300_000, label: 'Last 5 min' },
];

/** Backend ids seen in the kept samples, as one string so the selector result compares by value. */
const selectBackendKey = (s: LabStore): string => s.metrics.history.backends().join('\u0000');

/** Live uPlot charts of throughput, latency percentiles and open connections over the kept samples. */
export function Charts() {
  const hasData = useLab((s) => s.metrics.version > 0);
  const [windowMs, setWindowMs] = useState(WINDOWS[0]?.ms ?? 60_000);
  return (
    <section className="charts-panel" aria-label="Charts">
      <div className="charts-head">
        <label className="charts-window">
          <span>Window</span>
          <select value={windowMs} onChange={(e) => setWindowMs(Number(e.target.value))}>
            {WINDOWS.map((w) => (
              <option key={w.ms} value={w.ms}>
                {w.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {hasData ? (
        <div className="charts-grid">
          {CHARTS.map((chart) => (
            <Chart key={chart.kind} {...chart} windowMs={windowMs} />
          ))}
        </div>
      ) : (
        <p className="empty">No metrics yet. Start traffic: the balancer reports its counters up to 10 times a second.</p>
      )}
    </section>
  );
}

interface ChartColours {
  text: string;
  muted: string;
  grid: string;
}

function readColours(): ChartColours {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string): string => css.getPropertyValue(name).trim() || fallback;
  return { text: v('--text', '#1b1f24'), muted: v('--text-muted', '#5d6673'), grid: v('--viz-grid', '#e9edf2') };
}

/** uPlot series options for our specs: backends in their identity colour, totals and percentiles in text tones. */
function seriesOptions(specs: readonly SeriesSpec[], theme: Theme, colours: ChartColours): uPlot.Series[] {
  return specs.map((spec) => {
    const total = spec.key === '*';
    const stroke = total ? (spec.field === 'p50' ? colours.muted : colours.text) : backendColor(spec.key, theme);
    const dash = spec.field === 'p95' ? [6, 4] : !total && spec.field === 'p99' ? [3, 3] : undefined;
    return {
      label: spec.label,
      stroke,
      width: total && (spec.field === 'messagesPerSecond' || spec.field === 'p99') ? 2 : 1.5,
      ...(dash ? { dash } : {}),
      points: { show: false },
      spanGaps: false,
    };
  });
}

function Chart({ kind, title, unit, windowMs }: { kind: ChartKind; title: string; unit: string; windowMs: number }) {
  const { store } = useServices();
  const theme = useLab((s) => s.ui.theme);
  const backendKey = useLab(selectBackendKey);
  const holder = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = holder.current;
    if (!el) return;
    const history = store.getState().metrics.history;
    const specs = chartSeries(kind, backendKey === '' ? [] : backendKey.split('\u0000'));
    const colours = readColours();
    const span = windowMs / 1000;
    // The legend sits under the plot inside the holder; its height depends on how many series wrap.
    let legendHeight = 28;
    const size = (): { width: number; height: number } => ({
      width: Math.max(160, Math.floor(el.clientWidth)),
      height: Math.max(80, Math.floor(el.clientHeight) - legendHeight),
    });
    const fit = (): void => {
      const legend = plot.root.querySelector<HTMLElement>('.u-legend');
      legendHeight = legend ? legend.offsetHeight + 4 : 28;
      plot.setSize(size());
    };
    const axis = (label: (v: number) => string): uPlot.Axis => ({
      stroke: colours.muted,
      grid: { stroke: colours.grid, width: 1 },
      ticks: { stroke: colours.grid, width: 1 },
      font: '11px system-ui, sans-serif',
      values: (_u, values) => values.map(label),
    });
    let data: ChartColumns = chartData(history, specs, windowMs);
    const plot = new uPlot(
      {
        ...size(),
        // Relative time on a fixed window: the axis reads the same whatever the Lab clock is.
        scales: { x: { time: false, range: [-span, 0] }, y: { range: (_u, _min, max) => [0, niceMax(max)] } },
        axes: [
          axis((v) => (v === 0 ? 'now' : `${v}s`)),
          { ...axis((v) => (Math.abs(v) >= 1000 ? `${+(v / 1000).toFixed(1)}k` : String(+v.toFixed(1)))), size: 44 },
        ],
        series: [{ label: 'Time (s)' }, ...seriesOptions(specs, theme, colours)],
        legend: { show: true, live: false },
        cursor: { drag: { x: false, y: false }, points: { show: false } },
      },
      data as uPlot.AlignedData,
      el,
    );

    let seenVersion = store.getState().metrics.version;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let last = 0;
    const redraw = (): void => {
      timer = null;
      last = performance.now();
      data = chartData(history, specs, windowMs, data);
      plot.setData(data as uPlot.AlignedData);
    };
    const unsubscribe = store.subscribe((state) => {
      if (state.metrics.version === seenVersion || timer !== null) return;
      seenVersion = state.metrics.version;
      timer = setTimeout(redraw, Math.max(0, last + CHART_REFRESH_MS - performance.now()));
    });
    fit();
    const observer = new ResizeObserver(fit);
    observer.observe(el);
    return () => {
      unsubscribe();
      observer.disconnect();
      if (timer !== null) clearTimeout(timer);
      plot.destroy();
    };
  }, [store, kind, theme, backendKey, windowMs]);

  return (
    <figure className="chart-card" aria-label={`${title} chart`}>
      <figcaption>
        {title} <span className="chart-unit">({unit})</span>
      </figcaption>
      <div ref={holder} className="chart-holder" data-chart={kind} />
    </figure>
  );
}

/** A round upper bound for the y axis (so it does not jitter with every sample). */
export function niceMax(max: number | null): number {
  if (max === null || !Number.isFinite(max) || max <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) if (max <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
}
