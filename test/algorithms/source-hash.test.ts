import { describe, expect, it } from 'vitest';
import { createSourceHash } from '../../src/main/core/algorithms/source-hash';
import { ctx, pool } from './helpers';

const addresses = (): string[] =>
  Array.from({ length: 1000 }, (_, i) => `127.0.${Math.floor(i / 250)}.${(i % 250) + 1}`);

describe('source hash', () => {
  it('sticks each address to one backend while the pool is unchanged', () => {
    const sh = createSourceHash();
    const p = pool(['a'], ['b'], ['c']);
    sh.poolChanged?.(p);
    for (const addr of addresses().slice(0, 100)) {
      const first = sh.pick(p, ctx(addr, 1000)).backendId;
      for (let port = 1001; port < 1005; port++) expect(sh.pick(p, ctx(addr, port)).backendId).toBe(first);
    }
    // A fresh instance maps the same way: the hash is stable, not per-process.
    const again = createSourceHash();
    again.poolChanged?.(p);
    expect(again.pick(p, ctx('127.0.0.7')).backendId).toBe(sh.pick(p, ctx('127.0.0.7')).backendId);
  });

  it('spreads 1000 distinct addresses roughly evenly', () => {
    const sh = createSourceHash();
    const p = pool(['a'], ['b'], ['c'], ['d']);
    sh.poolChanged?.(p);
    const counts = new Map<string, number>();
    for (const addr of addresses()) {
      const id = sh.pick(p, ctx(addr)).backendId;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    expect(counts.size).toBe(4);
    for (const n of counts.values()) {
      expect(n).toBeGreaterThan(250 * 0.8);
      expect(n).toBeLessThan(250 * 1.2);
    }
  });

  it('honours weights: a server of weight 3 gets about 3× the clients', () => {
    const sh = createSourceHash();
    const p = pool(['a', 3], ['b', 1]);
    sh.poolChanged?.(p);
    let a = 0;
    for (const addr of addresses()) if (sh.pick(p, ctx(addr)).backendId === 'a') a++;
    expect(a).toBeGreaterThan(700);
    expect(a).toBeLessThan(800);
    expect(sh.pick(p, ctx()).candidates).toEqual([
      { backendId: 'a', score: '3/4 slots' },
      { backendId: 'b', score: '1/4 slots' },
    ]);
  });

  it('walks to the next eligible slot, leaving other clients where they were', () => {
    const sh = createSourceHash();
    const all = pool(['a'], ['b'], ['c']);
    sh.poolChanged?.(all);
    const before = new Map(addresses().map((addr) => [addr, sh.pick(all, ctx(addr)).backendId]));
    const withoutB = pool(['a'], ['c']); // b down: still in the pool, not a candidate
    let moved = 0;
    for (const [addr, was] of before) {
      const d = sh.pick(withoutB, ctx(addr));
      if (was === 'b') {
        expect(d.backendId).not.toBe('b');
        expect(d.reason).toMatch(/\(b not eligible\), walked \d+ → [ac]$/);
        moved++;
      } else expect(d.backendId).toBe(was);
    }
    expect(moved).toBeGreaterThan(0);
  });

  it('explains with the hash and the slot', () => {
    const sh = createSourceHash();
    const p = pool(['a'], ['b']);
    sh.poolChanged?.(p);
    expect(sh.pick(p, ctx('127.0.0.1')).reason).toMatch(/^hash 0x[0-9a-f]{8} → slot [01] of 2 → [ab]$/);
  });

  it('treats an IPv4-mapped IPv6 address like the IPv4 one', () => {
    const sh = createSourceHash();
    const p = pool(['a'], ['b'], ['c'], ['d'], ['e']);
    sh.poolChanged?.(p);
    for (const addr of addresses().slice(0, 50))
      expect(sh.pick(p, ctx(`::ffff:${addr}`)).backendId).toBe(sh.pick(p, ctx(addr)).backendId);
  });

  it('works before any poolChanged call', () => {
    const sh = createSourceHash();
    const p = pool(['a'], ['b']);
    const first = sh.pick(p, ctx('10.0.0.1')).backendId;
    expect(sh.pick(p, ctx('10.0.0.1')).backendId).toBe(first);
  });
});
