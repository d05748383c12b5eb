import type { Decision, DecisionCandidate } from '../../../shared/protocol';
import type { Algorithm, Candidate, PickContext } from './types';
import { EligibleSet } from './eligible-set';
import { clientKey, hash32, hex32 } from './hash';

/**
 * Client address → backend, like HAProxy's `balance source` with its map-based (static) hash: a table over
 * the whole pool where each backend fills `weight` slots (interleaved in smooth weighted round-robin order,
 * as HAProxy's map is), and a client goes to slot hash32(address) mod table size. If that backend is not
 * eligible (down, or already tried for this connection) the pick walks to the next slot holding an
 * eligible one, so the other backends keep their clients. The same address sticks to the same backend
 * while the pool (membership and weights) is unchanged; any pool change may remap many clients — use
 * consistent-hash when that matters.
 */
/** Where a client address lands in the table, ignoring eligibility. */
export interface SlotLookup {
  /** hash32 of the client address. */
  hash: number;
  /** hash mod table size. */
  slot: number;
  backendId: string;
}

/** Source hashing plus read-only views of its table for the UI. */
export interface SourceHashAlgorithm extends Algorithm {
  /** Backend id per slot, in slot order (empty until the pool is known). */
  tableView(): string[];
  lookup(clientAddress: string): SlotLookup | undefined;
}

export function createSourceHash(): SourceHashAlgorithm {
  const owners = new EligibleSet();
  let ids: string[] = [];
  /** Owner number per slot. */
  let table = new Uint16Array(0);
  /** Per owner: "3/7 slots", for the UI. */
  let shares: string[] = [];
  let hasPool = false;

  function build(pool: readonly Candidate[]): void {
    hasPool = true;
    ids = pool.map((c) => c.id);
    owners.reset(ids);
    const weights = pool.map((c) => Math.max(0, Math.floor(c.weight)));
    const total = weights.reduce((a, b) => a + b, 0);
    table = new Uint16Array(total);
    // Smooth WRR over the pool interleaves the slots (5,1,1 → a a b a c a a) instead of runs of one backend.
    const current = new Array<number>(weights.length).fill(0);
    for (let slot = 0; slot < total; slot++) {
      let best = -1;
      for (let i = 0; i < weights.length; i++) {
        if (weights[i] === 0) continue;
        current[i]! += weights[i]!;
        if (best < 0 || current[i]! > current[best]!) best = i;
      }
      current[best]! -= total;
      table[slot] = best;
    }
    shares = weights.map((w) => `${w}/${total} slots`);
  }

  return {
    name: 'source-hash',
    poolChanged(pool) {
      build(pool);
    },
    pick(candidates: readonly Candidate[], ctx: PickContext): Decision {
      if (!hasPool) build(candidates);
      const known = owners.mark(candidates);
      const key = clientKey(ctx.clientAddress);
      const h = hash32(key);
      const size = table.length;
      const home = size > 0 ? h % size : 0;
      let chosenId: string | undefined;
      let steps = 0;
      if (known > 0) {
        for (; steps < size; steps++) {
          const owner = table[(home + steps) % size]!;
          if (owners.has(owner)) {
            chosenId = ids[owner];
            break;
          }
        }
      }
      let reason: string;
      if (chosenId === undefined) {
        // The pool table does not know any candidate (the pool was not announced): hash over the candidates.
        chosenId = candidates[h % candidates.length]!.id;
        reason = `hash ${hex32(h)} mod ${candidates.length} candidates → ${chosenId}`;
      } else if (steps === 0) {
        reason = `hash ${hex32(h)} → slot ${home} of ${size} → ${chosenId}`;
      } else {
        const homeId = ids[table[home]!]!;
        reason = `hash ${hex32(h)} → slot ${home} of ${size} (${homeId} not eligible), walked ${steps} → ${chosenId}`;
      }
      const scored: DecisionCandidate[] = new Array(candidates.length);
      for (let i = 0; i < candidates.length; i++) {
        const id = candidates[i]!.id;
        const idx = owners.indexOf(id);
        scored[i] = { backendId: id, score: idx === undefined ? '' : shares[idx]! };
      }
      return { algorithm: 'source-hash', backendId: chosenId, reason, candidates: scored };
    },
    tableView(): string[] {
      return Array.from(table, (owner) => ids[owner]!);
    },
    lookup(clientAddress: string): SlotLookup | undefined {
      if (table.length === 0) return undefined;
      const hash = hash32(clientKey(clientAddress));
      const slot = hash % table.length;
      return { hash, slot, backendId: ids[table[slot]!]! };
    },
  };
}
