import type { Decision, DecisionCandidate } from '../../../shared/protocol';
import type { Algorithm, Candidate } from './types';
import { TurnCursor } from './turn-cursor';

/** Default decay window of the latency average (Finagle's and Linkerd's 10 s). */
export const DEFAULT_DECAY_MS = 10_000;
/**
 * Score of a backend with no latency sample yet but connections already open: huge, so it waits for its
 * first measurement instead of being swamped (Finagle's Penalty). With nothing open its score is 0.
 */
export const UNSEEN_PENALTY = 1e9;

/**
 * Peak-sensitive EWMA of latency (Finagle/Linkerd "peak EWMA"): a sample above the average replaces it at
 * once (react to slowness now), a lower one is blended in with w = exp(-elapsed/decay):
 * next = prev·w + sample·(1−w). The first sample is taken as is.
 */
export function updateEwma(
  prev: number | undefined,
  sampleMs: number,
  elapsedMs: number,
  decayMs = DEFAULT_DECAY_MS,
): number {
  if (!Number.isFinite(sampleMs) || sampleMs < 0) return prev ?? 0;
  if (prev === undefined || !Number.isFinite(prev) || sampleMs > prev) return sampleMs;
  const elapsed = Number.isFinite(elapsedMs) && elapsedMs > 0 ? elapsedMs : 0;
  const w = decayMs > 0 ? Math.exp(-elapsed / decayMs) : 0;
  return prev * w + sampleMs * (1 - w);
}

/** Peak-EWMA load: ewma × (active + 1); unseen → 0 when idle (try it), else UNSEEN_PENALTY + active. */
export function peakEwmaScore(c: Candidate): number {
  if (c.ewmaMs === undefined) return c.active === 0 ? 0 : UNSEEN_PENALTY + c.active;
  return c.ewmaMs * (c.active + 1);
}

function describe(c: Candidate, score: number): string {
  if (c.ewmaMs === undefined) return c.active === 0 ? 'unseen, idle → try' : `unseen, ${c.active} open → wait`;
  return `${c.ewmaMs.toFixed(1)}ms × ${c.active + 1} = ${score.toFixed(1)}`;
}

/**
 * Latency-aware balancing (Finagle/Linkerd peak EWMA): each backend's load is its peak-EWMA latency times
 * (open connections + 1); the lowest load wins. Unlike Linkerd, which samples two backends (P2C), the Lab
 * scores every candidate — pools are small, and a deterministic choice is easier to read and to test.
 * Ties (e.g. several unseen idle backends) go to whichever comes next in turn in pool order. Weights only
 * gate eligibility here.
 */
export function createPeakEwma(): Algorithm {
  const cursor = new TurnCursor();
  return {
    name: 'peak-ewma',
    poolChanged(pool) {
      cursor.setPool(pool.map((c) => c.id));
    },
    pick(candidates: readonly Candidate[]): Decision {
      cursor.learn(candidates);
      const scored: DecisionCandidate[] = new Array(candidates.length);
      let best = candidates[0]!;
      let bestScore = Infinity;
      let bestRank = Infinity;
      let runnerUp: Candidate | undefined;
      let runnerScore = Infinity;
      for (let i = 0; i < candidates.length; i++) {
        const c = candidates[i]!;
        const score = peakEwmaScore(c);
        scored[i] = { backendId: c.id, score: describe(c, score) };
        const rank = cursor.rank(c.id);
        if (score < bestScore || (score === bestScore && rank < bestRank)) {
          if (bestScore !== Infinity) {
            runnerUp = best;
            runnerScore = bestScore;
          }
          best = c;
          bestScore = score;
          bestRank = rank;
        } else if (score < runnerScore || !runnerUp) {
          runnerUp = c;
          runnerScore = score;
        }
      }
      cursor.advance(best.id);
      let reason: string;
      if (!runnerUp) reason = `only ${best.id} eligible (${describe(best, bestScore)}) → ${best.id}`;
      else {
        const tie = runnerScore === bestScore ? ' (tie, next in turn)' : '';
        reason = `${best.id}: ${describe(best, bestScore)} vs ${runnerUp.id}: ${describe(runnerUp, runnerScore)}${tie} → ${best.id}`;
      }
      return { algorithm: 'peak-ewma', backendId: best.id, reason, candidates: scored };
    },
  };
}
