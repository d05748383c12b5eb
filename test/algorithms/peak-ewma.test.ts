import { describe, expect, it } from 'vitest';
import { createPeakEwma, peakEwmaScore, UNSEEN_PENALTY, updateEwma } from '../../src/main/core/algorithms/peak-ewma';
import { ctx, picks, pool } from './helpers';

describe('peak EWMA', () => {
  it('lowest ewma × (active + 1) wins', () => {
    const pe = createPeakEwma();
    // a: 10 × 3 = 30, b: 40 × 1 = 40, c: 20 × 2 = 40.
    const d = pe.pick(pool(['a', 1, 2, 10], ['b', 1, 0, 40], ['c', 1, 1, 20]), ctx());
    expect(d.backendId).toBe('a');
    expect(d.reason).toBe('a: 10.0ms × 3 = 30.0 vs b: 40.0ms × 1 = 40.0 → a');
    expect(d.candidates.map((c) => c.score)).toEqual(['10.0ms × 3 = 30.0', '40.0ms × 1 = 40.0', '20.0ms × 2 = 40.0']);
    // A slow backend loses even when idle.
    expect(pe.pick(pool(['fast', 1, 3, 5], ['slow', 1, 0, 100]), ctx()).backendId).toBe('fast');
  });

  it('tries an unseen idle backend, but not one that already has connections open', () => {
    const pe = createPeakEwma();
    const d = pe.pick(pool(['a', 1, 0, 5], ['new', 1, 0]), ctx());
    expect(d.backendId).toBe('new');
    expect(d.reason).toBe('new: unseen, idle → try vs a: 5.0ms × 1 = 5.0 → new');
    expect(pe.pick(pool(['a', 1, 4, 5], ['new', 1, 1]), ctx()).backendId).toBe('a');
    expect(peakEwmaScore({ id: 'x', weight: 1, active: 2 })).toBe(UNSEEN_PENALTY + 2);
  });

  it('ties rotate in round-robin order', () => {
    const pe = createPeakEwma();
    const p = pool(['a', 1, 0], ['b', 1, 0], ['c', 1, 0]);
    pe.poolChanged?.(p);
    expect(picks(pe, p, 4)).toEqual(['a', 'b', 'c', 'a']);
    const same = pool(['a', 1, 1, 10], ['b', 1, 1, 10]);
    expect(pe.pick(same, ctx()).reason).toBe('b: 10.0ms × 2 = 20.0 vs a: 10.0ms × 2 = 20.0 (tie, next in turn) → b');
  });

  it('updateEwma jumps to a higher sample at once', () => {
    expect(updateEwma(undefined, 42, 0)).toBe(42);
    expect(updateEwma(10, 50, 1)).toBe(50);
    expect(updateEwma(10, 50, 1_000_000)).toBe(50);
  });

  it('updateEwma decays toward a lower sample with w = exp(-elapsed/decay)', () => {
    // elapsed = decay: w = e^-1 → 100·0.3679 + 20·0.6321.
    expect(updateEwma(100, 20, 10_000)).toBeCloseTo(100 * Math.exp(-1) + 20 * (1 - Math.exp(-1)), 12);
    expect(updateEwma(100, 20, 1_000, 1_000)).toBeCloseTo(49.430355, 5);
    expect(updateEwma(100, 20, 0)).toBe(100); // no time passed: no decay
    expect(updateEwma(100, 20, 1e9)).toBeCloseTo(20, 9); // long ago: the sample
    expect(updateEwma(100, 20, -5)).toBe(100); // clock went backwards: treated as no time
    expect(updateEwma(100, Number.NaN, 10)).toBe(100); // bad sample ignored
  });
});
