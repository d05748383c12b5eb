import { describe, expect, it } from 'vitest';
import { createWeightedRoundRobin, smoothWeightedOrder } from '../../src/main/core/algorithms/weighted-round-robin';
import { ctx, picks, pool } from './helpers';

describe('smooth weighted round robin (nginx)', () => {
  it('weights 5,1,1 give a a b a c a a, repeated', () => {
    const wrr = createWeightedRoundRobin();
    const p = pool(['a', 5], ['b', 1], ['c', 1]);
    wrr.poolChanged?.(p);
    const cycle = ['a', 'a', 'b', 'a', 'c', 'a', 'a'];
    expect(picks(wrr, p, 14)).toEqual([...cycle, ...cycle]);
    expect(
      smoothWeightedOrder(
        [
          { id: 'a', weight: 5 },
          { id: 'b', weight: 1 },
          { id: 'c', weight: 1 },
        ],
        7,
      ),
    ).toEqual(cycle);
  });

  it('weights 1,1 alternate', () => {
    const wrr = createWeightedRoundRobin();
    const p = pool(['x'], ['y']);
    expect(picks(wrr, p, 6)).toEqual(['x', 'y', 'x', 'y', 'x', 'y']);
  });

  it('explains with weights and the winning current weight', () => {
    const wrr = createWeightedRoundRobin();
    const p = pool(['a', 5], ['b', 1], ['c', 1]);
    const first = wrr.pick(p, ctx());
    expect(first.reason).toBe('weights a=5 b=1 c=1, current a=5 (highest) → a');
    expect(first.candidates).toEqual([
      { backendId: 'a', score: 'current 5 (w5)' },
      { backendId: 'b', score: 'current 1 (w1)' },
      { backendId: 'c', score: 'current 1 (w1)' },
    ]);
    // a paid back 7: -2 + 5 = 3.
    expect(wrr.pick(p, ctx()).reason).toBe('weights a=5 b=1 c=1, current a=3 (highest) → a');
  });

  it('follows weight changes via poolChanged, keeping current weights', () => {
    const wrr = createWeightedRoundRobin();
    const before = pool(['a', 5], ['b', 1], ['c', 1]);
    wrr.poolChanged?.(before);
    picks(wrr, before, 7); // a full cycle returns every current weight to 0
    const after = pool(['a', 1], ['b', 1], ['c', 2]);
    wrr.poolChanged?.(after);
    // 1,1,2 from zero is c a b c; a cycle of 4 returns to zero, so it repeats.
    expect(picks(wrr, after, 8)).toEqual(
      smoothWeightedOrder(
        [
          { id: 'a', weight: 1 },
          { id: 'b', weight: 1 },
          { id: 'c', weight: 2 },
        ],
        8,
      ),
    );
    expect(picks(wrr, after, 4)).toEqual(['c', 'a', 'b', 'c']);
  });

  it('a new backend starts at current 0 and a removed one is forgotten', () => {
    const wrr = createWeightedRoundRobin();
    const two = pool(['a'], ['b']);
    wrr.poolChanged?.(two);
    expect(picks(wrr, two, 1)).toEqual(['a']); // a: -1, b: 1
    const three = pool(['a'], ['b'], ['n']);
    wrr.poolChanged?.(three);
    // b: 2, a: 0, n: 1 → b; then a 1, b -1, n 2 → n; then a 2 → a
    expect(picks(wrr, three, 3)).toEqual(['b', 'n', 'a']);
    wrr.poolChanged?.(pool(['a'], ['n']));
    // Now a -1, b 1, n 0. b leaves and comes back fresh at 0 (had it kept 1, it would reach 2 now).
    wrr.poolChanged?.(three);
    expect(wrr.pick(three, ctx()).candidates.map((c) => c.score)).toEqual([
      'current 0 (w1)',
      'current 1 (w1)',
      'current 1 (w1)',
    ]);
  });

  it('only eligible peers accumulate (a skipped peer keeps its current weight)', () => {
    const wrr = createWeightedRoundRobin();
    const all = pool(['a', 5], ['b', 1], ['c', 1]);
    wrr.poolChanged?.(all);
    expect(picks(wrr, pool(['b', 1], ['c', 1]), 4)).toEqual(['b', 'c', 'b', 'c']);
    expect(picks(wrr, all, 7)).toEqual(['a', 'a', 'b', 'a', 'c', 'a', 'a']);
  });
});
