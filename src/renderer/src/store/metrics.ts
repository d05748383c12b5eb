import type { LabEvent, MetricsRow, MetricsSample } from '../../../shared/protocol';

/** Samples kept: 5 minutes at the engine's maximum of 10 samples per second. */
export const METRICS_CAPACITY = 3000;

/** The per-row numbers the charts plot; everything else is read from the kept samples themselves. */
export const CHART_FIELDS = ['messagesPerSecond', 'current', 'p50', 'p95', 'p99'] as const;
export type ChartField = (typeof CHART_FIELDS)[number];

/** Row key of the balancer-wide (total) row in the history. */
export const TOTAL_KEY = '*';

function chartValue(row: MetricsRow, field: ChartField): number {
  switch (field) {
    case 'messagesPerSecond':
      return row.messagesPerSecond;
    case 'current':
      return row.current;
    case 'p50':
    case 'p95':
    case 'p99':
      // NaN marks "no messages in the window": a gap in the line, not a zero.
      return row.latency[field] ?? Number.NaN;
  }
}

/**
 * The last `capacity` metrics samples, outside React state: a ring of the sample objects (for the table and
 * CSV export) plus one Float64Array ring per (row, charted field), so 10 samples a second cost no allocation
 * beyond the first sighting of a backend. Mutable on purpose; the store slice that holds it changes identity
 * on every append, which is what subscribers watch.
 */
export class MetricsHistory {
  private readonly times: Float64Array;
  private readonly ring: (MetricsSample | undefined)[];
  /** Row key (backend id or TOTAL_KEY) → field → ring of values (NaN = row absent or no value). */
  private readonly columns = new Map<string, Record<ChartField, Float64Array>>();
  /** Backend ids in first-seen order. */
  private readonly backendKeys: string[] = [];
  /** Ring index the next sample goes to. */
  private next = 0;
  /** Samples held (≤ capacity). */
  size = 0;

  constructor(readonly capacity = METRICS_CAPACITY) {
    this.times = new Float64Array(capacity);
    this.ring = new Array<MetricsSample | undefined>(capacity);
  }

  /** Append one sample; the oldest is overwritten once full. A sample older than the newest restarts the history. */
  append(sample: MetricsSample): void {
    const latest = this.latest();
    if (latest && sample.t < latest.t) this.clear();
    const slot = this.next;
    this.times[slot] = sample.t;
    this.ring[slot] = sample;
    const seen = new Set<string>();
    this.write(TOTAL_KEY, slot, sample.balancer);
    seen.add(TOTAL_KEY);
    for (const row of sample.backends) {
      if (row.backendId === null) continue;
      this.write(row.backendId, slot, row);
      seen.add(row.backendId);
    }
    // Rows missing from this sample (a removed backend) get a gap, not their old value.
    for (const [key, cols] of this.columns) {
      if (seen.has(key)) continue;
      for (const field of CHART_FIELDS) cols[field][slot] = Number.NaN;
    }
    this.next = (slot + 1) % this.capacity;
    this.size = Math.min(this.capacity, this.size + 1);
  }

  /** Forget everything (e.g. a different Lab answered after a reconnect). */
  clear(): void {
    this.next = 0;
    this.size = 0;
    this.ring.fill(undefined);
    this.columns.clear();
    this.backendKeys.length = 0;
  }

  /** The newest sample, or null when empty. */
  latest(): MetricsSample | null {
    if (this.size === 0) return null;
    return this.ring[(this.next - 1 + this.capacity) % this.capacity] ?? null;
  }

  /** Every kept sample, oldest first. */
  samples(): MetricsSample[] {
    const out: MetricsSample[] = [];
    for (let i = 0; i < this.size; i++) {
      const sample = this.ring[this.index(i)];
      if (sample) out.push(sample);
    }
    return out;
  }

  /** Backend ids seen in the kept samples, first seen first. */
  backends(): readonly string[] {
    return this.backendKeys;
  }

  /** Lab time (ms) of the i-th kept sample, oldest first. */
  timeAt(i: number): number {
    return this.times[this.index(i)] ?? Number.NaN;
  }

  /** Value of `field` for row `key` at the i-th kept sample (NaN when absent). */
  valueAt(key: string, field: ChartField, i: number): number {
    const cols = this.columns.get(key);
    return cols ? (cols[field][this.index(i)] ?? Number.NaN) : Number.NaN;
  }

  /**
   * Copy a field of a row into `out` (reused between calls), oldest first, from the i-th kept sample on;
   * NaN becomes null, which uPlot draws as a gap.
   */
  fill(key: string, field: ChartField, from: number, out: (number | null)[]): (number | null)[] {
    const count = Math.max(0, this.size - from);
    out.length = count;
    const col = this.columns.get(key)?.[field];
    for (let i = 0; i < count; i++) {
      const v = col ? (col[this.index(from + i)] ?? Number.NaN) : Number.NaN;
      out[i] = Number.isNaN(v) ? null : v;
    }
    return out;
  }

  /** Index of the first kept sample at or after Lab time `t` (binary search; times only grow). */
  firstAtOrAfter(t: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.timeAt(mid) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private index(i: number): number {
    return (this.next - this.size + i + this.capacity * 2) % this.capacity;
  }

  private write(key: string, slot: number, row: MetricsRow): void {
    let cols = this.columns.get(key);
    if (!cols) {
      cols = {} as Record<ChartField, Float64Array>;
      for (const field of CHART_FIELDS) cols[field] = new Float64Array(this.capacity).fill(Number.NaN);
      this.columns.set(key, cols);
      if (key !== TOTAL_KEY) this.backendKeys.push(key);
    }
    for (const field of CHART_FIELDS) cols[field][slot] = chartValue(row, field);
  }
}

/** The store's metrics slice: the shared history and the newest sample (changes identity per append). */
export interface MetricsSlice {
  history: MetricsHistory;
  latest: MetricsSample | null;
  /** Samples appended so far (monotonic), so throttled readers can tell "nothing new" cheaply. */
  version: number;
}

/** A fresh, empty metrics slice. */
export function emptyMetrics(capacity = METRICS_CAPACITY): MetricsSlice {
  return { history: new MetricsHistory(capacity), latest: null, version: 0 };
}

/**
 * Append the `metrics` events of an accepted batch to the slice's history. Appends in place (the history is a
 * ring, not React state) and returns a new slice object only when something was appended.
 */
export function appendMetrics(slice: MetricsSlice, events: readonly LabEvent[]): MetricsSlice {
  let appended = 0;
  for (const event of events) {
    if (event.type !== 'metrics') continue;
    slice.history.append(event.sample);
    appended++;
  }
  if (appended === 0) return slice;
  return { history: slice.history, latest: slice.history.latest(), version: slice.version + appended };
}

/** uPlot-shaped columns: x (seconds relative to the newest sample) then one array per series. */
export type ChartColumns = [number[], ...(number | null)[][]];

/** One plotted line: which row and field, and its legend label. */
export interface SeriesSpec {
  key: string;
  field: ChartField;
  label: string;
}

/** The series of each chart for the backends seen so far. */
export function chartSeries(chart: 'throughput' | 'latency' | 'connections', backends: readonly string[]): SeriesSpec[] {
  switch (chart) {
    case 'throughput':
      return [
        { key: TOTAL_KEY, field: 'messagesPerSecond', label: 'Total' },
        ...backends.map((id) => ({ key: id, field: 'messagesPerSecond' as const, label: `Server ${id}` })),
      ];
    case 'latency':
      return [
        { key: TOTAL_KEY, field: 'p50', label: 'p50' },
        { key: TOTAL_KEY, field: 'p95', label: 'p95' },
        { key: TOTAL_KEY, field: 'p99', label: 'p99' },
        ...backends.map((id) => ({ key: id, field: 'p99' as const, label: `p99 Server ${id}` })),
      ];
    case 'connections':
      return backends.map((id) => ({ key: id, field: 'current' as const, label: `Server ${id}` }));
  }
}

/**
 * Chart data for the last `windowMs` of samples: x in seconds relative to the newest sample (so the axis reads
 * "-60 s … 0 s" whatever the Lab clock says), then each series. `reuse` keeps arrays between calls.
 */
export function chartData(
  history: MetricsHistory,
  series: readonly SeriesSpec[],
  windowMs: number,
  reuse?: ChartColumns,
): ChartColumns {
  const latest = history.latest();
  const from = latest ? history.firstAtOrAfter(latest.t - windowMs) : history.size;
  const xs = reuse?.[0] ?? [];
  const count = Math.max(0, history.size - from);
  xs.length = count;
  const newest = latest?.t ?? 0;
  for (let i = 0; i < count; i++) xs[i] = (history.timeAt(from + i) - newest) / 1000;
  const out: ChartColumns = [xs];
  series.forEach((spec, i) => out.push(history.fill(spec.key, spec.field, from, reuse?.[i + 1] ?? [])));
  return out;
}
