import type { Decision } from '../../../shared/protocol';
import type { Algorithm, Candidate, Random } from './types';

/** Index in [0, n) from a Random, safe against a generator that returns exactly 1. */
export function randomIndex(random: Random, n: number): number {
  const i = Math.floor(random() * n);
  return i >= n ? n - 1 : i < 0 ? 0 : i;
}

/**
 * a beats b when weight_a/(active_a+1) > weight_b/(active_b+1), cross-multiplied to stay in integers.
 * With equal weights this is exactly "fewer active wins", so the busier of two is never chosen.
 */
function beats(a: Candidate, b: Candidate): boolean {
  return a.weight * (b.active + 1) > b.weight * (a.active + 1);
}

/**
 * Power of two choices, after Envoy's LEAST_REQUEST with choice_count 2: sample two distinct candidates
 * uniformly at random and send to the less loaded. With equal weights, fewer active connections wins
 * (ties keep the first sampled, as Envoy does). With unequal weights, Envoy switches to an EDF scheduler
 * over all hosts with dynamic weight = weight / (active+1)^bias (bias 1.0); the Lab keeps the two-sample
 * shape and applies that same formula to the two: the higher weight/(active+1) wins.
 * Envoy samples with replacement; the Lab samples two distinct candidates so every pick is a real contest.
 */
export function createPowerOfTwo(random: Random = Math.random): Algorithm {
  return {
    name: 'power-of-two',
    pick(candidates: readonly Candidate[]): Decision {
      if (candidates.length === 1) {
        const only = candidates[0]!;
        return {
          algorithm: 'power-of-two',
          backendId: only.id,
          reason: `only ${only.id} eligible (${only.active} open) → ${only.id}`,
          candidates: [{ backendId: only.id, score: `${only.active} open` }],
        };
      }
      const n = candidates.length;
      const i = randomIndex(random, n);
      let j = randomIndex(random, n - 1);
      if (j >= i) j++;
      const first = candidates[i]!;
      const second = candidates[j]!;
      const chosen = beats(second, first) ? second : first;

      const weighted = first.weight !== second.weight;
      const load = (c: Candidate): string =>
        weighted ? `w${c.weight}/(${c.active}+1) = ${(c.weight / (c.active + 1)).toFixed(2)}` : `${c.active} open`;
      const tie = !beats(first, second) && !beats(second, first);
      const reason = `${first.id}: ${load(first)} vs ${second.id}: ${load(second)}${tie ? ' (tie, first sampled)' : ''} → ${chosen.id}`;
      return {
        algorithm: 'power-of-two',
        backendId: chosen.id,
        reason,
        // Only the two sampled are shown: they are all this algorithm looked at.
        candidates: [
          { backendId: first.id, score: load(first) },
          { backendId: second.id, score: load(second) },
        ],
      };
    },
  };
}
