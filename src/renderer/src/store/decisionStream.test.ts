import { describe, expect, it } from 'vitest';
import { decision } from '../testing/fixtures';
import {
  addDecision,
  decisionRate,
  emptyDecisionStream,
  STREAM_LIMIT,
  STREAM_MIN_GAP_MS,
  type DecisionStream,
} from './decisionStream';

/** Feed decisions at the given Lab times (seq = index + 1). */
function feed(times: number[], start: DecisionStream = emptyDecisionStream()): DecisionStream {
  let stream = start;
  times.forEach((t, i) => (stream = addDecision(stream, decision(String((i % 3) + 1)), t, i + 1)));
  return stream;
}

describe('decision stream sampling', () => {
  it('keeps every decision when they are at least the gap apart', () => {
    const stream = feed([0, 250, 500, 1000]);
    expect(stream.entries.map((e) => e.seq)).toEqual([4, 3, 2, 1]);
    expect(stream.seen).toBe(4);
  });

  it('keeps at most one per gap at high rates and counts the rest toward the rate', () => {
    // 1000 decisions/s for one second: t = 0, 1, 2, … 999 ms.
    const times = Array.from({ length: 1000 }, (_, i) => i);
    const stream = feed(times);
    // Kept: t = 0, 250, 500, 750 → 4 per second.
    expect(stream.entries.map((e) => e.t)).toEqual([750, 500, 250, 0]);
    expect(stream.seen).toBe(1000);
    expect(decisionRate(stream, 999)).toBe(1000);
    expect(1000 / STREAM_MIN_GAP_MS).toBe(4);
  });

  it('caps the list at STREAM_LIMIT, newest first', () => {
    const stream = feed(Array.from({ length: 20 }, (_, i) => i * 300));
    expect(stream.entries).toHaveLength(STREAM_LIMIT);
    expect(stream.entries[0]?.seq).toBe(20);
    expect(stream.entries.at(-1)?.seq).toBe(20 - STREAM_LIMIT + 1);
  });

  it('measures the rate over the last second and lets it fall to 0 when decisions stop', () => {
    const stream = feed([0, 100, 200, 300, 400, 1100, 1150]);
    // Window ending at 1150 covers buckets 2..11: t = 200, 300, 400, 1100, 1150.
    expect(decisionRate(stream, 1150)).toBe(5);
    expect(decisionRate(stream, 1999)).toBe(2);
    expect(decisionRate(stream, 2200)).toBe(0);
    expect(decisionRate(emptyDecisionStream(), 0)).toBe(0);
  });

  it('starts afresh when the Lab clock goes backwards (a new Lab)', () => {
    const before = feed([5000, 5300]);
    const after = addDecision(before, decision('1'), 10, 99);
    expect(after.entries.map((e) => e.seq)).toEqual([99]);
    expect(after.seen).toBe(1);
    expect(decisionRate(after, 10)).toBe(1);
  });
});
