import { afterEach, describe, expect, it } from 'vitest';
import type { LabEvent } from '../../src/shared/protocol';
import { Lab } from '../../src/main/core/lab';
import type { Clock } from '../../src/main/core/clock';
import { waitFor } from '../core/helpers';

const labs: Lab[] = [];
afterEach(async () => {
  for (const lab of labs.splice(0)) await lab.close();
});

type Of<T extends LabEvent['type']> = Extract<LabEvent, { type: T }>;
function ofType<T extends LabEvent['type']>(events: LabEvent[], type: T): Array<Of<T>> {
  return events.filter((e): e is Of<T> => e.type === type);
}

async function lab(options: { clock?: Clock; backends?: number } = {}): Promise<{ lab: Lab; events: LabEvent[] }> {
  const l = await Lab.create({ balancerPort: 0, clock: options.clock });
  labs.push(l);
  for (let i = 1; i <= (options.backends ?? 2); i++) await l.addManagedBackend({ id: String(i), port: 0 });
  const events: LabEvent[] = [];
  l.onEvent((e) => events.push(e));
  return { lab: l, events };
}

async function settled(l: Lab, events: LabEvent[]): Promise<void> {
  await waitFor(
    () =>
      ofType(events, 'message.replied').length + ofType(events, 'message.failed').length ===
        ofType(events, 'message.sent').length &&
      ofType(events, 'conn.closed').length === ofType(events, 'conn.opened').length &&
      l.snapshot().balancer.activeConnections === 0,
    { timeoutMs: 10_000, label: 'everything settled' },
  );
}

describe('Lab metrics', () => {
  it('counters equal what the backends saw: messages and bytes', async () => {
    const { lab: l, events } = await lab({ backends: 3 });
    await l.execute({ type: 'traffic.start', rate: 300, clients: 3 });
    await waitFor(() => ofType(events, 'message.sent').length >= 150, { label: '150 sent' });
    await l.execute({ type: 'traffic.stop' });
    await settled(l, events);
    const n = ofType(events, 'message.sent').length;
    expect(ofType(events, 'message.failed')).toEqual([]);
    const sample = l.metrics();
    const served = l.snapshot().backends.reduce((sum, b) => sum + b.messagesServed, 0);
    const counted = sample.backends.reduce((sum, b) => sum + b.messagesTotal, 0);
    expect(counted).toBe(n);
    expect(served).toBe(n);
    expect(sample.balancer.messagesTotal).toBe(n);
    for (const row of sample.backends) {
      const closes = ofType(events, 'conn.closed').filter((c) => c.backendId === row.backendId);
      expect(row.bytesIn).toBe(closes.reduce((sum, c) => sum + c.bytesUp, 0));
      expect(row.bytesOut).toBe(closes.reduce((sum, c) => sum + c.bytesDown, 0));
      expect(row.total).toBe(closes.length);
      expect(row.current).toBe(0);
      expect(row.messagesTotal).toBe(l.snapshot().backends.find((b) => b.id === row.backendId)!.messagesServed);
      expect(row.latency.count).toBe(row.messagesTotal);
      expect(row.latency.p50).toBeGreaterThan(0);
    }
    expect(sample.balancer.total).toBe(n);
    expect(sample.balancer.max).toBeGreaterThan(0);
    expect(sample.balancer.messagesPerSecond).toBeGreaterThan(0);
    expect(sample.traffic).toMatchObject({ sent: n, replied: n, failed: 0, inFlight: 0 });
  });

  it('emits metrics at most every 100 ms while busy and none when idle', async () => {
    const { lab: l, events } = await lab();
    await l.execute({ type: 'traffic.start', rate: 200 });
    await waitFor(() => ofType(events, 'metrics').length >= 5, { label: 'metrics while busy' });
    await l.execute({ type: 'traffic.stop' });
    const times = ofType(events, 'metrics').map((e) => e.t);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(95);
    const last = ofType(events, 'metrics').at(-1)!.sample;
    expect(last.backends.map((b) => b.backendId)).toEqual(['1', '2']);
    expect(last.balancer.messagesTotal).toBeGreaterThan(0);
  });

  it('a fresh idle Lab emits no metrics', async () => {
    const { lab: l, events } = await lab();
    // Setting up (backends starting) is a change: let its one sample go out first.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const before = ofType(events, 'metrics').length;
    expect(before).toBeLessThanOrEqual(1);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(ofType(events, 'metrics').length).toBe(before);
    expect(l.metrics().balancer.latency.count).toBe(0);
  });

  it('the latency window follows the Lab clock and forgets old messages', async () => {
    let now = 0;
    const clock: Clock = { now: () => now };
    const { lab: l, events } = await lab({ clock });
    for (let i = 0; i < 5; i++) {
      await l.execute({ type: 'message.send', text: `m${i}` });
      await waitFor(() => ofType(events, 'message.replied').length === i + 1, { label: `reply ${i}` });
    }
    now = 2000;
    expect(l.metrics().balancer.latency.count).toBe(5);
    expect(l.metrics().balancer.messagesTotal).toBe(5);
    now = 12_000;
    const later = l.metrics();
    expect(later.balancer.latency).toEqual({ p50: null, p95: null, p99: null, count: 0 });
    expect(later.balancer.messagesPerSecond).toBe(0);
    expect(later.balancer.messagesTotal).toBe(5);
  });
});
