import { describe, expect, it } from 'vitest';
import { createRoundRobin } from '../../src/main/core/algorithms/round-robin';
import { picks, pool, ctx } from './helpers';

describe('round robin', () => {
  it('cycles 1,2,1,2', () => {
    const rr = createRoundRobin();
    const p = pool(['1'], ['2']);
    rr.poolChanged?.(p);
    expect(picks(rr, p, 4)).toEqual(['1', '2', '1', '2']);
  });

  it('works without a poolChanged call, in candidate order', () => {
    const rr = createRoundRobin();
    expect(picks(rr, pool(['a'], ['b'], ['c']), 5)).toEqual(['a', 'b', 'c', 'a', 'b']);
  });

  it('skips a candidate that is not eligible and keeps the turn order', () => {
    const rr = createRoundRobin();
    const all = pool(['1'], ['2'], ['3']);
    rr.poolChanged?.(all);
    expect(rr.pick(all, ctx()).backendId).toBe('1');
    // 2 excluded (e.g. already tried): the turn passes to 3.
    const d = rr.pick(pool(['1'], ['3']), ctx());
    expect(d.backendId).toBe('3');
    expect(d.reason).toBe('next in turn (1 skipped) → 3');
    expect(rr.pick(all, ctx()).backendId).toBe('1');
    expect(rr.pick(all, ctx()).backendId).toBe('2');
  });

  it('keeps order when the last chosen backend is removed', () => {
    const rr = createRoundRobin();
    const all = pool(['a'], ['b'], ['c'], ['d']);
    rr.poolChanged?.(all);
    expect(picks(rr, all, 2)).toEqual(['a', 'b']);
    const without = pool(['a'], ['c'], ['d']);
    rr.poolChanged?.(without);
    expect(picks(rr, without, 4)).toEqual(['c', 'd', 'a', 'c']);
  });

  it('keeps order when another backend is removed or added', () => {
    const rr = createRoundRobin();
    const all = pool(['a'], ['b'], ['c']);
    rr.poolChanged?.(all);
    expect(picks(rr, all, 1)).toEqual(['a']);
    const next = pool(['a'], ['c'], ['e']);
    rr.poolChanged?.(next);
    expect(picks(rr, next, 4)).toEqual(['c', 'e', 'a', 'c']);
  });

  it('wraps when the removed backend was last in the pool', () => {
    const rr = createRoundRobin();
    const all = pool(['a'], ['b'], ['c']);
    rr.poolChanged?.(all);
    expect(picks(rr, all, 3)).toEqual(['a', 'b', 'c']);
    const next = pool(['a'], ['b']);
    rr.poolChanged?.(next);
    expect(picks(rr, next, 3)).toEqual(['a', 'b', 'a']);
  });

  it('explains the choice', () => {
    const rr = createRoundRobin();
    const p = pool(['1'], ['2']);
    rr.pick(p, ctx());
    const d = rr.pick(p, ctx());
    expect(d).toEqual({
      algorithm: 'round-robin',
      backendId: '2',
      reason: 'next in turn → 2',
      candidates: [
        { backendId: '1', score: 'turn 2' },
        { backendId: '2', score: 'next' },
      ],
    });
  });
});
