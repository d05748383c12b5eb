/** The --events writer: one write per tick, backpressure respected, bounded backlog. */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { LineWriter } from '../../src/main/cli/line-writer';

/** A sink that reports "full" after `capacity` writes until drained by hand. */
class FakeSink extends EventEmitter {
  writes: string[] = [];
  constructor(private capacity = Infinity) {
    super();
  }
  write(chunk: string): boolean {
    this.writes.push(chunk);
    return this.writes.length < this.capacity;
  }
  drain(): void {
    this.capacity = Infinity;
    this.emit('drain');
  }
}

/** A scheduler the test steps by hand. */
function manualScheduler(): { schedule: (flush: () => void) => void; run: () => void } {
  const queue: Array<() => void> = [];
  return { schedule: (flush) => queue.push(flush), run: () => queue.splice(0).forEach((flush) => flush()) };
}

describe('LineWriter', () => {
  it('coalesces a tick of lines into one write', () => {
    const sink = new FakeSink();
    const tick = manualScheduler();
    const writer = new LineWriter(sink, { schedule: tick.schedule });
    for (let i = 0; i < 1000; i++) writer.push(`{"n":${i}}`);
    expect(sink.writes).toHaveLength(0);
    tick.run();
    expect(sink.writes).toHaveLength(1);
    expect(sink.writes[0]?.split('\n')).toHaveLength(1001);
    expect(sink.writes[0]?.endsWith('{"n":999}\n')).toBe(true);
  });

  it('waits for drain, buffers a bounded backlog and reports drops', () => {
    const sink = new FakeSink(1);
    const tick = manualScheduler();
    const dropped: number[] = [];
    const writer = new LineWriter(sink, {
      schedule: tick.schedule,
      maxPendingLines: 3,
      onDropped: (n) => dropped.push(n),
    });
    writer.push('a');
    tick.run();
    expect(sink.writes).toEqual(['a\n']);
    for (const line of ['b', 'c', 'd', 'e', 'f']) writer.push(line);
    tick.run();
    expect(sink.writes).toEqual(['a\n']);
    expect(writer.pendingLines).toBe(3);
    sink.drain();
    expect(sink.writes).toEqual(['a\n', 'b\nc\nd\n']);
    expect(dropped).toEqual([2]);
  });

  it('close() resolves once the backlog is written', async () => {
    const sink = new FakeSink(1);
    const tick = manualScheduler();
    const writer = new LineWriter(sink, { schedule: tick.schedule });
    writer.push('a');
    tick.run();
    writer.push('b');
    const closed = writer.close(5000);
    let done = false;
    void closed.then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    sink.drain();
    await closed;
    expect(sink.writes).toEqual(['a\n', 'b\n']);
  });

  it('keeps up with 20k lines per second of real JSON', () => {
    const sink = new FakeSink();
    const tick = manualScheduler();
    const writer = new LineWriter(sink, { schedule: tick.schedule });
    const event = { seq: 1, t: 1, type: 'conn.bytes', connId: 7, up: 64, down: 64 };
    const started = performance.now();
    for (let i = 0; i < 20_000; i++) {
      writer.push(JSON.stringify({ ...event, seq: i }));
      if (i % 500 === 0) tick.run();
    }
    tick.run();
    expect(performance.now() - started).toBeLessThan(500);
    expect(sink.writes.join('').split('\n')).toHaveLength(20_001);
  });
});
