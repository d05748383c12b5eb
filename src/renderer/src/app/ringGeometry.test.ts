import { describe, expect, it } from 'vitest';
import { HASH_SPACE, ringArcs, ringShares, tableSlot } from './ringGeometry';
import { ALGORITHM_DESCRIPTIONS } from '../../../shared/algorithms';
import { ALGORITHMS } from '../../../shared/protocol';
import { backendColor, backendColorIndex } from './backendColors';

describe('ring geometry', () => {
  it('gives each point the arc before it and merges runs of one backend', () => {
    const q = HASH_SPACE / 4;
    const arcs = ringArcs([
      { hash: q, backendId: 'a' },
      { hash: 2 * q, backendId: 'a' },
      { hash: 3 * q, backendId: 'b' },
    ]);
    expect(arcs).toEqual([
      { from: 3 * q - HASH_SPACE, to: 2 * q, backendId: 'a' },
      { from: 2 * q, to: 3 * q, backendId: 'b' },
    ]);
    const shares = ringShares([
      { hash: q, backendId: 'a' },
      { hash: 3 * q, backendId: 'b' },
    ]);
    expect(shares.get('a')).toBeCloseTo(0.5);
    expect(shares.get('b')).toBeCloseTo(0.5);
    expect(ringArcs([])).toEqual([]);
  });

  it('puts a client in slot hash mod size', () => {
    expect(tableSlot(10, 3)).toBe(1);
    expect(tableSlot(10, 0)).toBe(0);
  });
});

describe('shared renderer info', () => {
  it('describes every algorithm in one sentence', () => {
    for (const name of ALGORITHMS) expect(ALGORITHM_DESCRIPTIONS[name]).toMatch(/^[^\n]+\.$/);
  });

  it('colours numeric backends distinctly and by id only', () => {
    const indexes = ['1', '2', '3', '4', '5', '6', '7', '8'].map((id) => backendColorIndex(id));
    expect(new Set(indexes).size).toBe(8);
    expect(backendColor('web-a', 'light')).toBe(backendColor('web-a', 'light'));
    expect(backendColor('1', 'dark')).not.toBe(backendColor('1', 'light'));
  });
});
