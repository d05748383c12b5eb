/** The balancer's public vocabulary: backends as registered, stats, hook payloads and options. */
import type { CloseReason, Decision } from '../../shared/protocol';
import type { Algorithm } from './algorithms/types';
import type { Clock } from './clock';
import type { BackendLimits, ConnectionPolicy, FaultSettings } from './policy-defaults';

/** A backend as registered with the balancer. */
export interface BalancerBackend {
  id: string;
  host: string;
  port: number;
  /** 0..256; 0 takes no new connections. Default 1. */
  weight?: number;
}

/** Operator state: ready, drain (no new connections) or maint (no traffic). */
export type AdminState = 'ready' | 'drain' | 'maint';

/** Per-backend counters. */
export interface BalancerBackendStats {
  id: string;
  host: string;
  port: number;
  weight: number;
  available: boolean;
  /** Connections open now (including ones still connecting). */
  active: number;
  /** Connections ever established. */
  total: number;
}

/** A backend's failure-handling state, for views. */
export interface BalancerBackendFailureState {
  admin: AdminState;
  /** Marked down by the active health checks. */
  healthDown: boolean;
  ejection: { untilT: number; count: number } | null;
  limits: BackendLimits;
  queueLength: number;
  /** Faults injected by the balancer on the path to this backend. */
  faults: FaultSettings;
}

/** Balancer-wide counters. */
export interface BalancerStats {
  active: number;
  total: number;
  failed: number;
  backends: BalancerBackendStats[];
}

/** Connection opened: a backend accepted it. */
export interface ConnectionOpenedInfo {
  connId: number;
  clientAddress: string;
  clientPort: number;
  backendId: string;
  decision: Decision;
  /** Backends tried first that refused or timed out. */
  retried: string[];
}

/** A connect attempt failed; the balancer moves on. */
export interface ConnectRetryInfo {
  connId: number;
  backendId: string;
  error: string;
}

/** Connection finished (both sockets closed). */
export interface ConnectionClosedInfo {
  connId: number;
  clientAddress: string;
  clientPort: number;
  backendId: string | null;
  reason: CloseReason;
  bytesUp: number;
  bytesDown: number;
  /** Bytes not yet returned by drainByteDeltas (now marked as reported), so totals can be completed in order. */
  unreportedUp: number;
  unreportedDown: number;
  durationMs: number;
}

/** A client connection waits for a slot on a full backend. */
export interface ConnectionQueuedInfo {
  connId: number;
  backendId: string;
  /** 1 = head of the queue. */
  position: number;
}

/** A connection left a backend's queue. */
export interface ConnectionDequeuedInfo {
  connId: number;
  backendId: string;
  waitedMs: number;
  /** connected: got a slot; timeout: closed ('queue-timeout'); redispatched: the backend left the pool, picked again; closed: the client went away. */
  outcome: 'connected' | 'timeout' | 'redispatched' | 'closed';
}

/** Passive ejection took a backend out of the pool. */
export interface BackendEjectedInfo {
  backendId: string;
  untilT: number;
  count: number;
  reason: string;
}

/** Byte counts since the last drain for one connection. */
export interface ByteDelta {
  connId: number;
  up: number;
  down: number;
}

/** Observers on the hot path: called synchronously; keep them cheap and never throw. */
export interface BalancerHooks {
  connectionOpened?(info: ConnectionOpenedInfo): void;
  connectRetry?(info: ConnectRetryInfo): void;
  connectionClosed?(info: ConnectionClosedInfo): void;
  /** Byte deltas became available (called once until the next drainByteDeltas). */
  bytesPending?(): void;
  /** The listener failed after it was up. */
  error?(message: string): void;
  connectionQueued?(info: ConnectionQueuedInfo): void;
  connectionDequeued?(info: ConnectionDequeuedInfo): void;
  backendEjected?(info: BackendEjectedInfo): void;
  /** A backend's failure state changed without an event of its own (e.g. an ejection ended). */
  backendChanged?(backendId: string): void;
  panicChanged?(panic: boolean): void;
}

/** Options for {@link Balancer}. */
export interface BalancerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 5000; 0 picks an ephemeral port. */
  port?: number;
  algorithm: Algorithm;
  /** Give up on a backend that has not accepted within this many ms. Default 1000 (same as policy.connectTimeoutMs). */
  connectTimeoutMs?: number;
  /** Retries, timeouts, ejection, panic threshold, closeOnDown; defaults in policy-defaults.ts. */
  policy?: Partial<ConnectionPolicy>;
  /** Randomness for injected faults (jitter, reset probability). Default Math.random. */
  random?: () => number;
  clock?: Clock;
  hooks?: BalancerHooks;
}
