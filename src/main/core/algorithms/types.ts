import type { AlgorithmName, Decision } from '../../../shared/protocol';

/** A backend as an algorithm sees it at the moment of a pick. */
export interface Candidate {
  /** Stable backend id. */
  id: string;
  /** 0..256; 0 means "no new connections" (the balancer filters those out before picking). */
  weight: number;
  /** Connections the balancer has open to this backend now. */
  active: number;
  /** Exponentially weighted moving average of observed latency (connect + first byte), ms; undefined when unseen. */
  ewmaMs?: number;
}

/** Who is asking: used by the hash algorithms. */
export interface PickContext {
  clientAddress: string;
  clientPort: number;
}

/**
 * A balancing algorithm. `pick` receives only eligible candidates (up, weight > 0, not already tried
 * for this connection), in the pool's stable order, never an empty list. It returns the choice with
 * its reasoning. Algorithms keep their own state (cursor, ring) and are told about pool changes.
 */
export interface Algorithm {
  readonly name: AlgorithmName;
  pick(candidates: readonly Candidate[], ctx: PickContext): Decision;
  /** The full pool (all backends, any state) changed: membership or weights. Optional. */
  poolChanged?(pool: readonly Candidate[]): void;
}

/** Source of randomness in [0, 1); seedable in tests. */
export type Random = () => number;
