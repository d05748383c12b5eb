import type { Decision, DecisionCandidate } from '../../../shared/protocol';
import type { Algorithm, Candidate, PickContext } from './types';
import { EligibleSet } from './eligible-set';
import { clientKey, fmix32, hash32, hex32 } from './hash';

/** Virtual nodes per unit of weight, as ketama's 160 points per server. */
export const POINTS_PER_WEIGHT = 160;
/** Most points `ringView` returns; larger rings are sampled evenly. */
export const RING_VIEW_LIMIT = 512;
/** Golden-ratio step between a backend's virtual node seeds, so consecutive points are far apart pre-mix. */
const POINT_STEP = 0x9e3779b9;

/** One virtual node on the ring. */
export interface RingPoint {
  hash: number;
  backendId: string;
}

/** The ring as the UI draws it. */
export interface RingView {
  /** Up to RING_VIEW_LIMIT points in ascending hash order (evenly sampled when the ring is larger). */
  points: RingPoint[];
  /** Points on the whole ring. */
  totalPoints: number;
  /** Fraction of the 32-bit hash space each backend owns (sums to 1 when the ring is not empty). */
  shares: Record<string, number>;
}

/** Where a client address lands, ignoring eligibility. */
export interface RingLookup {
  /** hash32 of the client address. */
  hash: number;
  /** Hash of the ring point that owns it (the first point at or after `hash`, wrapping). */
  pointHash: number;
  backendId: string;
}

/** Consistent hashing plus read-only views of its ring for the UI. */
export interface ConsistentHashAlgorithm extends Algorithm {
  ringView(): RingView;
  lookup(clientAddress: string): RingLookup | undefined;
}

/**
 * Consistent hashing on a ketama-style ring: each backend owns 160 × weight virtual nodes at
 * fmix32(hash32(id) + k·0x9e3779b9) for k = 0.., and a client goes to the first node at or after
 * hash32(address), wrapping. A backend's points depend only on its own id and weight, so removing one of
 * N backends moves only its own clients (about 1/N) and adding one takes about 1/(N+1), all from others.
 * If the owner is not eligible the pick walks on clockwise to the next eligible backend's node.
 */
export function createConsistentHash(): ConsistentHashAlgorithm {
  const owners = new EligibleSet();
  let ids: string[] = [];
  let pointHashes = new Uint32Array(0);
  let pointOwners = new Uint16Array(0);
  let shareText: string[] = [];
  let shareFraction: number[] = [];
  let signature: string | undefined;

  function build(pool: readonly Candidate[]): void {
    const sig = pool.map((c) => `${c.id}\u0000${c.weight}`).join('\u0001');
    if (sig === signature) return; // state-only changes keep the ring
    signature = sig;
    ids = pool.map((c) => c.id);
    owners.reset(ids);
    let total = 0;
    for (const c of pool) total += POINTS_PER_WEIGHT * Math.max(0, Math.floor(c.weight));
    // Sort (hash, owner) pairs packed in one float64: hash·2^16 + owner < 2^48 stays exact, and equal hashes
    // order by owner so the ring is deterministic even on collisions.
    const packed = new Float64Array(total);
    let n = 0;
    pool.forEach((c, owner) => {
      const base = hash32(c.id);
      const count = POINTS_PER_WEIGHT * Math.max(0, Math.floor(c.weight));
      for (let k = 0; k < count; k++) packed[n++] = fmix32((base + Math.imul(k, POINT_STEP)) >>> 0) * 65536 + owner;
    });
    packed.sort();
    pointHashes = new Uint32Array(total);
    pointOwners = new Uint16Array(total);
    for (let i = 0; i < total; i++) {
      const v = packed[i]!;
      const owner = v % 65536;
      pointOwners[i] = owner;
      pointHashes[i] = (v - owner) / 65536;
    }
    // Each point owns the arc from the previous point (exclusive) up to itself.
    shareFraction = new Array<number>(ids.length).fill(0);
    for (let i = 0; i < total; i++) {
      const prev = i === 0 ? pointHashes[total - 1]! - 4294967296 : pointHashes[i - 1]!;
      shareFraction[pointOwners[i]!]! += (pointHashes[i]! - prev) / 4294967296;
    }
    shareText = shareFraction.map((f) => `${(f * 100).toFixed(1)}% of ring`);
  }

  /** Index of the first point with hash ≥ h, wrapping to 0. */
  function ownerPoint(h: number): number {
    let lo = 0;
    let hi = pointHashes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pointHashes[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    return lo === pointHashes.length ? 0 : lo;
  }

  return {
    name: 'consistent-hash',
    poolChanged(pool) {
      build(pool);
    },
    pick(candidates: readonly Candidate[], ctx: PickContext): Decision {
      if (signature === undefined) build(candidates);
      const known = owners.mark(candidates);
      const h = hash32(clientKey(ctx.clientAddress));
      const size = pointHashes.length;
      let chosenId: string | undefined;
      let reason = '';
      if (known > 0 && size > 0) {
        const home = ownerPoint(h);
        for (let steps = 0; steps < size; steps++) {
          const owner = pointOwners[(home + steps) % size]!;
          if (!owners.has(owner)) continue;
          chosenId = ids[owner]!;
          reason =
            steps === 0
              ? `hash ${hex32(h)} → ring point ${hex32(pointHashes[home]!)} of ${chosenId}`
              : `hash ${hex32(h)} → ring point of ${ids[pointOwners[home]!]} (not eligible), walked ${steps} points → ${chosenId}`;
          break;
        }
      }
      if (chosenId === undefined) {
        // No candidate is on the ring (the pool was not announced): hash over the candidates instead.
        chosenId = candidates[h % candidates.length]!.id;
        reason = `hash ${hex32(h)} mod ${candidates.length} candidates (not on ring) → ${chosenId}`;
      }
      const scored: DecisionCandidate[] = new Array(candidates.length);
      for (let i = 0; i < candidates.length; i++) {
        const id = candidates[i]!.id;
        const idx = owners.indexOf(id);
        scored[i] = { backendId: id, score: idx === undefined ? '' : shareText[idx]! };
      }
      return { algorithm: 'consistent-hash', backendId: chosenId, reason, candidates: scored };
    },
    ringView(): RingView {
      const total = pointHashes.length;
      const count = Math.min(total, RING_VIEW_LIMIT);
      const points: RingPoint[] = new Array(count);
      for (let i = 0; i < count; i++) {
        const at = count === total ? i : Math.floor((i * total) / count);
        points[i] = { hash: pointHashes[at]!, backendId: ids[pointOwners[at]!]! };
      }
      const shares: Record<string, number> = {};
      ids.forEach((id, i) => {
        shares[id] = shareFraction[i] ?? 0;
      });
      return { points, totalPoints: total, shares };
    },
    lookup(clientAddress: string): RingLookup | undefined {
      if (pointHashes.length === 0) return undefined;
      const hash = hash32(clientKey(clientAddress));
      const at = ownerPoint(hash);
      return { hash, pointHash: pointHashes[at]!, backendId: ids[pointOwners[at]!]! };
    },
  };
}
