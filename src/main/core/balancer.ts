import net from 'node:net';
import type { Server, Socket } from 'node:net';
import type { CloseReason, Decision } from '../../shared/protocol';
import { updateEwma } from './algorithms';
import type { Algorithm, Candidate } from './algorithms/types';
import { Bridge, type BridgeOwner, type BridgeTarget } from './bridge';
import { systemClock, type Clock } from './clock';
import { listenOn, type BoundAddress } from './listen';

/** A backend as registered with the balancer. */
export interface BalancerBackend {
  id: string;
  host: string;
  port: number;
  /** 0..256; 0 takes no new connections. Default 1. */
  weight?: number;
}

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
}

/** Options for {@link Balancer}. */
export interface BalancerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 5000; 0 picks an ephemeral port. */
  port?: number;
  algorithm: Algorithm;
  /** Give up on a backend that has not accepted within this many ms. Default 1000. */
  connectTimeoutMs?: number;
  clock?: Clock;
  hooks?: BalancerHooks;
}

interface PoolEntry extends BridgeTarget {
  weight: number;
  available: boolean;
  active: number;
  total: number;
  removed: boolean;
  /** Peak-EWMA latency (ms), undefined until the first sample. */
  ewmaMs: number | undefined;
  ewmaAt: number;
}

/**
 * A TCP load balancer like the seed's load_balancer.py: for each client it picks a backend with the
 * current algorithm, connects (skipping backends that refuse or time out, invisibly to the client)
 * and bridges bytes both ways with backpressure and half-close.
 */
export class Balancer implements BridgeOwner {
  readonly connectTimeoutMs: number;
  private readonly host: string;
  private port: number;
  private algorithm: Algorithm;
  private readonly clock: Clock;
  private readonly hooks: BalancerHooks;
  private readonly pool: PoolEntry[] = [];
  private readonly bridges = new Set<Bridge>();
  private dirtyBridges: Bridge[] = [];
  private server: Server | null = null;
  private nextConnId = 1;
  private activeCount = 0;
  private totalCount = 0;
  private failedCount = 0;
  private closing: Promise<void> | null = null;
  private idleWaiters: Array<() => void> = [];

  constructor(options: BalancerOptions) {
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? 5000;
    this.algorithm = options.algorithm;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 1000;
    this.clock = options.clock ?? systemClock;
    this.hooks = options.hooks ?? {};
  }

  /** Listen for clients; rejects with e.g. "port 5000 is already in use". */
  async listen(): Promise<BoundAddress> {
    if (this.server?.listening) return this.address;
    // pauseOnConnect: client bytes stay in the kernel until a backend is connected.
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, this.onConnection);
    server.on('error', (error: Error) => {
      if (server.listening) this.hooks.error?.(`balancer: ${error.message}`);
    });
    const address = await listenOn(server, this.host, this.port);
    this.server = server;
    this.port = address.port;
    this.closing = null;
    return address;
  }

  /** Stop listening, close every connection (reason 'balancer-stopped') and resolve when all are gone. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    const server = this.server;
    this.server = null;
    const listenerClosed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    for (const bridge of this.bridges) bridge.abort('balancer-stopped');
    this.closing = Promise.all([listenerClosed, this.whenIdle()]).then(() => undefined);
    return this.closing;
  }

  get address(): BoundAddress {
    return { host: this.host, port: this.port };
  }
  get listening(): boolean {
    return this.server?.listening ?? false;
  }
  get algorithmName(): Algorithm['name'] {
    return this.algorithm.name;
  }
  get activeConnections(): number {
    return this.activeCount;
  }
  get totalConnections(): number {
    return this.totalCount;
  }
  get failedConnections(): number {
    return this.failedCount;
  }

  /** Counters for the whole balancer and each backend in pool order. */
  stats(): BalancerStats {
    return {
      active: this.activeCount,
      total: this.totalCount,
      failed: this.failedCount,
      backends: this.pool.map((e) => this.entryStats(e)),
    };
  }

  /** Counters for one backend, or undefined when it is not in the pool. */
  backendStats(id: string): BalancerBackendStats | undefined {
    const entry = this.find(id);
    return entry ? this.entryStats(entry) : undefined;
  }

  /** Register a backend at the end of the pool; throws if the id exists. */
  addBackend(backend: BalancerBackend): void {
    if (this.find(backend.id)) throw new Error(`backend id ${backend.id} already exists`);
    this.pool.push({
      id: backend.id,
      host: backend.host,
      port: backend.port,
      weight: backend.weight ?? 1,
      available: true,
      active: 0,
      total: 0,
      removed: false,
      ewmaMs: undefined,
      ewmaAt: 0,
    });
    this.poolChanged();
  }

  /**
   * Take a backend out of the pool: no new connections. Its open connections finish on their own,
   * unless closeConnections is set (then they close with reason 'backend-removed').
   */
  removeBackend(id: string, options: { closeConnections?: boolean } = {}): boolean {
    const index = this.pool.findIndex((e) => e.id === id);
    if (index === -1) return false;
    const [entry] = this.pool.splice(index, 1);
    entry!.removed = true;
    this.poolChanged();
    if (options.closeConnections) {
      for (const bridge of this.bridges) if (bridge.target === entry) bridge.abort('backend-removed');
    }
    return true;
  }

  /** Change a backend's weight (0 = no new connections). */
  setWeight(id: string, weight: number): void {
    const entry = this.require(id);
    entry.weight = weight;
    this.poolChanged();
  }

  /** Mark a backend up or down for new connections (open ones are untouched). */
  setAvailable(id: string, available: boolean): void {
    this.require(id).available = available;
  }

  /** Swap the algorithm live; open connections are untouched. */
  setAlgorithm(algorithm: Algorithm): void {
    this.algorithm = algorithm;
    this.poolChanged();
  }

  /** Deltas since the last call, only for connections that moved bytes. */
  drainByteDeltas(): ByteDelta[] {
    const dirty = this.dirtyBridges;
    if (dirty.length === 0) return [];
    this.dirtyBridges = [];
    const out: ByteDelta[] = [];
    for (const bridge of dirty) {
      bridge.dirty = false;
      const up = bridge.bytesUp - bridge.reportedUp;
      const down = bridge.bytesDown - bridge.reportedDown;
      if (up === 0 && down === 0) continue;
      bridge.reportedUp = bridge.bytesUp;
      bridge.reportedDown = bridge.bytesDown;
      out.push({ connId: bridge.id, up, down });
    }
    return out;
  }

  /** Debug: bytes buffered in user space per open connection (both sockets, both directions). */
  bufferedBytes(): Array<{ connId: number; bytes: number }> {
    const out: Array<{ connId: number; bytes: number }> = [];
    for (const bridge of this.bridges) out.push({ connId: bridge.id, bytes: bridge.bufferedBytes });
    return out;
  }

  /** Client sockets the OS-level listener still holds (0 when closed). */
  getConnections(): Promise<number> {
    const server = this.server;
    if (!server) return Promise.resolve(0);
    return new Promise((resolve) => server.getConnections((error, count) => resolve(error ? 0 : count)));
  }

  /** Resolves when no connection is open. */
  whenIdle(): Promise<void> {
    if (this.bridges.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  // ------------------------------------------------------------ BridgeOwner

  /** @internal */
  choose(bridge: Bridge): BridgeTarget | null {
    const candidates: Candidate[] = [];
    for (const entry of this.pool) {
      if (!entry.available || entry.weight <= 0 || bridge.tried.includes(entry.id)) continue;
      candidates.push({ id: entry.id, weight: entry.weight, active: entry.active, ewmaMs: entry.ewmaMs });
    }
    if (candidates.length === 0) return null;
    let decision: Decision;
    try {
      decision = this.algorithm.pick(candidates, {
        clientAddress: bridge.clientAddress,
        clientPort: bridge.clientPort,
      });
    } catch (error) {
      this.hooks.error?.(
        `algorithm ${this.algorithm.name} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      decision = fallbackDecision(this.algorithm.name, candidates[0]!);
    }
    let entry = this.find(decision.backendId);
    if (!entry || !candidates.some((c) => c.id === entry!.id)) {
      entry = this.find(candidates[0]!.id)!;
      decision = fallbackDecision(this.algorithm.name, candidates[0]!);
    }
    entry.active++;
    bridge.decision = decision;
    return entry;
  }

  /** @internal */
  attemptEnded(
    bridge: Bridge,
    target: BridgeTarget,
    outcome: 'connected' | 'failed' | 'cancelled',
    error: string | null,
  ): void {
    const entry = target as PoolEntry;
    const decision = bridge.decision;
    bridge.decision = null;
    if (outcome === 'connected') {
      entry.total++;
      this.hooks.connectionOpened?.({
        connId: bridge.id,
        clientAddress: bridge.clientAddress,
        clientPort: bridge.clientPort,
        backendId: entry.id,
        decision:
          decision ??
          fallbackDecision(this.algorithm.name, { id: entry.id, weight: entry.weight, active: entry.active }),
        retried: bridge.tried.slice(),
      });
      return;
    }
    entry.active--;
    if (outcome === 'failed')
      this.hooks.connectRetry?.({ connId: bridge.id, backendId: entry.id, error: error ?? 'connect failed' });
  }

  /** @internal */
  latencySample(_bridge: Bridge, target: BridgeTarget, sampleMs: number): void {
    const entry = target as PoolEntry;
    const now = performance.now();
    entry.ewmaMs = updateEwma(entry.ewmaMs, sampleMs, now - entry.ewmaAt);
    entry.ewmaAt = now;
  }

  /** @internal */
  bytesFlowed(bridge: Bridge): void {
    this.dirtyBridges.push(bridge);
    if (this.dirtyBridges.length === 1) this.hooks.bytesPending?.();
  }

  /** @internal */
  closed(bridge: Bridge): void {
    this.bridges.delete(bridge);
    this.activeCount--;
    const entry = bridge.target as PoolEntry | null;
    if (entry) entry.active--;
    const reason = bridge.reason ?? 'error';
    if (reason === 'no-backend') this.failedCount++;
    const unreportedUp = bridge.bytesUp - bridge.reportedUp;
    const unreportedDown = bridge.bytesDown - bridge.reportedDown;
    bridge.reportedUp = bridge.bytesUp;
    bridge.reportedDown = bridge.bytesDown;
    this.hooks.connectionClosed?.({
      connId: bridge.id,
      clientAddress: bridge.clientAddress,
      clientPort: bridge.clientPort,
      backendId: entry ? entry.id : null,
      reason,
      bytesUp: bridge.bytesUp,
      bytesDown: bridge.bytesDown,
      unreportedUp,
      unreportedDown,
      durationMs: this.clock.now() - bridge.openedAt,
    });
    if (this.bridges.size === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  // ------------------------------------------------------------ internals

  private readonly onConnection = (client: Socket): void => {
    const connId = this.nextConnId++;
    this.activeCount++;
    this.totalCount++;
    const bridge = new Bridge(
      connId,
      client,
      client.remoteAddress ?? '',
      client.remotePort ?? 0,
      this.clock.now(),
      this,
    );
    this.bridges.add(bridge);
    bridge.start();
  };

  private find(id: string): PoolEntry | undefined {
    for (const entry of this.pool) if (entry.id === id) return entry;
    return undefined;
  }

  private require(id: string): PoolEntry {
    const entry = this.find(id);
    if (!entry) throw new Error(`unknown backend ${id}`);
    return entry;
  }

  private entryStats(e: PoolEntry): BalancerBackendStats {
    return {
      id: e.id,
      host: e.host,
      port: e.port,
      weight: e.weight,
      available: e.available,
      active: e.active,
      total: e.total,
    };
  }

  private poolChanged(): void {
    this.algorithm.poolChanged?.(
      this.pool.map((e) => ({ id: e.id, weight: e.weight, active: e.active, ewmaMs: e.ewmaMs })),
    );
  }
}

function fallbackDecision(algorithm: Algorithm['name'], candidate: Candidate): Decision {
  return {
    algorithm,
    backendId: candidate.id,
    reason: `fallback → ${candidate.id}`,
    candidates: [{ backendId: candidate.id, score: '' }],
  };
}
