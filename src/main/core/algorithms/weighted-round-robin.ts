import type { Decision, DecisionCandidate } from '../../../shared/protocol';
import type { Algorithm, Candidate } from './types';

/** How many backends a reason line names before it abbreviates. */
const REASON_LIMIT = 6;

/**
 * nginx's smooth weighted round robin (ngx_http_upstream_get_peer): on each pick every eligible peer's
 * current weight grows by its weight, the peer with the highest current weight wins (first in pool order
 * on ties) and pays back the total. Weights 5,1,1 give a a b a c a a, spread out rather than a×5 in a row.
 *
 * Current weights are kept by backend id across pool changes (as nginx keeps them while the peer list
 * lives); a newly added backend starts at 0 and a removed one is forgotten. nginx also lowers a peer's
 * effective_weight after a failure and lets it recover by 1 per pick; the Lab skips that (the balancer
 * already retries another backend and health state removes dead ones), so effective weight = weight.
 */
export function createWeightedRoundRobin(): Algorithm {
  const current = new Map<string, number>();
  return {
    name: 'weighted-round-robin',
    poolChanged(pool) {
      const live = new Set(pool.map((c) => c.id));
      for (const id of current.keys()) if (!live.has(id)) current.delete(id);
      for (const c of pool) if (!current.has(c.id)) current.set(c.id, 0);
    },
    pick(candidates: readonly Candidate[]): Decision {
      let total = 0;
      let best: Candidate = candidates[0]!;
      let bestCurrent = -Infinity;
      const scored: DecisionCandidate[] = new Array(candidates.length);
      let weights = 'weights';
      for (let i = 0; i < candidates.length; i++) {
        const c = candidates[i]!;
        const cw = (current.get(c.id) ?? 0) + c.weight;
        current.set(c.id, cw);
        total += c.weight;
        if (cw > bestCurrent) {
          bestCurrent = cw;
          best = c;
        }
        scored[i] = { backendId: c.id, score: `current ${cw} (w${c.weight})` };
        if (i < REASON_LIMIT) weights += ` ${c.id}=${c.weight}`;
      }
      if (candidates.length > REASON_LIMIT) weights += ' …';
      current.set(best.id, bestCurrent - total);
      return {
        algorithm: 'weighted-round-robin',
        backendId: best.id,
        reason: `${weights}, current ${best.id}=${bestCurrent} (highest) → ${best.id}`,
        candidates: scored,
      };
    },
  };
}

/** Test/UI helper: the smooth WRR order for fixed weights, `count` picks long (e.g. 5,1,1 → a a b a c a a). */
export function smoothWeightedOrder(weights: ReadonlyArray<{ id: string; weight: number }>, count: number): string[] {
  const algo = createWeightedRoundRobin();
  const candidates: Candidate[] = weights
    .filter((w) => w.weight > 0)
    .map((w) => ({ id: w.id, weight: w.weight, active: 0 }));
  algo.poolChanged?.(candidates);
  const out: string[] = [];
  if (candidates.length === 0) return out;
  for (let i = 0; i < count; i++) out.push(algo.pick(candidates, { clientAddress: '', clientPort: 0 }).backendId);
  return out;
}
