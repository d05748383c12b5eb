import type { Decision, DecisionCandidate } from '../../../shared/protocol';
import type { Algorithm, Candidate } from './types';
import { TurnCursor } from './turn-cursor';

/** a's load is below b's: a.active/a.weight < b.active/b.weight, cross-multiplied to stay in integers. */
function lighter(a: Candidate, b: Candidate): boolean {
  return a.active * b.weight < b.active * a.weight;
}

function sameLoad(a: Candidate, b: Candidate): boolean {
  return a.active * b.weight === b.active * a.weight;
}

/**
 * Weighted least connections, as HAProxy's `leastconn` and nginx's `least_conn`: the candidate with the
 * fewest open connections per unit of weight wins, compared as conns_a·w_b < conns_b·w_a (no floats).
 * Ties go to whichever tied backend comes next in turn after the last chosen one (a rotating cursor over
 * pool order) — nginx falls back to its weighted round robin among the tied peers; with equal weights
 * both rotate the same way.
 */
export function createLeastConnections(): Algorithm {
  const cursor = new TurnCursor();
  return {
    name: 'least-connections',
    poolChanged(pool) {
      cursor.setPool(pool.map((c) => c.id));
    },
    pick(candidates: readonly Candidate[]): Decision {
      cursor.learn(candidates);
      const w0 = candidates[0]!.weight;
      let equalWeights = true;
      for (let i = 1; i < candidates.length && equalWeights; i++) equalWeights = candidates[i]!.weight === w0;

      let best = candidates[0]!;
      let bestRank = cursor.rank(best.id);
      let runnerUp: Candidate | undefined;
      for (let i = 1; i < candidates.length; i++) {
        const c = candidates[i]!;
        if (lighter(c, best)) {
          runnerUp = best;
          best = c;
          bestRank = cursor.rank(c.id);
        } else if (sameLoad(c, best)) {
          const rank = cursor.rank(c.id);
          if (rank < bestRank) {
            runnerUp = best;
            best = c;
            bestRank = rank;
          } else if (!runnerUp || !sameLoad(runnerUp, best)) {
            runnerUp = c;
          }
        } else if (!runnerUp || lighter(c, runnerUp)) {
          runnerUp = c;
        }
      }
      cursor.advance(best.id);

      const load = (c: Candidate): string => (equalWeights ? `${c.active} open` : `${c.active} open / w${c.weight}`);
      const scored: DecisionCandidate[] = new Array(candidates.length);
      for (let i = 0; i < candidates.length; i++)
        scored[i] = { backendId: candidates[i]!.id, score: load(candidates[i]!) };

      let reason: string;
      if (!runnerUp) reason = `only ${best.id} eligible (${load(best)}) → ${best.id}`;
      else if (sameLoad(best, runnerUp))
        reason = `${best.id}: ${load(best)} ties ${runnerUp.id}: ${load(runnerUp)}, next in turn → ${best.id}`;
      else reason = `${best.id}: ${load(best)} vs ${runnerUp.id}: ${load(runnerUp)} → ${best.id}`;
      return { algorithm: 'least-connections', backendId: best.id, reason, candidates: scored };
    },
  };
}
