import { describe, expect, it } from 'vitest';
import { ALGORITHMS } from '../../src/shared/protocol';
import {
  ALGORITHM_DESCRIPTIONS,
  createAlgorithm,
  createRoundRobin,
  fmix32,
  fnv1a32,
  hash32,
  seededRandom,
} from '../../src/main/core/algorithms/index';
import { ctx, pool } from './helpers';

describe('algorithm registry', () => {
  it('creates every algorithm by name, each picking an eligible backend with a reason', () => {
    const p = pool(['a', 2, 1, 10], ['b', 1, 0, 12], ['c', 3, 2]);
    for (const name of ALGORITHMS) {
      const algo = createAlgorithm(name, seededRandom(1));
      expect(algo.name).toBe(name);
      algo.poolChanged?.(p);
      for (let i = 0; i < 20; i++) {
        const d = algo.pick(p, ctx(`127.0.0.${i + 1}`));
        expect(d.algorithm).toBe(name);
        expect(['a', 'b', 'c']).toContain(d.backendId);
        expect(d.reason.length).toBeGreaterThan(0);
        expect(d.reason).not.toMatch(/[\r\n]/);
        expect(d.candidates.length).toBeGreaterThan(0);
      }
    }
  });

  it('gives each instance its own state', () => {
    const one = createAlgorithm('round-robin');
    const two = createAlgorithm('round-robin');
    const p = pool(['a'], ['b']);
    one.pick(p, ctx());
    expect(two.pick(p, ctx()).backendId).toBe('a');
  });

  it('describes every algorithm in one sentence', () => {
    expect(Object.keys(ALGORITHM_DESCRIPTIONS).sort()).toEqual([...ALGORITHMS].sort());
    for (const name of ALGORITHMS) {
      const text = ALGORITHM_DESCRIPTIONS[name];
      expect(text.length).toBeGreaterThan(20);
      expect(text.trim().endsWith('.')).toBe(true);
    }
  });

  it('re-exports createRoundRobin', () => {
    expect(createRoundRobin().name).toBe('round-robin');
  });
});

describe('seededRandom (mulberry32)', () => {
  it('is reproducible, in [0, 1), and differs by seed', () => {
    const a = seededRandom(123);
    const b = seededRandom(123);
    const c = seededRandom(124);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(c()).not.toBe(xs[0]);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });

  it('matches the reference mulberry32 output for seed 0', () => {
    expect(Math.round(seededRandom(0)() * 4294967296)).toBe(1144304738);
  });
});

describe('stable hash', () => {
  it('FNV-1a 32 matches the published test vectors', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('hashes UTF-8 bytes (non-ASCII stable across representations)', () => {
    // "é" is C3 A9 in UTF-8; hashing the code unit 0xE9 would differ.
    let h = 0x811c9dc5;
    for (const byte of [0xc3, 0xa9]) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
    expect(fnv1a32('é')).toBe(h);
    expect(fnv1a32('😀')).toBe(fnv1a32('\ud83d\ude00'));
  });

  it('fmix32 avalanches and hash32 is unsigned 32-bit', () => {
    expect(fmix32(0)).toBe(0);
    expect(fmix32(1)).not.toBe(fmix32(2));
    const h = hash32('127.0.0.1');
    expect(Number.isInteger(h) && h >= 0 && h < 2 ** 32).toBe(true);
    expect(hash32('127.0.0.1')).toBe(fmix32(fnv1a32('127.0.0.1')));
  });
});
