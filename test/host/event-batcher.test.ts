import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventBatcher, type BatchInfo } from '../../src/main/host/event-batcher';
import type { LabEvent } from '../../src/shared/protocol';
import { FakeLab } from './fake-lab';

function collect(): { batches: LabEvent[][]; infos: BatchInfo[]; deliver: (events: LabEvent[], info: BatchInfo) => void } {
  const batches: LabEvent[][] = [];
  const infos: BatchInfo[] = [];
  return { batches, infos, deliver: (events, info) => (batches.push(events), infos.push(info)) };
}

const sent = (msgId: number) => ({ type: 'message.sent' as const, msgId, clientId: 'client-1', text: 'hi' });

describe('EventBatcher', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('delivers nothing and arms no timer while the Lab is idle', () => {
    const lab = new FakeLab();
    const sink = collect();
    const batcher = new EventBatcher(lab, sink.deliver);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(1000);
    expect(sink.batches).toEqual([]);
    batcher.dispose();
  });

  it('coalesces events within one frame into one batch, in order', () => {
    const lab = new FakeLab();
    const sink = collect();
    const batcher = new EventBatcher(lab, sink.deliver, { intervalMs: 16 });
    const a = lab.emit(sent(1));
    vi.advanceTimersByTime(10);
    const b = lab.emit({ type: 'error', message: 'boom' });
    expect(sink.batches).toEqual([]);
    vi.advanceTimersByTime(6);
    expect(sink.batches).toEqual([[a, b]]);
    expect(vi.getTimerCount()).toBe(0);

    const c = lab.emit(sent(2));
    vi.advanceTimersByTime(16);
    expect(sink.batches).toEqual([[a, b], [c]]);
    batcher.dispose();
  });

  it('merges conn.bytes for the same connection by summing, without touching the Lab’s objects', () => {
    const lab = new FakeLab();
    const sink = collect();
    const batcher = new EventBatcher(lab, sink.deliver);
    const first = lab.emit({ type: 'conn.bytes', connId: 7, up: 10, down: 1 });
    lab.emit({ type: 'conn.bytes', connId: 8, up: 5, down: 5 });
    lab.emit({ type: 'conn.bytes', connId: 7, up: 3, down: 20 });
    lab.emit({ type: 'conn.bytes', connId: 7, up: 1, down: 0 });
    vi.advanceTimersByTime(16);
    expect(sink.batches).toHaveLength(1);
    expect(sink.batches[0]).toEqual([
      { type: 'conn.bytes', connId: 7, up: 14, down: 21, seq: first.seq, t: first.t },
      { type: 'conn.bytes', connId: 8, up: 5, down: 5, seq: 2, t: 2 },
    ]);
    expect(first).toMatchObject({ up: 10, down: 1 });

    // A new batch starts a new merge.
    lab.emit({ type: 'conn.bytes', connId: 7, up: 2, down: 2 });
    vi.advanceTimersByTime(16);
    expect(sink.batches[1]).toMatchObject([{ type: 'conn.bytes', connId: 7, up: 2, down: 2 }]);
    batcher.dispose();
  });

  it('over the cap drops message.sent/replied (and counts them) but keeps every structural event', () => {
    const lab = new FakeLab();
    const sink = collect();
    const batcher = new EventBatcher(lab, sink.deliver, { maxBatch: 3 });
    for (let i = 1; i <= 5; i++) lab.emit(sent(i));
    lab.emit({ type: 'message.replied', msgId: 1, clientId: 'client-1', connId: 1, backendId: '1', reply: 'x', latencyMs: 1 });
    lab.emit({ type: 'backend.removed', backendId: '2' });
    lab.emit({ type: 'message.failed', msgId: 9, clientId: 'client-1', connId: null, backendId: null, error: 'refused' });
    lab.emit({
      type: 'conn.closed',
      connId: 1,
      backendId: '1',
      reason: 'completed',
      bytesUp: 1,
      bytesDown: 1,
      durationMs: 1,
    });
    vi.advanceTimersByTime(16);
    const types = sink.batches[0]?.map((event) => event.type);
    expect(types).toEqual(['message.sent', 'message.sent', 'message.sent', 'backend.removed', 'message.failed', 'conn.closed']);
    expect(sink.infos[0]).toEqual({ dropped: 3 });

    lab.emit(sent(6));
    vi.advanceTimersByTime(16);
    expect(sink.infos[1]).toEqual({ dropped: 0 });
    batcher.dispose();
  });

  it('flush delivers at once; dispose unsubscribes and drops what is pending', () => {
    const lab = new FakeLab();
    const sink = collect();
    const batcher = new EventBatcher(lab, sink.deliver);
    const a = lab.emit(sent(1));
    batcher.flush();
    expect(sink.batches).toEqual([[a]]);
    expect(vi.getTimerCount()).toBe(0);

    lab.emit(sent(2));
    batcher.dispose();
    batcher.dispose();
    expect(lab.listenerCount).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(100);
    expect(sink.batches).toHaveLength(1);
  });

  it('keeps up with a burst: 20,000 events in one frame become one batch', () => {
    const lab = new FakeLab();
    const sink = collect();
    const batcher = new EventBatcher(lab, sink.deliver);
    for (let i = 0; i < 10_000; i++) lab.emit({ type: 'conn.bytes', connId: i % 50, up: 1, down: 2 });
    for (let i = 0; i < 10_000; i++) lab.emit(sent(i));
    vi.advanceTimersByTime(16);
    expect(sink.batches).toHaveLength(1);
    const batch = sink.batches[0] ?? [];
    expect(batch.filter((event) => event.type === 'conn.bytes')).toHaveLength(50);
    expect(batch).toHaveLength(5_000);
    expect(sink.infos[0]?.dropped).toBe(10_000 - (5_000 - 50));
    batcher.dispose();
  });
});
