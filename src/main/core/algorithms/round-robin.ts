import type { Decision } from '../../../shared/protocol';
import type { Algorithm, Candidate } from './types';

/**
 * Plain round robin, as the seed's load_balancer.py: a cursor over the pool that advances one step per pick.
 * The cursor is kept by backend id so removing or skipping a backend does not reorder the others.
 */
export function createRoundRobin(): Algorithm {
  let lastId: string | undefined;
  let order: string[] = [];
  return {
    name: 'round-robin',
    poolChanged(pool) {
      order = pool.map((c) => c.id);
    },
    pick(candidates: readonly Candidate[]): Decision {
      // Next candidate after the last chosen one in pool order (pool order falls back to candidate order).
      const ids = order.length ? order : candidates.map((c) => c.id);
      const start = lastId === undefined ? -1 : ids.indexOf(lastId);
      let chosen: Candidate | undefined;
      for (let step = 1; step <= ids.length && !chosen; step++) {
        const id = ids[(start + step + ids.length) % ids.length];
        chosen = candidates.find((c) => c.id === id);
      }
      chosen ??= candidates[0]!;
      lastId = chosen.id;
      return {
        algorithm: 'round-robin',
        backendId: chosen.id,
        reason: `next in turn → ${chosen.id}`,
        candidates: candidates.map((c) => ({ backendId: c.id, score: c.id === chosen.id ? 'next' : '' })),
      };
    },
  };
}
