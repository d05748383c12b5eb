import type { Algorithm, Candidate, PickContext } from '../../src/main/core/algorithms/types';

/** Candidates from a compact spec: [id, weight?, active?, ewmaMs?]. */
export function pool(...specs: Array<[string, number?, number?, number?]>): Candidate[] {
  return specs.map(([id, weight = 1, active = 0, ewmaMs]) =>
    ewmaMs === undefined ? { id, weight, active } : { id, weight, active, ewmaMs },
  );
}

export const ctx = (clientAddress = '127.0.0.1', clientPort = 40000): PickContext => ({ clientAddress, clientPort });

/** `count` picks over fixed candidates; returns the chosen ids. */
export function picks(algo: Algorithm, candidates: readonly Candidate[], count: number, context = ctx()): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(algo.pick(candidates, context).backendId);
  return out;
}
