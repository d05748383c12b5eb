import { describe, expect, it } from 'vitest';
import { createPowerOfTwo } from '../../src/main/core/algorithms/power-of-two';
import { seededRandom } from '../../src/main/core/algorithms/seeded-random';
import type { Candidate } from '../../src/main/core/algorithms/types';
import { ctx, pool } from './helpers';

describe('power of two choices', () => {
  it('never picks the busier of its two samples when weights are equal (10,000 picks)', () => {
    const p2c = createPowerOfTwo(seededRandom(42));
    const load = seededRandom(7);
    const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
    const sampledPairs = new Set<string>();
    const problems: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      const candidates: Candidate[] = ids.map((id) => ({ id, weight: 1, active: Math.floor(load() * 10) }));
      const d = p2c.pick(candidates, ctx());
      const [x, y] = d.candidates.map((c) => candidates.find((k) => k.id === c.backendId));
      if (d.candidates.length !== 2 || !x || !y || x === y) {
        problems.push(`pick ${i}: bad sample ${JSON.stringify(d.candidates)}`);
        continue;
      }
      const chosen = d.backendId === x.id ? x : d.backendId === y.id ? y : undefined;
      const other = chosen === x ? y : x;
      if (!chosen || chosen.active > other.active) problems.push(`pick ${i}: ${d.reason}`);
      sampledPairs.add([x.id, y.id].sort().join());
    }
    expect(problems).toEqual([]);
    // Every one of the 15 pairs got sampled: the sampling really is random over the pool.
    expect(sampledPairs.size).toBe(15);
  });

  it('names both sampled candidates and their counts', () => {
    const p2c = createPowerOfTwo(seededRandom(1));
    const d = p2c.pick(pool(['B', 1, 2], ['D', 1, 5]), ctx());
    expect(d.backendId).toBe('B');
    expect(d.reason).toMatch(/^(B: 2 open vs D: 5 open|D: 5 open vs B: 2 open) → B$/);
  });

  it('one candidate is picked without a contest', () => {
    const d = createPowerOfTwo(seededRandom(1)).pick(pool(['only', 1, 9]), ctx());
    expect(d.backendId).toBe('only');
    expect(d.reason).toBe('only only eligible (9 open) → only');
  });

  it('with unequal weights the higher weight/(active+1) wins', () => {
    const p2c = createPowerOfTwo(seededRandom(3));
    // a: 4/(2+1) = 1.33 beats b: 1/(0+1) = 1, though a has more open; a: 4/(4+1) = 0.8 loses.
    for (let i = 0; i < 20; i++) {
      const d = p2c.pick(pool(['a', 4, 2], ['b', 1, 0]), ctx());
      expect(d.backendId).toBe('a');
      expect(d.reason).toContain('w4/(2+1) = 1.33');
    }
    for (let i = 0; i < 20; i++) expect(p2c.pick(pool(['a', 4, 4], ['b', 1, 0]), ctx()).backendId).toBe('b');
  });

  it('weighted: never picks the one with lower weight/(active+1) of its two samples', () => {
    const p2c = createPowerOfTwo(seededRandom(11));
    const load = seededRandom(12);
    for (let i = 0; i < 5_000; i++) {
      const candidates: Candidate[] = ['a', 'b', 'c', 'd'].map((id, k) => ({
        id,
        weight: k + 1,
        active: Math.floor(load() * 8),
      }));
      const d = p2c.pick(candidates, ctx());
      const [x, y] = d.candidates.map((c) => candidates.find((k) => k.id === c.backendId)!);
      const chosen = d.backendId === x!.id ? x! : y!;
      const other = chosen === x ? y! : x!;
      expect(chosen.weight * (other.active + 1)).toBeGreaterThanOrEqual(other.weight * (chosen.active + 1));
    }
  });

  it('is reproducible with the same seed', () => {
    const run = (): string[] => {
      const p2c = createPowerOfTwo(seededRandom(5));
      const p = pool(['a'], ['b'], ['c'], ['d']);
      return Array.from({ length: 50 }, () => p2c.pick(p, ctx()).reason);
    };
    expect(run()).toEqual(run());
  });
});
