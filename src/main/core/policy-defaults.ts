/**
 * The one place for failure-handling defaults (HAProxy's inter/timeout/rise/fall, Envoy's outlier
 * detection, the README's retries 2 / connect 1 s / idle 60 s). The CLI help and the Lab read them here.
 */
import type { BalancerPolicy, Faults, HealthCheck } from '../../shared/protocol';

/** TCP connect check every second, 1 s timeout, 2 to rise, 2 to fall. */
export const DEFAULT_HEALTH_CHECK: Readonly<HealthCheck> = Object.freeze({
  enabled: true,
  intervalMs: 1000,
  timeoutMs: 1000,
  rise: 2,
  fall: 2,
});

/** Passive ejection: 5 consecutive connect failures eject for 30 s × count, at most 300 s (Envoy). */
export const DEFAULT_EJECTION: Readonly<BalancerPolicy['ejection']> = Object.freeze({
  enabled: true,
  consecutiveFailures: 5,
  baseMs: 30_000,
  maxMs: 300_000,
});

/** The balancer-wide policy a new Lab starts with. */
export const DEFAULT_POLICY: Readonly<BalancerPolicy> = Object.freeze({
  retries: 2,
  connectTimeoutMs: 1000,
  idleTimeoutMs: 60_000,
  ejection: DEFAULT_EJECTION,
  panicThresholdPercent: 50,
  closeOnDown: false,
  healthCheck: DEFAULT_HEALTH_CHECK,
});

/** Per-backend limits: unlimited connections, and the queue used once a limit is set (HAProxy maxqueue/timeout queue). */
export interface BackendLimits {
  /** 0 = unlimited. */
  maxConnections: number;
  /** Connections that may wait for a slot; 0 = none (a full backend is skipped). */
  queueSize: number;
  queueTimeoutMs: number;
}

export const DEFAULT_LIMITS: Readonly<BackendLimits> = Object.freeze({
  maxConnections: 0,
  queueSize: 100,
  queueTimeoutMs: 5000,
});

/** Balancer-side connection policy: the BalancerPolicy without the health-check defaults. */
export type ConnectionPolicy = Omit<BalancerPolicy, 'healthCheck'>;

/** Faults with every field set: 0 / false mean "off". */
export type FaultSettings = Required<Faults>;

export const NO_FAULTS: Readonly<FaultSettings> = Object.freeze({
  latencyMs: 0,
  jitterMs: 0,
  bandwidthKBps: 0,
  resetProbability: 0,
  refuse: false,
  blackHole: false,
  slowCloseMs: 0,
});
