import { describe, expect, it } from 'vitest';
import {
  createConsistentHash,
  POINTS_PER_WEIGHT,
  RING_VIEW_LIMIT,
} from '../../src/main/core/algorithms/consistent-hash';
import { ctx, pool } from './helpers';

const clients = Array.from({ length: 10_000 }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);

function assign(ids: string[]): Map<string, string> {
  const ch = createConsistentHash();
  const p = pool(...ids.map((id): [string] => [id]));
  ch.poolChanged?.(p);
  return new Map(clients.map((addr) => [addr, ch.pick(p, ctx(addr)).backendId]));
}

describe('consistent hash (ketama-style ring)', () => {
  const five = ['s1', 's2', 's3', 's4', 's5'];

  it('spreads clients over the ring', () => {
    const counts = new Map<string, number>();
    for (const id of assign(five).values()) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect(counts.size).toBe(5);
    for (const n of counts.values()) {
      expect(n).toBeGreaterThan(2000 * 0.7);
      expect(n).toBeLessThan(2000 * 1.3);
    }
  });

  it('removing one of 5 moves about 1/5 of clients, and only those of the removed backend', () => {
    const before = assign(five);
    const after = assign(five.filter((id) => id !== 's3'));
    let moved = 0;
    for (const [addr, was] of before) {
      if (after.get(addr) === was) continue;
      moved++;
      expect(was).toBe('s3');
    }
    const n = five.length;
    expect(moved / clients.length).toBeGreaterThan(0.5 / n);
    expect(moved / clients.length).toBeLessThan(1.5 / n);
  });

  it('adding a 6th takes about 1/6, all moving to the new backend', () => {
    const before = assign(five);
    const after = assign([...five, 's6']);
    let moved = 0;
    for (const [addr, was] of before) {
      const now = after.get(addr);
      if (now === was) continue;
      moved++;
      expect(now).toBe('s6');
    }
    expect(moved / clients.length).toBeGreaterThan(0.5 / 6);
    expect(moved / clients.length).toBeLessThan(1.5 / 6);
  });

  it('walks past ineligible owners to the next eligible one on the ring', () => {
    const ch = createConsistentHash();
    const all = pool(...five.map((id): [string] => [id]));
    ch.poolChanged?.(all);
    const eligible = all.filter((c) => c.id !== 's2' && c.id !== 's4');
    let walked = 0;
    for (const addr of clients.slice(0, 2000)) {
      const owner = ch.lookup(addr)!.backendId;
      const d = ch.pick(eligible, ctx(addr));
      if (owner === 's2' || owner === 's4') {
        walked++;
        expect(['s1', 's3', 's5']).toContain(d.backendId);
        expect(d.reason).toMatch(new RegExp(`ring point of ${owner} \\(not eligible\\), walked \\d+ points → s[135]$`));
      } else expect(d.backendId).toBe(owner);
    }
    expect(walked).toBeGreaterThan(400);
  });

  it('the walk goes clockwise to the owner of the next point not held by an ineligible backend', () => {
    const ch = createConsistentHash();
    const all = pool(['a'], ['b'], ['c']);
    ch.poolChanged?.(all);
    const ring = ch.ringView().points; // 480 points: the whole ring, unsampled
    expect(ring).toHaveLength(3 * POINTS_PER_WEIGHT);
    let checked = 0;
    for (const addr of clients.slice(0, 3000)) {
      const found = ch.lookup(addr)!;
      if (found.backendId !== 'a') continue;
      let at = ring.findIndex((pt) => pt.hash >= found.hash);
      if (at < 0) at = 0;
      expect(ring[at]!.hash).toBe(found.pointHash);
      while (ring[at]!.backendId === 'a') at = (at + 1) % ring.length;
      expect(ch.pick(pool(['b'], ['c']), ctx(addr)).backendId).toBe(ring[at]!.backendId);
      checked++;
    }
    expect(checked).toBeGreaterThan(500);
  });

  it('weights scale the points and the share of the ring', () => {
    const ch = createConsistentHash();
    const p = pool(['big', 3], ['small', 1], ['off', 0]);
    ch.poolChanged?.(p);
    const view = ch.ringView();
    expect(view.totalPoints).toBe(4 * POINTS_PER_WEIGHT);
    expect(view.shares.big! + view.shares.small!).toBeCloseTo(1, 9);
    expect(view.shares.off).toBe(0);
    expect(view.shares.big).toBeGreaterThan(0.65);
    expect(view.shares.big).toBeLessThan(0.85);
  });

  it('ringView is sorted, limited and names backends; lookup agrees with pick', () => {
    const ch = createConsistentHash();
    const p = pool(...five.map((id): [string, number] => [id, 2]));
    ch.poolChanged?.(p);
    const view = ch.ringView();
    expect(view.totalPoints).toBe(5 * 2 * POINTS_PER_WEIGHT);
    expect(view.points).toHaveLength(RING_VIEW_LIMIT);
    for (let i = 1; i < view.points.length; i++)
      expect(view.points[i]!.hash).toBeGreaterThanOrEqual(view.points[i - 1]!.hash);
    expect(new Set(view.points.map((pt) => pt.backendId))).toEqual(new Set(five));
    for (const addr of clients.slice(0, 200)) {
      const found = ch.lookup(addr)!;
      // The owning point is at or after the client's hash, or the ring wrapped to its first point.
      expect(found.pointHash >= found.hash || found.pointHash === view.points[0]!.hash).toBe(true);
      const d = ch.pick(p, ctx(addr));
      expect(d.backendId).toBe(found.backendId);
      expect(d.reason).toMatch(/^hash 0x[0-9a-f]{8} → ring point 0x[0-9a-f]{8} of s\d$/);
    }
  });

  it('a state-only poolChanged keeps the ring; lookup before any pool is undefined', () => {
    const ch = createConsistentHash();
    expect(ch.lookup('127.0.0.1')).toBeUndefined();
    const p = pool(['a'], ['b'], ['c']);
    ch.poolChanged?.(p);
    const before = ch.ringView();
    ch.poolChanged?.(pool(['a', 1, 5], ['b', 1, 2], ['c']));
    expect(ch.ringView()).toEqual(before);
  });
});
