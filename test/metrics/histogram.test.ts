import { describe, expect, it } from 'vitest';
import type { LabEvent } from '../../src/shared/protocol';
import { LogHistogram, MetricsCollector, SlidingWindow, bucketOf, bucketValue } from '../../src/main/core/metrics';

/** Within ±2% (bucket precision is ±1%). */
function near(actual: number | null, expected: number): void {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected) / expected).toBeLessThanOrEqual(0.02);
}

describe('LogHistogram', () => {
  it('gives percentiles of 1..1000 ms to bucket precision', () => {
    const h = new LogHistogram();
    for (let v = 1; v <= 1000; v++) h.record(v);
    const [p50, p95, p99, p100] = h.quantiles([0.5, 0.95, 0.99, 1]);
    near(p50!, 500);
    near(p95!, 950);
    near(p99!, 990);
    near(p100!, 1000);
    expect(h.count).toBe(1000);
  });

  it('reports every bucket value within 1% of what was recorded', () => {
    for (const v of [0.05, 0.3, 1, 7.7, 42, 999, 12_345, 600_000]) {
      expect(Math.abs(bucketValue(bucketOf(v)) - v) / v).toBeLessThanOrEqual(0.0101);
    }
  });

  it('is empty-safe and merges', () => {
    const a = new LogHistogram();
    expect(a.quantiles([0.5])).toEqual([null]);
    const b = new LogHistogram();
    for (let i = 0; i < 100; i++) a.record(10);
    for (let i = 0; i < 100; i++) b.record(100);
    a.add(b);
    const [p25, p75] = a.quantiles([0.25, 0.75]);
    near(p25!, 10);
    near(p75!, 100);
  });
});

describe('SlidingWindow', () => {
  it('forgets data older than the window as the clock moves on', () => {
    const w = new SlidingWindow(10_000, 1000, 0);
    for (let i = 0; i < 100; i++) w.record(i * 10, 5); // 100 messages in the first second
    for (let i = 0; i < 100; i++) w.record(5000 + i * 10, 50); // 100 in second 5
    const at6 = w.summary(6000);
    expect(at6.latency.count).toBe(200);
    near(at6.latency.p50!, 5);
    near(at6.latency.p99!, 50);
    near(at6.messagesPerSecond, 200 / 6);
    // At t = 10.5 s the first second has left the window.
    const later = w.summary(10_500);
    expect(later.latency.count).toBe(100);
    near(later.latency.p50!, 50);
    expect(w.hasData(10_500)).toBe(true);
    // And 10 s after the last message, nothing is left.
    const gone = w.summary(16_500);
    expect(gone.latency).toEqual({ p50: null, p95: null, p99: null, count: 0 });
    expect(gone.messagesPerSecond).toBe(0);
    expect(w.hasData(16_500)).toBe(false);
  });
});

describe('MetricsCollector', () => {
  let seq = 0;
  const ev = (t: number, body: Record<string, unknown>): LabEvent => ({ seq: ++seq, t, ...body }) as LabEvent;
  const decision = { algorithm: 'round-robin', backendId: 'a', reason: '', candidates: [] };

  it('counts connections, bytes, errors, retries and latency per backend and overall', () => {
    const c = new MetricsCollector(10_000, 0);
    c.observe(ev(1, { type: 'conn.retry', connId: 1, backendId: 'b', error: 'connection refused by 127.0.0.1:9' }));
    c.observe(ev(2, { type: 'conn.retry', connId: 1, backendId: 'b', error: 'connect timeout after 1000 ms' }));
    c.observe(ev(3, { type: 'conn.opened', connId: 1, clientAddress: '127.0.0.1', clientPort: 1, backendId: 'a', decision, retried: ['b'] }));
    c.observe(ev(4, { type: 'conn.opened', connId: 2, clientAddress: '127.0.0.1', clientPort: 2, backendId: 'a', decision, retried: [] }));
    c.observe(ev(5, { type: 'conn.bytes', connId: 1, up: 6, down: 0 }));
    c.observe(ev(6, { type: 'message.replied', msgId: 1, clientId: 'c', connId: 1, backendId: 'a', reply: 'x', latencyMs: 2 }));
    c.observe(ev(7, { type: 'conn.closed', connId: 1, backendId: 'a', reason: 'completed', bytesUp: 6, bytesDown: 30, durationMs: 5 }));
    c.observe(ev(8, { type: 'conn.closed', connId: 2, backendId: 'a', reason: 'backend-reset', bytesUp: 4, bytesDown: 0, durationMs: 5 }));
    c.observe(ev(9, { type: 'conn.closed', connId: 3, backendId: null, reason: 'no-backend', bytesUp: 0, bytesDown: 0, durationMs: 1 }));
    const views = ['a', 'b'].map((id) => ({ id, queueLength: id === 'b' ? 3 : undefined })) as never;
    const s = c.sample(1000, views);
    const [a, b] = s.backends;
    expect(a).toMatchObject({ backendId: 'a', current: 0, max: 2, total: 2, bytesIn: 10, bytesOut: 30, messagesTotal: 1 });
    expect(a!.errors).toEqual({ refused: 0, reset: 1, timeout: 0 });
    expect(b).toMatchObject({ backendId: 'b', retries: 2, queue: 3, errors: { refused: 1, reset: 0, timeout: 1 } });
    expect(s.balancer).toMatchObject({ backendId: null, max: 2, total: 2, bytesIn: 10, bytesOut: 30, retries: 2, queue: 3 });
    expect(s.balancer.errors).toEqual({ refused: 2, reset: 1, timeout: 1 });
    near(s.balancer.latency.p50!, 2);
  });
});
