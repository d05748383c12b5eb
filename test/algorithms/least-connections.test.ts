import { describe, expect, it } from 'vitest';
import { createLeastConnections } from '../../src/main/core/algorithms/least-connections';
import { ctx, picks, pool } from './helpers';

describe('least connections (weighted)', () => {
  it('picks the fewest open connections', () => {
    const lc = createLeastConnections();
    const d = lc.pick(pool(['A', 1, 4], ['B', 1, 2], ['C', 1, 7], ['D', 1, 5]), ctx());
    expect(d.backendId).toBe('B');
    expect(d.reason).toBe('B: 2 open vs A: 4 open → B');
    expect(d.candidates.map((c) => c.score)).toEqual(['4 open', '2 open', '7 open', '5 open']);
  });

  it('compares active/weight exactly: a 2 open w1 vs b 3 open w2 → b (3·1 < 2·2)', () => {
    const lc = createLeastConnections();
    const d = lc.pick(pool(['a', 1, 2], ['b', 2, 3]), ctx());
    expect(d.backendId).toBe('b');
    expect(d.reason).toBe('b: 3 open / w2 vs a: 2 open / w1 → b');
  });

  it('prefers the heavier weight only while it is less loaded per weight', () => {
    const lc = createLeastConnections();
    // 4·1 = 2·2: a tie, broken by turn (a first, nothing chosen yet).
    expect(lc.pick(pool(['a', 1, 2], ['b', 2, 4]), ctx()).backendId).toBe('a');
    // 5·1 > 2·2 → a.
    expect(lc.pick(pool(['a', 1, 2], ['b', 2, 5]), ctx()).backendId).toBe('a');
    // large integers stay exact: 255·256 vs 256·255 tie, 255·256 < 256·256.
    expect(lc.pick(pool(['a', 256, 256], ['b', 255, 255]), ctx()).reason).toContain('ties');
  });

  it('rotates among ties in round-robin order', () => {
    const lc = createLeastConnections();
    const p = pool(['a', 1, 1], ['b', 1, 1], ['c', 1, 1]);
    lc.poolChanged?.(p);
    expect(picks(lc, p, 6)).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
    const d = lc.pick(p, ctx());
    expect(d.reason).toBe('a: 1 open ties b: 1 open, next in turn → a');
  });

  it('rotation continues from the last chosen among only the tied ones', () => {
    const lc = createLeastConnections();
    lc.poolChanged?.(pool(['a'], ['b'], ['c'], ['d']));
    expect(lc.pick(pool(['a', 1, 0], ['b', 1, 3], ['c', 1, 0], ['d', 1, 0]), ctx()).backendId).toBe('a');
    // b is busier; among a, c, d the turn after a is c.
    expect(lc.pick(pool(['a', 1, 0], ['b', 1, 3], ['c', 1, 0], ['d', 1, 0]), ctx()).backendId).toBe('c');
    expect(lc.pick(pool(['a', 1, 0], ['b', 1, 3], ['c', 1, 0], ['d', 1, 0]), ctx()).backendId).toBe('d');
    expect(lc.pick(pool(['a', 1, 0], ['b', 1, 3], ['c', 1, 0], ['d', 1, 0]), ctx()).backendId).toBe('a');
  });

  it('single candidate', () => {
    const d = createLeastConnections().pick(pool(['x', 1, 3]), ctx());
    expect(d.backendId).toBe('x');
    expect(d.reason).toBe('only x eligible (3 open) → x');
  });
});
