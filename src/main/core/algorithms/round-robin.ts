import type { Decision, DecisionCandidate } from '../../../shared/protocol';
import type { Algorithm, Candidate } from './types';
import { TurnCursor } from './turn-cursor';

/**
 * Plain round robin, as the seed's load_balancer.py: a cursor over the pool that advances one step per pick.
 * The cursor is kept by backend id, so skipping an ineligible backend or removing one does not reorder the
 * others: after a removal the turn passes to the removed backend's successor.
 */
export function createRoundRobin(): Algorithm {
  const cursor = new TurnCursor();
  return {
    name: 'round-robin',
    poolChanged(pool) {
      cursor.setPool(pool.map((c) => c.id));
    },
    pick(candidates: readonly Candidate[]): Decision {
      cursor.learn(candidates);
      let chosen = candidates[0]!;
      let best = Infinity;
      for (let i = 0; i < candidates.length; i++) {
        const rank = cursor.rank(candidates[i]!.id);
        if (rank < best) {
          best = rank;
          chosen = candidates[i]!;
        }
      }
      // Scores show the order the candidates would be served in from here: the chosen one is turn 1.
      const scored: DecisionCandidate[] = new Array(candidates.length);
      for (let i = 0; i < candidates.length; i++) {
        const id = candidates[i]!.id;
        scored[i] = { backendId: id, score: id === chosen.id ? 'next' : `turn ${cursor.rank(id) - best + 1}` };
      }
      cursor.advance(chosen.id);
      return {
        algorithm: 'round-robin',
        backendId: chosen.id,
        reason: best === 0 ? `next in turn → ${chosen.id}` : `next in turn (${best} skipped) → ${chosen.id}`,
        candidates: scored,
      };
    },
  };
}
