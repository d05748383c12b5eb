import { describe, expect, it } from 'vitest';
import type { MetricsRow, MetricsSample } from '../../../shared/protocol';
import { ev, snapshot } from '../testing/fixtures';
import { createLabStore } from './labStore';
import { appendMetrics, chartData, chartSeries, emptyMetrics, MetricsHistory, TOTAL_KEY } from './metrics';
import { MotionQueue } from './motion';

function row(backendId: string | null, mps: number, p99: number | null = 2): MetricsRow {
  return {
    backendId,
    current: 1,
    max: 3,
    total: 10,
    bytesIn: 100,
    bytesOut: 200,
    messagesPerSecond: mps,
    messagesTotal: 50,
    errors: { refused: 0, reset: 1, timeout: 0 },
    retries: 0,
    queue: 0,
    latency: { p50: 1, p95: 1.5, p99, count: 5 },
  };
}

function sample(t: number, backends: [string, number][], total = 0): MetricsSample {
  return { t, windowMs: 1000, balancer: row(null, total), backends: backends.map(([id, mps]) => row(id, mps)) };
}

describe('metrics history (ring buffers)', () => {
  it('appends in order and wraps, keeping the newest `capacity` samples', () => {
    const h = new MetricsHistory(4);
    for (let i = 1; i <= 6; i++) h.append(sample(i * 100, [['1', i]], i * 10));
    expect(h.size).toBe(4);
    expect(h.samples().map((s) => s.t)).toEqual([300, 400, 500, 600]);
    expect([0, 1, 2, 3].map((i) => h.timeAt(i))).toEqual([300, 400, 500, 600]);
    expect([0, 1, 2, 3].map((i) => h.valueAt('1', 'messagesPerSecond', i))).toEqual([3, 4, 5, 6]);
    expect(h.valueAt(TOTAL_KEY, 'messagesPerSecond', 3)).toBe(60);
    expect(h.latest()?.t).toBe(600);
    expect(h.firstAtOrAfter(450)).toBe(2);
    expect(h.firstAtOrAfter(0)).toBe(0);
    expect(h.firstAtOrAfter(1e9)).toBe(4);
  });

  it('leaves gaps (null) for a backend before it appeared and after it went, and for missing latency', () => {
    const h = new MetricsHistory(8);
    h.append(sample(100, [['1', 5]]));
    h.append(sample(200, [['1', 5], ['2', 7]]));
    h.append(sample(300, [['2', 8]]));
    expect(h.backends()).toEqual(['1', '2']);
    expect(h.fill('1', 'messagesPerSecond', 0, [])).toEqual([5, 5, null]);
    expect(h.fill('2', 'messagesPerSecond', 0, [])).toEqual([null, 7, 8]);
    const quiet: MetricsSample = { ...sample(400, []), balancer: row(null, 0, null) };
    h.append(quiet);
    expect(h.fill(TOTAL_KEY, 'p99', 2, [])).toEqual([2, null]);
  });

  it('restarts when the Lab clock goes backwards (a new Lab)', () => {
    const h = new MetricsHistory(8);
    h.append(sample(500, [['1', 1]]));
    h.append(sample(100, [['9', 1]]));
    expect(h.size).toBe(1);
    expect(h.backends()).toEqual(['9']);
  });

  it('derives chart columns for the window, x relative to the newest sample, reusing arrays', () => {
    const h = new MetricsHistory(16);
    for (let i = 0; i < 10; i++) h.append(sample(1000 + i * 1000, [['1', i], ['2', 2 * i]], 3 * i));
    const specs = chartSeries('throughput', h.backends());
    expect(specs.map((s) => s.label)).toEqual(['Total', 'Server 1', 'Server 2']);
    const data = chartData(h, specs, 3000);
    expect(data[0]).toEqual([-3, -2, -1, 0]);
    expect(data[1]).toEqual([18, 21, 24, 27]);
    expect(data[3]).toEqual([12, 14, 16, 18]);
    const again = chartData(h, specs, 1000, data);
    expect(again[0]).toBe(data[0]);
    expect(again[0]).toEqual([-1, 0]);
    expect(chartSeries('latency', ['1']).map((s) => s.label)).toEqual(['p50', 'p95', 'p99', 'p99 Server 1']);
    expect(chartSeries('connections', ['1', '2']).map((s) => s.field)).toEqual(['current', 'current']);
    expect(chartData(new MetricsHistory(4), specs, 1000)).toEqual([[], [], [], []]);
  });

  it('appendMetrics changes the slice only when a batch holds samples', () => {
    const slice = emptyMetrics(8);
    expect(appendMetrics(slice, [ev(11, 'error', { message: 'x' })])).toBe(slice);
    const next = appendMetrics(slice, [ev(12, 'metrics', { sample: sample(5, [['1', 1]]) })]);
    expect(next).not.toBe(slice);
    expect(next.version).toBe(1);
    expect(next.latest?.t).toBe(5);
  });

  it('is fed by the store in the same single update as the rest of the batch', () => {
    const store = createLabStore({ motion: new MotionQueue() });
    store.getState().applySnapshot(snapshot());
    let updates = 0;
    store.subscribe(() => updates++);
    store.getState().applyBatch([
      ev(11, 'metrics', { sample: sample(1011, [['1', 4]], 4) }),
      ev(12, 'metrics', { sample: sample(1012, [['1', 5]], 5) }),
    ]);
    expect(updates).toBe(1);
    expect(store.getState().metrics.version).toBe(2);
    expect(store.getState().metrics.latest?.balancer.messagesPerSecond).toBe(5);
    expect(store.getState().metrics.history.size).toBe(2);
  });
});
