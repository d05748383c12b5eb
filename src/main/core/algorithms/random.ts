import type { Decision, DecisionCandidate } from '../../../shared/protocol';
import type { Algorithm, Candidate, Random } from './types';

/**
 * Weighted random: each eligible backend is chosen with probability weight / (sum of eligible weights),
 * by walking the cumulative weights to where one roll of the injected Random lands.
 */
export function createRandom(random: Random = Math.random): Algorithm {
  return {
    name: 'random',
    pick(candidates: readonly Candidate[]): Decision {
      let total = 0;
      for (let i = 0; i < candidates.length; i++) total += candidates[i]!.weight;
      const roll = random() * total;
      let chosen: Candidate = candidates[candidates.length - 1]!;
      let acc = 0;
      for (let i = 0; i < candidates.length; i++) {
        acc += candidates[i]!.weight;
        if (roll < acc) {
          chosen = candidates[i]!;
          break;
        }
      }
      const scored: DecisionCandidate[] = new Array(candidates.length);
      for (let i = 0; i < candidates.length; i++) {
        const c = candidates[i]!;
        scored[i] = { backendId: c.id, score: `${Math.round((c.weight * 100) / total)}%` };
      }
      return {
        algorithm: 'random',
        backendId: chosen.id,
        reason: `roll ${roll.toFixed(2)} of total weight ${total} → ${chosen.id} (w${chosen.weight}, ${Math.round((chosen.weight * 100) / total)}%)`,
        candidates: scored,
      };
    },
  };
}
