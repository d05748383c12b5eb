import { describe, expect, it } from 'vitest';
import { createRandom } from '../../src/main/core/algorithms/random';
import { seededRandom } from '../../src/main/core/algorithms/seeded-random';
import { ctx, pool } from './helpers';

describe('weighted random', () => {
  it('follows a 3:1 weight ratio within ±3% over 100k seeded picks', () => {
    const algo = createRandom(seededRandom(2024));
    const p = pool(['a', 3], ['b', 1]);
    let a = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) if (algo.pick(p, ctx()).backendId === 'a') a++;
    expect(a / n).toBeGreaterThan(0.75 * 0.97);
    expect(a / n).toBeLessThan(0.75 * 1.03);
  });

  it('spreads equal weights evenly over three', () => {
    const algo = createRandom(seededRandom(9));
    const p = pool(['a'], ['b'], ['c']);
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 30_000; i++) counts[algo.pick(p, ctx()).backendId]!++;
    for (const id of ['a', 'b', 'c']) expect(Math.abs(counts[id]! - 10_000)).toBeLessThan(300);
  });

  it('maps the roll onto cumulative weights and explains it', () => {
    const rolls = [0, 0.74, 0.75, 0.999];
    const algo = createRandom(() => rolls.shift()!);
    const p = pool(['a', 3], ['b', 1]);
    expect(algo.pick(p, ctx()).backendId).toBe('a');
    expect(algo.pick(p, ctx()).backendId).toBe('a');
    const d = algo.pick(p, ctx());
    expect(d.backendId).toBe('b');
    expect(d.reason).toBe('roll 3.00 of total weight 4 → b (w1, 25%)');
    expect(d.candidates).toEqual([
      { backendId: 'a', score: '75%' },
      { backendId: 'b', score: '25%' },
    ]);
    expect(algo.pick(p, ctx()).backendId).toBe('b');
  });

  it('survives a generator that returns exactly 1', () => {
    expect(createRandom(() => 1).pick(pool(['a'], ['b']), ctx()).backendId).toBe('b');
  });
});
