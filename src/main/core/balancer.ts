import net from 'node:net';
import type { Server, Socket } from 'node:net';
import type { CloseReason, Decision } from '../../shared/protocol';
import { updateEwma } from './algorithms';
import type { Algorithm, Candidate } from './algorithms/types';
import { Bridge, type BridgeOwner, type BridgeTarget } from './bridge';
import { systemClock, type Clock } from './clock';
import { FaultRelay } from './faults/fault-relay';
import { hasFaults } from './faults/settings';
import { listenOn, type BoundAddress } from './listen';
import type {
  BalancerBackend,
  AdminState,
  BalancerBackendStats,
  BalancerBackendFailureState,
  BalancerStats,
  ConnectionDequeuedInfo,
  ByteDelta,
  BalancerHooks,
  BalancerOptions,
} from './balancer-types';
import {
  DEFAULT_LIMITS,
  DEFAULT_POLICY,
  NO_FAULTS,
  type BackendLimits,
  type ConnectionPolicy,
  type FaultSettings,
} from './policy-defaults';

export type {
  BalancerBackend,
  AdminState,
  BalancerBackendStats,
  BalancerBackendFailureState,
  BalancerStats,
  ConnectionOpenedInfo,
  ConnectRetryInfo,
  ConnectionClosedInfo,
  ConnectionQueuedInfo,
  ConnectionDequeuedInfo,
  BackendEjectedInfo,
  ByteDelta,
  BalancerHooks,
  BalancerOptions,
} from './balancer-types';

interface QueuedConn {
  bridge: Bridge;
  enqueuedAt: number;
  deadline: number;
  live: boolean;
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
  admin: AdminState;
  healthDown: boolean;
  consecutiveFailures: number;
  ejected: boolean;
  ejectedUntil: number;
  ejectionCount: number;
  returnedAt: number;
  ejectTimer: NodeJS.Timeout | null;
  limits: BackendLimits;
  /** FIFO with a head index; dead items (left early) are skipped. */
  queue: QueuedConn[];
  queueHead: number;
  queueLive: number;
  queueTimer: NodeJS.Timeout | null;
  faults: FaultSettings;
  faulted: boolean;
}

/** Byte totals seen at the last idle sweep, for connections that were open then. */
interface IdleMark {
  bytes: number;
  since: number;
}

/**
 * A TCP load balancer like the seed's load_balancer.py: for each client it picks a backend with the
 * current algorithm, connects (retrying others invisibly while the client is held paused, up to
 * policy.retries), and bridges bytes both ways with backpressure and half-close. Failure handling
 * follows HAProxy and Envoy: health marks and passive ejection take backends out, panic mode puts them
 * all back when too few are left, per-backend maxconn with a FIFO queue, connect and idle timeouts.
 */
export class Balancer implements BridgeOwner {
  private readonly host: string;
  private port: number;
  private algorithm: Algorithm;
  private readonly clock: Clock;
  private readonly hooks: BalancerHooks;
  private readonly random: () => number;
  private policyNow: ConnectionPolicy;
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
  private panicMode = false;
  private readonly queued = new Map<Bridge, { entry: PoolEntry; item: QueuedConn }>();
  private sweepTimer: NodeJS.Timeout | null = null;
  private readonly idleMarks = new Map<Bridge, IdleMark>();
  private relay: FaultRelay | null = null;

  constructor(options: BalancerOptions) {
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? 5000;
    this.algorithm = options.algorithm;
    this.clock = options.clock ?? systemClock;
    this.hooks = { ...options.hooks };
    this.random = options.random ?? Math.random;
    this.policyNow = mergePolicy(defaultConnectionPolicy(), options.policy ?? {});
    if (options.connectTimeoutMs !== undefined) this.policyNow.connectTimeoutMs = options.connectTimeoutMs;
  }

  /** Add observers (merged over the ones given at construction; same names replace). */
  addHooks(hooks: BalancerHooks): void {
    Object.assign(this.hooks, hooks);
  }

  /** Listen for clients; rejects with e.g. "port 5000 is already in use". */
  async listen(): Promise<BoundAddress> {
    if (this.server?.listening) return this.address;
    // pauseOnConnect: client bytes stay in the kernel until a backend is connected.
    // noDelay: TCP_NODELAY is set as each client is accepted, without a setNoDelay call per socket.
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, this.onConnection);
    server.on('error', (error: Error) => {
      if (server.listening) this.hooks.error?.(`balancer: ${error.message}`);
    });
    const address = await listenOn(server, this.host, this.port);
    this.server = server;
    this.port = address.port;
    this.closing = null;
    this.restartSweep();
    return address;
  }

  /** Stop listening, close every connection (reason 'balancer-stopped') and resolve when all are gone. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    const server = this.server;
    this.server = null;
    this.stopSweep();
    for (const entry of this.pool) this.clearEntryTimers(entry);
    const listenerClosed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    for (const bridge of this.bridges) bridge.abort('balancer-stopped');
    const relay = this.relay;
    this.relay = null;
    this.closing = Promise.all([listenerClosed, this.whenIdle(), relay?.close()]).then(() => undefined);
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
  /** Give up on a backend that has not accepted within this many ms. */
  get connectTimeoutMs(): number {
    return this.policyNow.connectTimeoutMs;
  }
  /** True while too few backends are healthy and every backend is used regardless of health. */
  get panic(): boolean {
    return this.panicMode;
  }
  /** The connection policy in force (a copy). */
  get policy(): ConnectionPolicy {
    return { ...this.policyNow, ejection: { ...this.policyNow.ejection } };
  }
  /** Connections waiting in backend queues. */
  get queuedConnections(): number {
    return this.queued.size;
  }
  /** Connections passing through the balancer-side fault relay. */
  get relayedConnections(): number {
    return this.relay?.size ?? 0;
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

  /** Admin, health mark, ejection, limits, queue and balancer-side faults of one backend. */
  failureState(id: string): BalancerBackendFailureState | undefined {
    const e = this.find(id);
    if (!e) return undefined;
    return {
      admin: e.admin,
      healthDown: e.healthDown,
      ejection: e.ejected ? { untilT: e.ejectedUntil, count: e.ejectionCount } : null,
      limits: { ...e.limits },
      queueLength: e.queueLive,
      faults: { ...e.faults },
    };
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
      admin: 'ready',
      healthDown: false,
      consecutiveFailures: 0,
      ejected: false,
      ejectedUntil: 0,
      ejectionCount: 0,
      returnedAt: 0,
      ejectTimer: null,
      limits: { ...DEFAULT_LIMITS },
      queue: [],
      queueHead: 0,
      queueLive: 0,
      queueTimer: null,
      faults: { ...NO_FAULTS },
      faulted: false,
    });
    this.poolChanged();
    this.recomputePanic();
  }

  /**
   * Take a backend out of the pool: no new connections. Its open connections finish on their own,
   * unless closeConnections is set (then they close with reason 'backend-removed'). Queued ones pick again.
   */
  removeBackend(id: string, options: { closeConnections?: boolean } = {}): boolean {
    const index = this.pool.findIndex((e) => e.id === id);
    if (index === -1) return false;
    const [entry] = this.pool.splice(index, 1);
    entry!.removed = true;
    this.clearEntryTimers(entry!);
    this.poolChanged();
    this.recomputePanic();
    this.redispatch(entry!);
    if (options.closeConnections) this.closeConnectionsOf(entry!, 'backend-removed');
    return true;
  }

  /** Change a backend's weight (0 = no new connections). */
  setWeight(id: string, weight: number): void {
    const entry = this.require(id);
    entry.weight = weight;
    this.poolChanged();
    this.afterEligibilityChange(entry);
  }

  /** Mark a backend up or down for new connections (open ones are untouched). */
  setAvailable(id: string, available: boolean): void {
    const entry = this.require(id);
    if (entry.available === available) return;
    entry.available = available;
    this.afterEligibilityChange(entry);
  }

  /** Swap the algorithm live; open connections are untouched. */
  setAlgorithm(algorithm: Algorithm): void {
    this.algorithm = algorithm;
    this.poolChanged();
  }

  /** Merge a policy change; takes effect for new connections (idle timeout also for open ones). */
  setPolicy(policy: Partial<ConnectionPolicy>): void {
    const idleBefore = this.policyNow.idleTimeoutMs;
    this.policyNow = mergePolicy(this.policyNow, policy);
    if (this.policyNow.idleTimeoutMs !== idleBefore) this.restartSweep();
    if (!this.policyNow.ejection.enabled) for (const entry of this.pool) if (entry.ejected) this.endEjection(entry);
    this.recomputePanic();
  }

  /** drain: no new connections, open ones finish; maint: the same for traffic (checks are the Lab's). */
  setAdmin(id: string, admin: AdminState): void {
    const entry = this.require(id);
    if (entry.admin === admin) return;
    entry.admin = admin;
    this.afterEligibilityChange(entry);
  }

  /** The active health checks marked the backend down (or up again). */
  setHealthDown(id: string, down: boolean): void {
    const entry = this.require(id);
    if (entry.healthDown === down) return;
    entry.healthDown = down;
    this.afterEligibilityChange(entry);
    if (down && this.policyNow.closeOnDown) this.closeConnectionsOf(entry, 'backend-down');
  }

  /** Per-backend maxconn and queue; a raised limit lets queued connections in at once. */
  setLimits(id: string, limits: Partial<BackendLimits>): void {
    const entry = this.require(id);
    entry.limits = { ...entry.limits, ...limits };
    // FIFO order needs monotonic deadlines, so a new timeout applies to everyone waiting.
    for (let i = entry.queueHead; i < entry.queue.length; i++) {
      const item = entry.queue[i]!;
      item.deadline = item.enqueuedAt + entry.limits.queueTimeoutMs;
    }
    if (entry.queueTimer) clearTimeout(entry.queueTimer);
    entry.queueTimer = null;
    this.fillSlots(entry);
    this.armQueueTimer(entry);
  }

  /** Faults the balancer injects on the path to this backend (replaces the previous set). */
  async setFaults(id: string, faults: FaultSettings): Promise<void> {
    const entry = this.require(id);
    const on = hasFaults(faults);
    if (on) {
      this.relay ??= new FaultRelay(this.random);
      await this.relay.start();
    }
    entry.faults = { ...faults };
    entry.faulted = on;
  }

  /** Close every connection to a backend now with the given reason. */
  closeConnections(id: string, reason: CloseReason): void {
    this.closeConnectionsOf(this.require(id), reason);
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
  choose(bridge: Bridge): BridgeTarget | null | 'queued' {
    if (bridge.tried.length > this.policyNow.retries) return null;
    const panic = this.panicMode;
    const candidates: Candidate[] = [];
    // HAProxy: a full server is skipped while another has a free slot; only when every eligible server
    // is full does the connection wait, in the queue of the one the algorithm picks among those with room.
    let waiting: Candidate[] | null = null;
    for (const entry of this.pool) {
      if (!this.pickable(entry, panic) || bridge.tried.includes(entry.id)) continue;
      const candidate: Candidate = { id: entry.id, weight: entry.weight, active: entry.active, ewmaMs: entry.ewmaMs };
      const max = entry.limits.maxConnections;
      if (max > 0 && entry.active >= max) {
        if (entry.queueLive < entry.limits.queueSize) (waiting ??= []).push(candidate);
        continue;
      }
      candidates.push(candidate);
    }
    const queueing = candidates.length === 0 && waiting !== null;
    const offered = queueing ? waiting! : candidates;
    if (offered.length === 0) return null;
    let decision: Decision;
    try {
      decision = this.algorithm.pick(offered, {
        clientAddress: bridge.clientAddress,
        clientPort: bridge.clientPort,
      });
    } catch (error) {
      this.hooks.error?.(
        `algorithm ${this.algorithm.name} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      decision = fallbackDecision(this.algorithm.name, offered[0]!);
    }
    let entry = this.find(decision.backendId);
    if (!entry || !offered.some((c) => c.id === entry!.id)) {
      entry = this.find(offered[0]!.id)!;
      decision = fallbackDecision(this.algorithm.name, offered[0]!);
    }
    bridge.decision = decision;
    if (queueing) {
      this.enqueue(bridge, entry);
      return 'queued';
    }
    entry.active++;
    return entry;
  }

  /** @internal */
  dial(bridge: Bridge, target: BridgeTarget): Socket {
    const entry = target as PoolEntry;
    const relay = this.relay;
    if (entry.faulted && relay?.ready)
      return relay.dial(
        entry,
        () => entry.faults,
        () => this.injectedReset(bridge),
      );
    return net.connect({ host: entry.host, port: entry.port, allowHalfOpen: true, noDelay: true });
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
      entry.consecutiveFailures = 0;
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
    if (outcome === 'failed') {
      this.hooks.connectRetry?.({ connId: bridge.id, backendId: entry.id, error: error ?? 'connect failed' });
      this.connectFailed(entry);
    }
    this.releaseSlot(entry);
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
    const wait = this.queued.get(bridge);
    if (wait) this.leaveQueue(bridge, wait.entry, wait.item, 'closed');
    const entry = bridge.target as PoolEntry | null;
    if (entry) this.releaseSlot(entry);
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

  /** May take new connections now (ignoring per-connection retries and limits). */
  private pickable(entry: PoolEntry, panic: boolean): boolean {
    return (
      !entry.removed &&
      entry.available &&
      entry.weight > 0 &&
      entry.admin === 'ready' &&
      (panic || (!entry.healthDown && !entry.ejected))
    );
  }

  /**
   * Envoy's panic threshold over the backends that could take traffic (ready, running, weight > 0):
   * below it, health marks and ejections are ignored. A pool with none healthy always panics, so the
   * balancer never excludes every backend (even with a 0 % threshold).
   */
  private recomputePanic(): void {
    let counted = 0;
    let healthy = 0;
    for (const e of this.pool) {
      if (e.admin !== 'ready' || !e.available || e.weight <= 0) continue;
      counted++;
      if (!e.healthDown && !e.ejected) healthy++;
    }
    const panic = counted > 0 && (healthy === 0 || healthy * 100 < this.policyNow.panicThresholdPercent * counted);
    if (panic === this.panicMode) return;
    this.panicMode = panic;
    this.hooks.panicChanged?.(panic);
    if (!panic) for (const e of this.pool) if (!this.pickable(e, false)) this.redispatch(e);
  }

  private afterEligibilityChange(entry: PoolEntry): void {
    this.recomputePanic();
    if (this.pickable(entry, this.panicMode)) this.fillSlots(entry);
    else this.redispatch(entry);
  }

  /** Envoy consecutive-failure outlier detection, O(1) per connect. */
  private connectFailed(entry: PoolEntry): void {
    entry.consecutiveFailures++;
    const policy = this.policyNow.ejection;
    if (!policy.enabled || entry.ejected || entry.removed || entry.consecutiveFailures < policy.consecutiveFailures)
      return;
    const now = this.clock.now();
    // Like Envoy's multiplier decay: one step back for every maxMs spent back in the pool.
    if (entry.returnedAt > 0)
      entry.ejectionCount = Math.max(0, entry.ejectionCount - Math.floor((now - entry.returnedAt) / policy.maxMs));
    entry.ejectionCount++;
    const duration = Math.min(policy.baseMs * entry.ejectionCount, policy.maxMs);
    entry.ejected = true;
    entry.ejectedUntil = now + duration;
    entry.consecutiveFailures = 0;
    entry.ejectTimer = setTimeout(() => this.endEjection(entry), duration);
    entry.ejectTimer.unref();
    this.hooks.backendEjected?.({
      backendId: entry.id,
      untilT: entry.ejectedUntil,
      count: entry.ejectionCount,
      reason: `${policy.consecutiveFailures} consecutive connect failures`,
    });
    this.afterEligibilityChange(entry);
  }

  private endEjection(entry: PoolEntry): void {
    if (entry.ejectTimer) clearTimeout(entry.ejectTimer);
    entry.ejectTimer = null;
    if (!entry.ejected) return;
    entry.ejected = false;
    entry.returnedAt = this.clock.now();
    if (entry.removed) return;
    this.afterEligibilityChange(entry);
    this.hooks.backendChanged?.(entry.id);
  }

  private closeConnectionsOf(entry: PoolEntry, reason: CloseReason): void {
    for (const bridge of this.bridges) if (bridge.target === entry) bridge.abort(reason);
  }

  private injectedReset(bridge: Bridge): void {
    bridge.reason ??= 'fault-reset';
    if (!bridge.client.destroyed) bridge.client.resetAndDestroy();
    bridge.abort('fault-reset');
  }

  // ---- queue (HAProxy maxconn / maxqueue / timeout queue)

  private enqueue(bridge: Bridge, entry: PoolEntry): void {
    const now = this.clock.now();
    const item: QueuedConn = { bridge, enqueuedAt: now, deadline: now + entry.limits.queueTimeoutMs, live: true };
    entry.queue.push(item);
    entry.queueLive++;
    this.queued.set(bridge, { entry, item });
    this.hooks.connectionQueued?.({ connId: bridge.id, backendId: entry.id, position: entry.queueLive });
    this.armQueueTimer(entry);
  }

  private leaveQueue(
    bridge: Bridge,
    entry: PoolEntry,
    item: QueuedConn,
    outcome: ConnectionDequeuedInfo['outcome'],
  ): void {
    item.live = false;
    entry.queueLive--;
    this.queued.delete(bridge);
    this.compactQueue(entry);
    this.hooks.connectionDequeued?.({
      connId: bridge.id,
      backendId: entry.id,
      waitedMs: this.clock.now() - item.enqueuedAt,
      outcome,
    });
  }

  private queueHeadItem(entry: PoolEntry): QueuedConn | null {
    while (entry.queueHead < entry.queue.length) {
      const item = entry.queue[entry.queueHead]!;
      if (item.live) return item;
      entry.queueHead++;
    }
    return null;
  }

  private compactQueue(entry: PoolEntry): void {
    if (entry.queueLive === 0) {
      entry.queue.length = 0;
      entry.queueHead = 0;
      if (entry.queueTimer) clearTimeout(entry.queueTimer);
      entry.queueTimer = null;
    } else if (entry.queueHead > 256) {
      entry.queue.splice(0, entry.queueHead);
      entry.queueHead = 0;
    }
  }

  private releaseSlot(entry: PoolEntry): void {
    entry.active--;
    if (entry.queueLive > 0) this.fillSlots(entry);
  }

  /** Hand free slots to the head of the queue, in order. */
  private fillSlots(entry: PoolEntry): void {
    if (entry.queueLive === 0 || !this.pickable(entry, this.panicMode)) return;
    const max = entry.limits.maxConnections;
    while (entry.queueLive > 0 && (max === 0 || entry.active < max)) {
      const item = this.queueHeadItem(entry);
      if (!item) break;
      if (item.bridge.reason !== null) {
        // Aborted while waiting; its close will come, but it must not take the slot.
        this.leaveQueue(item.bridge, entry, item, 'closed');
        continue;
      }
      entry.active++;
      this.leaveQueue(item.bridge, entry, item, 'connected');
      item.bridge.resume(entry);
    }
  }

  /** The backend left the pool: everyone waiting on it picks again (a redispatch is not a retry). */
  private redispatch(entry: PoolEntry): void {
    if (entry.queueLive === 0) return;
    const waiting: Bridge[] = [];
    for (let item = this.queueHeadItem(entry); item; item = this.queueHeadItem(entry)) {
      this.leaveQueue(item.bridge, entry, item, 'redispatched');
      waiting.push(item.bridge);
    }
    for (const bridge of waiting) bridge.resume(null);
  }

  private armQueueTimer(entry: PoolEntry): void {
    if (entry.queueTimer) return;
    const head = this.queueHeadItem(entry);
    if (!head) return;
    entry.queueTimer = setTimeout(
      () => this.expireQueue(entry),
      Math.max(1, Math.ceil(head.deadline - this.clock.now())),
    );
  }

  private expireQueue(entry: PoolEntry): void {
    entry.queueTimer = null;
    const now = this.clock.now();
    for (let item = this.queueHeadItem(entry); item && item.deadline <= now + 1; item = this.queueHeadItem(entry)) {
      this.leaveQueue(item.bridge, entry, item, 'timeout');
      item.bridge.abort('queue-timeout');
    }
    this.armQueueTimer(entry);
  }

  private clearEntryTimers(entry: PoolEntry): void {
    if (entry.ejectTimer) clearTimeout(entry.ejectTimer);
    entry.ejectTimer = null;
    if (entry.queueTimer) clearTimeout(entry.queueTimer);
    entry.queueTimer = null;
  }

  // ---- idle timeout: one coarse sweep instead of a timer per socket

  private restartSweep(): void {
    this.stopSweep();
    const idle = this.policyNow.idleTimeoutMs;
    if (idle <= 0 || !this.server) return;
    this.sweepTimer = setInterval(this.sweep, Math.max(5, Math.floor(idle / 4)));
    this.sweepTimer.unref();
  }

  private stopSweep(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    this.idleMarks.clear();
  }

  /**
   * A connection is idle when its byte totals did not change for idleTimeoutMs, checked every idle/4:
   * it closes between idle and 1.5 × idle after the last byte, and any trickle keeps it open.
   */
  private readonly sweep = (): void => {
    const idle = this.policyNow.idleTimeoutMs;
    const now = this.clock.now();
    for (const [bridge] of this.idleMarks) if (bridge.phase === 'finished') this.idleMarks.delete(bridge);
    for (const bridge of this.bridges) {
      if (bridge.phase !== 'open') continue;
      const moved = bridge.bytesUp + bridge.bytesDown;
      const mark = this.idleMarks.get(bridge);
      if (!mark) this.idleMarks.set(bridge, { bytes: moved, since: now });
      else if (mark.bytes !== moved) {
        mark.bytes = moved;
        mark.since = now;
      } else if (now - mark.since >= idle) {
        this.idleMarks.delete(bridge);
        bridge.abort('idle-timeout');
      }
    }
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

function defaultConnectionPolicy(): ConnectionPolicy {
  return mergePolicy(
    {
      retries: DEFAULT_POLICY.retries,
      connectTimeoutMs: DEFAULT_POLICY.connectTimeoutMs,
      idleTimeoutMs: DEFAULT_POLICY.idleTimeoutMs,
      ejection: DEFAULT_POLICY.ejection,
      panicThresholdPercent: DEFAULT_POLICY.panicThresholdPercent,
      closeOnDown: DEFAULT_POLICY.closeOnDown,
    },
    {},
  );
}

/** Field by field, so a BalancerPolicy's healthCheck (the Lab's business) never lands here. */
function mergePolicy(base: ConnectionPolicy, change: Partial<ConnectionPolicy>): ConnectionPolicy {
  return {
    retries: change.retries ?? base.retries,
    connectTimeoutMs: change.connectTimeoutMs ?? base.connectTimeoutMs,
    idleTimeoutMs: change.idleTimeoutMs ?? base.idleTimeoutMs,
    ejection: { ...(change.ejection ?? base.ejection) },
    panicThresholdPercent: change.panicThresholdPercent ?? base.panicThresholdPercent,
    closeOnDown: change.closeOnDown ?? base.closeOnDown,
  };
}

function fallbackDecision(algorithm: Algorithm['name'], candidate: Candidate): Decision {
  return {
    algorithm,
    backendId: candidate.id,
    reason: `fallback → ${candidate.id}`,
    candidates: [{ backendId: candidate.id, score: '' }],
  };
}
