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

/** One sentence per algorithm on when to use it (shared with the renderer). */
export { ALGORITHM_DESCRIPTIONS } from '../../../shared/algorithms';
