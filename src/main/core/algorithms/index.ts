import type { AlgorithmName } from '../../../shared/protocol';
import type { Algorithm, Random } from './types';
import { createRoundRobin } from './round-robin';
import { createWeightedRoundRobin } from './weighted-round-robin';
import { createLeastConnections } from './least-connections';
import { createPowerOfTwo } from './power-of-two';
import { createRandom } from './random';
import { createSourceHash } from './source-hash';
import { createConsistentHash } from './consistent-hash';
import { createPeakEwma } from './peak-ewma';

export type { Algorithm, Candidate, PickContext, Random } from './types';
export type { ConsistentHashAlgorithm, RingLookup, RingPoint, RingView } from './consistent-hash';
export type { SourceHashAlgorithm, SlotLookup } from './source-hash';
export { createRoundRobin } from './round-robin';
export { createWeightedRoundRobin, smoothWeightedOrder } from './weighted-round-robin';
export { createLeastConnections } from './least-connections';
export { createPowerOfTwo } from './power-of-two';
export { createRandom } from './random';
export { createSourceHash } from './source-hash';
export { createConsistentHash } from './consistent-hash';
export { createPeakEwma, updateEwma, peakEwmaScore } from './peak-ewma';
export { seededRandom } from './seeded-random';
export { hash32, fnv1a32, fmix32 } from './hash';

/** A fresh algorithm instance (own state) by name; `random` feeds the randomised ones (seed it in tests). */
export function createAlgorithm(name: AlgorithmName, random: Random = Math.random): Algorithm {
  switch (name) {
    case 'round-robin':
      return createRoundRobin();
    case 'weighted-round-robin':
      return createWeightedRoundRobin();
    case 'least-connections':
      return createLeastConnections();
    case 'power-of-two':
      return createPowerOfTwo(random);
    case 'random':
      return createRandom(random);
    case 'source-hash':
      return createSourceHash();
    case 'consistent-hash':
      return createConsistentHash();
    case 'peak-ewma':
      return createPeakEwma();
    default: {
      const unknown: never = name;
      throw new Error(`unknown algorithm: ${String(unknown)}`);
    }
  }
}

/** One sentence per algorithm on when to use it, for the README and the UI. */
export const ALGORITHM_DESCRIPTIONS: Record<AlgorithmName, string> = {
  'round-robin':
    'Hands connections to each server in turn; use it when servers are alike and requests cost about the same.',
  'weighted-round-robin':
    "nginx's smooth weighted round robin: use it when servers differ in capacity — a server of weight 5 gets five times the connections of weight 1, spread out evenly rather than in bursts.",
  'least-connections':
    'Sends each connection to the server with the fewest open connections per unit of weight; use it when connections are long-lived or vary a lot in length.',
  'power-of-two':
    'Samples two servers at random and takes the less busy one; use it for large pools or many balancers, where it nearly matches least-connections without herding onto one server.',
  random:
    'Picks a server at random in proportion to its weight; use it as a simple stateless baseline that evens out over many connections.',
  'source-hash':
    'Maps each client address to a fixed server; use it when a client must keep landing on the same server (sessions, caches) and the pool rarely changes.',
  'consistent-hash':
    'Maps clients to servers on a hash ring so adding or removing a server moves only about 1/N of the clients; use it for sticky routing to caches or shards in a changing pool.',
  'peak-ewma':
    'Prefers the server with the lowest recent latency times its open connections; use it when servers differ in speed or slow down under load.',
};
