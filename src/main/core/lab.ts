import type {
  AlgorithmName,
  BackendState,
  BackendView,
  BalancerView,
  ClientView,
  Command,
  CommandResult,
  LabEvent,
  LabSnapshot,
  MetricsSample,
  TrafficView,
} from '../../shared/protocol';
import { setMaxListeners } from 'node:events';
import { parseCommand } from '../../shared/protocol';
import type { Algorithm, Random } from './algorithms/types';
import { createAlgorithm } from './algorithms';
import { BackendServer } from './backend-server';
import { Balancer, type ConnectionClosedInfo, type ConnectionOpenedInfo, type ConnectRetryInfo } from './balancer';
import { systemClock, type Clock } from './clock';
import { LabFailures } from './lab-failures';
import { sendMessage } from './message-client';
import { LabInsights } from './metrics/lab-insights';
import { clientKey, hash32 } from './algorithms/hash';
import { DEFAULT_TRAFFIC_TEXT, TrafficGenerator, resolveTrafficSettings, type TrafficSettings } from './traffic';

/** Options for {@link Lab.create}. */
export interface LabOptions {
  /** Default '127.0.0.1'. */
  balancerHost?: string;
  /** Default 5000; 0 = ephemeral. */
  balancerPort?: number;
  /** Default 'round-robin'. */
  algorithm?: AlgorithmName;
  clock?: Clock;
  /** Seedable randomness for algorithms. */
  random?: () => number;
  /** How often conn.bytes deltas (and coalesced counter updates) are emitted, ms. Default 16. */
  byteTickMs?: number;
}

/** Distributive Omit so each event variant keeps its own fields. */
type EventBody = LabEvent extends infer E ? (E extends LabEvent ? Omit<E, 'seq' | 't'> : never) : never;

interface BackendRecord {
  id: string;
  host: string;
  port: number;
  weight: number;
  /** Null for an external backend (state 'external'). */
  server: BackendServer | null;
  unsubscribe: Array<() => void>;
}

interface MessageRecord {
  msgId: number;
  clientId: string;
  connId: number | null;
  backendId: string | null;
  /** Link key of the client's connection ({@link linkKey}), once connected. */
  localPort: number | null;
  /** Traffic over a persistent connection: that connection's link (one balancer connection, many messages). */
  shared?: MessageRecord;
}

interface ConnLink {
  connId: number;
  backendId: string | null;
}

/** Give up on a message after this long (ms). */
const MESSAGE_TIMEOUT_MS = 10_000;
/** Traffic never keeps more messages than this in flight (a dead pool must not pile up sockets). */
const MAX_TRAFFIC_IN_FLIGHT = 2000;
/** Remember closed-but-unclaimed balancer connections this long (count), for late client callbacks. */
const CLOSED_LINK_MEMORY = 4096;

/** Create an algorithm by name, or null when it is not available. */
function createAlgorithmByName(name: AlgorithmName, random: Random): Algorithm | null {
  try {
    return createAlgorithm(name, random);
  } catch {
    return null;
  }
}

/**
 * Correlation key for one client connection: its address and port together, since clients bound to
 * different source addresses (127.0.0.2, 127.0.0.3, …) may use the same port at the same time.
 */
function linkKey(address: string, port: number): number {
  // Every open and close needs it and clients mostly share a few addresses: hash each address once in a row.
  if (address !== lastLinkAddress) {
    lastLinkAddress = address;
    lastLinkHash = hash32(clientKey(address));
  }
  return lastLinkHash * 65536 + port;
}
let lastLinkAddress = '';
let lastLinkHash = hash32(clientKey(''));

function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, ' ').trim() || 'unknown error';
}

/**
 * The engine every face talks to: a real balancer, managed backends, clients and traffic,
 * driven by validated commands and observed through an ordered event stream.
 */
export class Lab {
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly byteTickMs: number;
  private readonly balancer: Balancer;
  private readonly backends = new Map<string, BackendRecord>();
  private readonly clients: ClientView[] = [{ id: 'client-1' }];
  private readonly listeners = new Set<(event: LabEvent) => void>();
  private seq = 0;
  private algorithmName: AlgorithmName;
  private traffic: TrafficGenerator<MessageRecord> | null = null;
  private trafficSettings: TrafficSettings | null = null;
  /** Persistent traffic connections by local port. */
  private readonly sharedLinks = new Map<number, MessageRecord>();
  private readonly insights: LabInsights;
  /** Health checks, failure policy, limits, admin states and faults (lab-failures.ts). */
  private readonly failures: LabFailures;
  private nextMsgId = 1;
  private inFlight = 0;
  /** Aborted by close(): every in-flight message listens to it, so it has no listener limit. */
  private readonly abort = unlimitedAbortController();
  private tickTimer: NodeJS.Timeout | null = null;
  private readonly dirtyBackends = new Set<string>();
  private balancerDirty = false;
  private readonly linksByPort = new Map<number, ConnLink>();
  /** Ring of closed-but-unclaimed links (port, connId) so the map stays bounded. */
  private readonly closedLinkPorts = new Array<number>(CLOSED_LINK_MEMORY).fill(-1);
  private readonly closedLinkIds = new Array<number>(CLOSED_LINK_MEMORY).fill(-1);
  private closedLinkNext = 0;
  private readonly awaitingByPort = new Map<number, MessageRecord>();
  private closing: Promise<void> | null = null;

  private constructor(options: LabOptions, algorithm: Algorithm) {
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.byteTickMs = options.byteTickMs ?? 16;
    this.algorithmName = algorithm.name;
    this.balancer = new Balancer({
      host: options.balancerHost ?? '127.0.0.1',
      port: options.balancerPort ?? 5000,
      algorithm,
      clock: this.clock,
      random: this.random,
      hooks: {
        connectionOpened: (info) => this.onConnectionOpened(info),
        connectRetry: (info) => this.onConnectRetry(info),
        connectionClosed: (info) => this.onConnectionClosed(info),
        bytesPending: () => this.scheduleTick(),
        error: (message) => this.emit({ type: 'error', message }),
      },
    });
    this.insights = new LabInsights({
      clock: this.clock,
      backends: () => [...this.backends.values()].map((r) => this.backendView(r)),
      pool: () =>
        [...this.backends.values()].map((r) => ({
          view: this.backendView(r),
          available: this.balancer.backendStats(r.id)?.available,
        })),
      balancer: () => ({ current: this.balancer.activeConnections, total: this.balancer.totalConnections }),
      traffic: () => this.traffic?.counters,
      emitMetrics: (sample) => this.emit({ type: 'metrics', sample }),
      emitRing: (ring) => this.emit({ type: 'balancer.ring', ring }),
    });
    this.insights.setAlgorithm(algorithm, false);
    this.failures = new LabFailures({
      balancer: this.balancer,
      clock: this.clock,
      emit: (body) => this.emit(body),
      backendChanged: (id) => {
        const record = this.backends.get(id);
        if (record) this.emitBackend(record);
      },
      backendDirty: (id) => this.markBackendDirty(id),
      balancerChanged: () => this.emit({ type: 'balancer.state', balancer: this.balancerView() }),
    });
  }

  /** Start a Lab with its balancer listening; rejects with a clear Error (e.g. port in use). */
  static async create(options: LabOptions = {}): Promise<Lab> {
    const name = options.algorithm ?? 'round-robin';
    const algorithm = createAlgorithmByName(name, options.random ?? Math.random);
    if (!algorithm) throw new Error(`algorithm ${name} is not available yet`);
    const lab = new Lab(options, algorithm);
    await lab.balancer.listen();
    return lab;
  }

  /** Where clients connect. */
  get balancerAddress(): { host: string; port: number } {
    return this.balancer.address;
  }

  /** Subscribe to events (delivered synchronously, in seq order); returns unsubscribe. */
  onEvent(listener: (event: LabEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Validate and run a command; never throws: failures come back as {ok:false, error}. */
  async execute(command: unknown): Promise<CommandResult> {
    try {
      const parsed = parseCommand(command);
      if (!parsed.ok) return { ok: false, error: parsed.error };
      if (this.closing) return { ok: false, error: 'the lab is closed' };
      return await this.run(parsed.command);
    } catch (error) {
      return { ok: false, error: errorMessage(error) };
    }
  }

  /** Everything needed to draw the Lab from scratch. */
  snapshot(): LabSnapshot {
    return {
      seq: this.seq,
      t: this.clock.now(),
      balancer: this.balancerView(),
      backends: [...this.backends.values()].map((r) => this.backendView(r)),
      clients: this.clients.map((c) => ({ ...c })),
      traffic: this.trafficView(),
      ring: this.insights.ringView,
    };
  }

  /** Counters per backend and for the balancer now (the same sample the `metrics` event carries). */
  metrics(): MetricsSample {
    return this.insights.metrics();
  }

  /** Stop traffic, in-flight messages, the balancer and every managed backend. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** @internal Start a managed backend without schema checks (port 0 allowed), used by createSeedLab and tests. */
  async addManagedBackend(spec: {
    id: string;
    port: number;
    host?: string;
    delayMs?: number;
    weight?: number;
  }): Promise<void> {
    if (this.backends.has(spec.id)) throw new Error(`backend id ${spec.id} already exists`);
    const host = spec.host ?? '127.0.0.1';
    const server = new BackendServer({
      id: spec.id,
      port: spec.port,
      host,
      delayMs: spec.delayMs ?? 0,
      random: this.random,
    });
    const record: BackendRecord = {
      id: spec.id,
      host,
      port: spec.port,
      weight: spec.weight ?? 1,
      server,
      unsubscribe: [],
    };
    // Reserve the id while starting so a concurrent add with the same id fails cleanly.
    this.backends.set(spec.id, record);
    try {
      await server.start();
    } catch (error) {
      this.backends.delete(spec.id);
      throw error;
    }
    if (this.closing) {
      await server.kill();
      throw new Error('the lab is closed');
    }
    record.port = server.port;
    this.balancer.addBackend({ id: record.id, host: record.host, port: record.port, weight: record.weight });
    this.failures.backendAdded({ id: record.id, host: record.host, port: () => server.port, server });
    record.unsubscribe.push(
      server.on('state', (state) => {
        if (this.backends.get(record.id) !== record) return;
        this.balancer.setAvailable(record.id, state === 'up');
        this.emitBackend(record);
      }),
      server.on('messageServed', () => this.markBackendDirty(record.id)),
    );
    this.emitBackend(record);
  }

  // ------------------------------------------------------------ commands

  private async run(command: Command): Promise<CommandResult> {
    switch (command.type) {
      case 'backend.add':
        await this.addManagedBackend(command);
        return { ok: true };
      case 'backend.addExternal': {
        if (this.backends.has(command.id)) return { ok: false, error: `backend id ${command.id} already exists` };
        const record: BackendRecord = {
          id: command.id,
          host: command.host,
          port: command.port,
          weight: command.weight ?? 1,
          server: null,
          unsubscribe: [],
        };
        this.backends.set(command.id, record);
        this.balancer.addBackend({ id: record.id, host: record.host, port: record.port, weight: record.weight });
        this.failures.backendAdded({ id: record.id, host: record.host, port: () => record.port, server: null });
        this.emitBackend(record);
        return { ok: true };
      }
      case 'backend.remove': {
        const record = this.requireBackend(command.id);
        this.backends.delete(record.id);
        for (const unsubscribe of record.unsubscribe) unsubscribe();
        this.balancer.removeBackend(record.id);
        this.failures.backendRemoved(record.id);
        this.dirtyBackends.delete(record.id);
        this.emit({ type: 'backend.removed', backendId: record.id });
        // Open connections finish on their own; the UI need not wait for that.
        record.server
          ?.stop()
          .catch((error: unknown) =>
            this.emit({ type: 'error', message: `stopping ${record.id}: ${errorMessage(error)}` }),
          );
        return { ok: true };
      }
      case 'backend.stop':
        await this.requireManaged(command.id).stop();
        return { ok: true };
      case 'backend.kill':
        await this.requireManaged(command.id).kill();
        return { ok: true };
      case 'backend.restart':
        await this.requireManaged(command.id).restart();
        return { ok: true };
      case 'backend.setWeight': {
        const record = this.requireBackend(command.id);
        record.weight = command.weight;
        this.balancer.setWeight(record.id, command.weight);
        this.emitBackend(record);
        return { ok: true };
      }
      case 'backend.setDelay': {
        const server = this.requireManaged(command.id);
        server.setDelay(command.delayMs);
        this.emitBackend(this.backends.get(command.id)!);
        return { ok: true };
      }
      case 'balancer.setAlgorithm': {
        const algorithm = createAlgorithmByName(command.algorithm, this.random);
        if (!algorithm) return { ok: false, error: `algorithm ${command.algorithm} is not available yet` };
        this.balancer.setAlgorithm(algorithm);
        this.algorithmName = algorithm.name;
        this.emit({ type: 'balancer.state', balancer: this.balancerView() });
        this.insights.setAlgorithm(algorithm);
        return { ok: true };
      }
      case 'message.send': {
        const client = command.clientId ? this.clients.find((c) => c.id === command.clientId) : this.clients[0];
        if (!client) return { ok: false, error: `unknown client ${command.clientId}` };
        this.sendOne(client, command.text);
        return { ok: true };
      }
      case 'traffic.start':
        this.startTraffic(command);
        return { ok: true };
      case 'traffic.stop':
        this.stopTraffic();
        return { ok: true };
      case 'lab.snapshot':
        return { ok: true, snapshot: this.snapshot() };
      case 'backend.setHealthCheck':
      case 'backend.setLimits':
      case 'backend.setAdmin':
      case 'backend.setFaults':
      case 'balancer.setPolicy':
        return this.failures.execute(command);
    }
  }

  private requireBackend(id: string): BackendRecord {
    const record = this.backends.get(id);
    if (!record) throw new Error(`unknown backend ${id}`);
    return record;
  }

  private requireManaged(id: string): BackendServer {
    const record = this.requireBackend(id);
    if (!record.server) throw new Error(`backend ${id} is external: the lab does not run it`);
    return record.server;
  }

  // ------------------------------------------------------------ messages

  private sendOne(client: ClientView, text: string): void {
    const record: MessageRecord = {
      msgId: this.nextMsgId++,
      clientId: client.id,
      connId: null,
      backendId: null,
      localPort: null,
    };
    this.emit({ type: 'message.sent', msgId: record.msgId, clientId: client.id, text });
    this.inFlight++;
    const { host, port } = this.balancer.address;
    sendMessage({
      host,
      port,
      text,
      localAddress: client.sourceAddress,
      timeoutMs: MESSAGE_TIMEOUT_MS,
      signal: this.abort.signal,
      onConnected: (localPort, localAddress) => this.clientConnected(record, linkKey(localAddress, localPort)),
    }).then(
      (result) => {
        this.settleMessage(record);
        this.emit({
          type: 'message.replied',
          msgId: record.msgId,
          clientId: record.clientId,
          connId: record.connId,
          backendId: record.backendId,
          reply: result.reply,
          latencyMs: result.latencyMs,
        });
      },
      (error: unknown) => {
        this.settleMessage(record);
        if (this.closing) return;
        this.emit({
          type: 'message.failed',
          msgId: record.msgId,
          clientId: record.clientId,
          connId: record.connId,
          backendId: record.backendId,
          error: errorMessage(error),
        });
      },
    );
  }

  private settleMessage(record: MessageRecord): void {
    this.inFlight--;
    if (record.localPort !== null && this.awaitingByPort.get(record.localPort) === record)
      this.awaitingByPort.delete(record.localPort);
  }

  /** The client knows its port: claim the balancer connection if the accept was seen first. */
  private clientConnected(record: MessageRecord, localPort: number): void {
    record.localPort = localPort;
    const link = this.linksByPort.get(localPort);
    if (link) {
      this.linksByPort.delete(localPort);
      record.connId = link.connId;
      record.backendId = link.backendId;
    } else {
      this.awaitingByPort.set(localPort, record);
    }
  }

  /** The balancer saw a connection: hand it to a waiting message, or keep it for a later claim. */
  private linkConnection(clientPort: number, connId: number, backendId: string | null): void {
    const record = this.awaitingByPort.get(clientPort);
    if (record) {
      this.awaitingByPort.delete(clientPort);
      record.connId = connId;
      record.backendId = backendId;
      return;
    }
    this.linksByPort.set(clientPort, { connId, backendId });
  }

  /** Keep an unclaimed closed link a while (a client callback may still come), evicting the oldest. */
  private rememberClosedLink(port: number, connId: number): void {
    const slot = this.closedLinkNext;
    this.closedLinkNext = (slot + 1) % CLOSED_LINK_MEMORY;
    const oldPort = this.closedLinkPorts[slot]!;
    // Evict only if that port still maps to the same (old) connection, not a newer one reusing the port.
    if (oldPort !== -1 && this.linksByPort.get(oldPort)?.connId === this.closedLinkIds[slot])
      this.linksByPort.delete(oldPort);
    this.closedLinkPorts[slot] = port;
    this.closedLinkIds[slot] = connId;
  }

  // ------------------------------------------------------------ traffic

  private startTraffic(command: Extract<Command, { type: 'traffic.start' }>): void {
    this.traffic?.stop(); // its in-flight messages finish on their own
    const { type: _type, ...given } = command;
    const settings = resolveTrafficSettings(given);
    const { host, port } = this.balancer.address;
    const generator = new TrafficGenerator<MessageRecord>({
      host,
      port,
      settings,
      random: this.random,
      maxInFlight: MAX_TRAFFIC_IN_FLIGHT,
      replyTimeoutMs: MESSAGE_TIMEOUT_MS,
      signal: this.abort.signal,
      hooks: {
        send: (client, text) => this.trafficSend(client.id, text),
        connected: (record, localAddress, localPort, shared) =>
          shared
            ? this.sharedConnected(record, linkKey(localAddress, localPort))
            : this.clientConnected(record, linkKey(localAddress, localPort)),
        replied: (record, reply, latencyMs) => this.trafficSettled(record, null, reply, latencyMs),
        failed: (record, error) => this.trafficSettled(record, error),
        connectionClosed: (localAddress, localPort) => this.sharedClosed(linkKey(localAddress, localPort)),
      },
    });
    this.traffic = generator;
    this.trafficSettings = settings;
    this.insights.addClientAddresses(generator.clients.flatMap((c) => (c.address ? [c.address] : [])));
    generator.start();
    this.emit({ type: 'traffic.state', traffic: this.trafficView() });
  }

  private stopTraffic(): void {
    if (!this.traffic?.isRunning) return;
    this.traffic.stop();
    this.emit({ type: 'traffic.state', traffic: this.trafficView() });
  }

  private trafficSend(clientId: string, text: string): MessageRecord {
    const record: MessageRecord = { msgId: this.nextMsgId++, clientId, connId: null, backendId: null, localPort: null };
    this.emit({ type: 'message.sent', msgId: record.msgId, clientId, text });
    this.inFlight++;
    return record;
  }

  private trafficSettled(record: MessageRecord, error: string | null, reply = '', latencyMs = 0): void {
    this.settleMessage(record);
    const link = record.shared ?? record;
    const base = { msgId: record.msgId, clientId: record.clientId, connId: link.connId, backendId: link.backendId };
    if (error === null) this.emit({ type: 'message.replied', ...base, reply, latencyMs });
    else if (!this.closing) this.emit({ type: 'message.failed', ...base, error });
  }

  /** A persistent connection carries many messages: they all share one link to the balancer connection. */
  private sharedConnected(record: MessageRecord, localPort: number): void {
    let shared = this.sharedLinks.get(localPort);
    if (!shared) {
      shared = { msgId: 0, clientId: record.clientId, connId: null, backendId: null, localPort: null };
      this.sharedLinks.set(localPort, shared);
      this.clientConnected(shared, localPort);
    }
    record.shared = shared;
  }

  private sharedClosed(localPort: number): void {
    const shared = this.sharedLinks.get(localPort);
    if (!shared) return;
    this.sharedLinks.delete(localPort);
    if (this.awaitingByPort.get(localPort) === shared) this.awaitingByPort.delete(localPort);
  }

  // ------------------------------------------------------------ balancer hooks

  private onConnectionOpened(info: ConnectionOpenedInfo): void {
    this.linkConnection(linkKey(info.clientAddress, info.clientPort), info.connId, info.backendId);
    this.emit({
      type: 'conn.opened',
      connId: info.connId,
      clientAddress: info.clientAddress,
      clientPort: info.clientPort,
      backendId: info.backendId,
      decision: info.decision,
      retried: info.retried,
    });
    this.markBackendDirty(info.backendId);
  }

  private onConnectRetry(info: ConnectRetryInfo): void {
    this.emit({ type: 'conn.retry', connId: info.connId, backendId: info.backendId, error: info.error });
  }

  private onConnectionClosed(info: ConnectionClosedInfo): void {
    const key = linkKey(info.clientAddress, info.clientPort);
    if (info.backendId === null) this.linkConnection(key, info.connId, null);
    const link = this.linksByPort.get(key);
    if (link && link.connId === info.connId) this.rememberClosedLink(key, info.connId);
    if (info.unreportedUp > 0 || info.unreportedDown > 0) {
      this.emit({ type: 'conn.bytes', connId: info.connId, up: info.unreportedUp, down: info.unreportedDown });
    }
    this.emit({
      type: 'conn.closed',
      connId: info.connId,
      backendId: info.backendId,
      reason: info.reason,
      bytesUp: info.bytesUp,
      bytesDown: info.bytesDown,
      durationMs: info.durationMs,
    });
    if (info.backendId !== null) this.markBackendDirty(info.backendId);
    else this.markBalancerDirty();
  }

  // ------------------------------------------------------------ coalesced updates

  private markBackendDirty(id: string): void {
    this.dirtyBackends.add(id);
    this.balancerDirty = true;
    this.scheduleTick();
  }

  private markBalancerDirty(): void {
    this.balancerDirty = true;
    this.scheduleTick();
  }

  private scheduleTick(): void {
    if (this.tickTimer || this.closing) return;
    this.tickTimer = setTimeout(this.tick, this.byteTickMs);
  }

  private readonly tick = (): void => {
    this.tickTimer = null;
    const deltas = this.balancer.drainByteDeltas();
    if (this.listeners.size === 0) {
      this.dirtyBackends.clear();
      this.balancerDirty = false;
      return;
    }
    for (const delta of deltas) this.emit({ type: 'conn.bytes', connId: delta.connId, up: delta.up, down: delta.down });
    for (const id of this.dirtyBackends) {
      const record = this.backends.get(id);
      if (record) this.emit({ type: 'backend.state', backend: this.backendView(record) });
    }
    this.dirtyBackends.clear();
    if (this.balancerDirty) {
      this.balancerDirty = false;
      this.emit({ type: 'balancer.state', balancer: this.balancerView() });
    }
  };

  // ------------------------------------------------------------ views and events

  private emitBackend(record: BackendRecord): void {
    this.dirtyBackends.delete(record.id);
    this.emit({ type: 'backend.state', backend: this.backendView(record) });
  }

  private emit(body: EventBody): void {
    // Every caller passes a fresh object literal, so it is stamped in place: no copy per event (hot path).
    const event = body as LabEvent;
    event.seq = ++this.seq;
    event.t = this.clock.now();
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A faulty listener must not break the Lab or the other listeners.
      }
    }
    // After the listeners, so anything derived (metrics, ring) is emitted after its cause.
    this.insights.observe(event);
  }

  private backendView(record: BackendRecord): BackendView {
    const stats = this.balancer.backendStats(record.id);
    const server = record.server;
    const state: BackendState = server ? server.state : 'external';
    return {
      id: record.id,
      host: record.host,
      port: server ? server.port : record.port,
      managed: server !== null,
      state,
      weight: record.weight,
      delayMs: server ? server.delayMs : 0,
      activeConnections: stats?.active ?? 0,
      totalConnections: stats?.total ?? 0,
      messagesServed: server ? server.messagesServed : 0,
      ...this.failures.backendFields(record.id),
    };
  }

  private balancerView(): BalancerView {
    const { host, port } = this.balancer.address;
    return {
      host,
      port,
      listening: this.balancer.listening,
      algorithm: this.algorithmName,
      activeConnections: this.balancer.activeConnections,
      totalConnections: this.balancer.totalConnections,
      failedConnections: this.balancer.failedConnections,
      ...this.failures.balancerFields(),
    };
  }

  private trafficView(): TrafficView {
    const s = this.trafficSettings;
    if (!s) return { running: false, rate: 0, text: DEFAULT_TRAFFIC_TEXT };
    const generator = this.traffic;
    return {
      running: generator?.isRunning ?? false,
      rate: s.rate,
      text: s.text,
      clients: s.clients,
      model: s.model,
      concurrency: s.concurrency,
      thinkMs: s.thinkMs,
      connection: s.connection,
      size: s.size,
      burst: s.burst,
      addresses: generator ? generator.clients.flatMap((c) => (c.address ? [c.address] : [])) : [],
      shed: generator?.counters.shed ?? 0,
    };
  }

  private async shutdown(): Promise<void> {
    this.traffic?.stop();
    this.insights.close();
    this.abort.abort();
    if (this.tickTimer) clearTimeout(this.tickTimer);
    this.tickTimer = null;
    this.failures.close();
    await this.balancer.close();
    this.emit({ type: 'balancer.state', balancer: this.balancerView() });
    const stops: Array<Promise<void>> = [];
    for (const record of this.backends.values()) {
      for (const unsubscribe of record.unsubscribe) unsubscribe();
      if (record.server) stops.push(record.server.stop(200).catch(() => undefined));
    }
    await Promise.all(stops);
    this.listeners.clear();
  }
}

/**
 * The seed's scenario: balancer on 5000, managed backends "1" on 5001 and "2" on 5002, one client "client-1".
 * Ports may be 0 (ephemeral) for tests.
 */
export async function createSeedLab(
  opts: { balancerPort?: number; backendPorts?: [number, number]; host?: string } = {},
): Promise<Lab> {
  const host = opts.host ?? '127.0.0.1';
  const [port1, port2] = opts.backendPorts ?? [5001, 5002];
  const lab = await Lab.create({ balancerHost: host, balancerPort: opts.balancerPort ?? 5000 });
  try {
    await lab.addManagedBackend({ id: '1', port: port1, host });
    await lab.addManagedBackend({ id: '2', port: port2, host });
  } catch (error) {
    await lab.close();
    throw error;
  }
  return lab;
}

/** An AbortController whose signal may have any number of listeners (one per in-flight message). */
function unlimitedAbortController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
