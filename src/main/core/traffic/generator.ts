import type { TrafficCounters } from '../../../shared/protocol';
import { PersistentClient, sendMessage } from '../message-client';
import { clientAddresses, padMessage, type TrafficSettings } from './settings';

/** Default cap on messages in flight; beyond it new sends are shed, never queued. */
export const DEFAULT_MAX_IN_FLIGHT = 2000;
/** Default deadline for one reply (ms). */
export const DEFAULT_REPLY_TIMEOUT_MS = 10_000;
/** An open-loop tick sends at most this share of a second's messages; a longer backlog is shed. */
const MAX_BATCH_SECONDS = 0.1;
/** A closed-model user that just failed waits at least this long, so a dead target is not hammered. */
const FAILURE_PAUSE_MS = 10;

/** One traffic client: a source address (or the default) and, in persistent mode, one connection. */
export interface TrafficClient {
  index: number;
  id: string;
  /** Bound source address, or undefined for the OS default. */
  address: string | undefined;
}

/** What the generator reports; `M` is the caller's per-message context (e.g. the Lab's message record). */
export interface TrafficHooks<M> {
  /** A message is about to go out; return the context later hooks receive. */
  send(client: TrafficClient, text: string): M;
  /** The message's connection is up: its local address and port, and whether it is shared (persistent). */
  connected?(message: M, localAddress: string, localPort: number, shared: boolean): void;
  replied(message: M, reply: string, latencyMs: number): void;
  failed(message: M, error: string): void;
  /** A persistent connection closed (its local address and port may be reused from now on). */
  connectionClosed?(localAddress: string, localPort: number): void;
  /** Messages dropped instead of sent (in-flight cap or the generator fell behind). */
  shed?(count: number): void;
}

/** Options for {@link TrafficGenerator}. */
export interface TrafficGeneratorOptions<M> {
  host: string;
  port: number;
  settings: TrafficSettings;
  hooks: TrafficHooks<M>;
  /** Randomness for Poisson arrivals; seed it for reproducible runs. */
  random?: () => number;
  maxInFlight?: number;
  replyTimeoutMs?: number;
  /** Aborting fails everything in flight at once (Lab shutdown). */
  signal?: AbortSignal;
}

interface Connection {
  ready: Promise<PersistentClient>;
  client: PersistentClient | null;
}

/**
 * A load generator shared by the Lab and `balancer-lab client --rate`: steady (evenly spaced) or open
 * (Poisson) arrivals at a rate, or a closed loop of virtual users (send → reply → think → repeat); one
 * connection per message or one persistent connection per client; optional padding and bursts. In-flight
 * messages are capped: excess arrivals are counted as shed, never queued, so a dead pool cannot pile up.
 */
export class TrafficGenerator<M> {
  readonly settings: TrafficSettings;
  readonly clients: readonly TrafficClient[];
  private readonly host: string;
  private readonly port: number;
  private readonly hooks: TrafficHooks<M>;
  private readonly random: () => number;
  private readonly maxInFlight: number;
  private readonly replyTimeoutMs: number;
  private readonly signal: AbortSignal | undefined;
  private readonly counts: TrafficCounters = { sent: 0, replied: 0, failed: 0, shed: 0, inFlight: 0 };
  private readonly connections = new Map<number, Connection>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly immediates = new Set<NodeJS.Immediate>();
  private running = false;
  private seq = 0;
  private nextClient = 0;
  private startedAt = 0;
  /** Open loop: when the next arrival is due, ms after startedAt. */
  private nextAt = 0;
  private tickTimer: NodeJS.Timeout | null = null;
  private burstTimer: NodeJS.Timeout | null = null;
  private drainWaiters: Array<() => void> = [];

  constructor(options: TrafficGeneratorOptions<M>) {
    this.settings = options.settings;
    this.host = options.host;
    this.port = options.port;
    this.hooks = options.hooks;
    this.random = options.random ?? Math.random;
    this.maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    this.replyTimeoutMs = options.replyTimeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS;
    this.signal = options.signal;
    const addresses = clientAddresses(this.settings.clients, this.host);
    this.clients = addresses.map((address, index) => ({
      index,
      address,
      id: address ? `client-${address}` : `client-${index + 1}`,
    }));
    this.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Counters since start (a copy). */
  get counters(): TrafficCounters {
    return { ...this.counts };
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Begin sending. */
  start(): void {
    if (this.running || this.signal?.aborted) return;
    this.running = true;
    this.startedAt = performance.now();
    const s = this.settings;
    if (s.model === 'closed') {
      for (let user = 0; user < s.concurrency; user++) this.userNext(user);
    } else {
      this.nextAt = s.model === 'open' ? this.interArrival() : 0;
      this.tick();
    }
    if (s.burst) {
      const { size, everyMs } = s.burst;
      this.burstTimer = setInterval(() => {
        for (let i = 0; i < size; i++) this.dispatch(null);
      }, everyMs);
    }
  }

  /** Stop sending; in-flight messages finish and persistent connections close once their replies are in. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    if (this.tickTimer) clearTimeout(this.tickTimer);
    if (this.burstTimer) clearInterval(this.burstTimer);
    this.tickTimer = null;
    this.burstTimer = null;
    for (const timer of this.timers) clearTimeout(timer);
    for (const immediate of this.immediates) clearImmediate(immediate);
    this.timers.clear();
    this.immediates.clear();
    this.closeIdleConnections();
    this.checkDrained();
  }

  /** Resolves once stopped with nothing in flight and every persistent connection closed. */
  drained(): Promise<void> {
    if (this.isDrained()) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  // ------------------------------------------------------------ open loop

  private interArrival(): number {
    const rate = this.settings.rate;
    if (this.settings.model !== 'open') return 1000 / rate;
    // Exponential gaps make a Poisson process; 1 - U keeps log's argument in (0, 1].
    return (-Math.log(1 - this.random()) * 1000) / rate;
  }

  private readonly tick = (): void => {
    this.tickTimer = null;
    if (!this.running) return;
    const now = performance.now() - this.startedAt;
    const maxBatch = Math.max(1, Math.ceil(this.settings.rate * MAX_BATCH_SECONDS));
    let batch = 0;
    while (this.nextAt <= now && batch < maxBatch) {
      this.dispatch(null);
      batch++;
      this.nextAt += this.interArrival();
    }
    if (this.nextAt <= now) {
      // Fell behind (a stalled event loop): drop the backlog rather than flood the target to catch up.
      const missed = Math.max(1, Math.round(((now - this.nextAt) * this.settings.rate) / 1000));
      this.shed(missed);
      this.nextAt = now + this.interArrival();
    }
    if (!this.running) return;
    this.tickTimer = setTimeout(this.tick, Math.max(1, this.nextAt - (performance.now() - this.startedAt)));
  };

  // ------------------------------------------------------------ closed loop

  private userNext(user: number): void {
    if (!this.running) return;
    const sent = this.dispatch(user, (ok) => {
      if (!this.running) return;
      const pause = ok ? this.settings.thinkMs : Math.max(FAILURE_PAUSE_MS, this.settings.thinkMs);
      this.later(() => this.userNext(user), pause);
    });
    // Shed (cap reached by bursts): try again shortly instead of spinning.
    if (!sent) this.later(() => this.userNext(user), FAILURE_PAUSE_MS);
  }

  private later(run: () => void, ms: number): void {
    if (ms <= 0) {
      const immediate = setImmediate(() => {
        this.immediates.delete(immediate);
        run();
      });
      this.immediates.add(immediate);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
  }

  // ------------------------------------------------------------ sending

  /** Send one message from the given user's client (or the next client in turn); false when shed. */
  private dispatch(user: number | null, settled?: (ok: boolean) => void): boolean {
    if (this.counts.inFlight >= this.maxInFlight) {
      this.shed(1);
      return false;
    }
    const index = user === null ? this.nextClient++ % this.clients.length : user % this.clients.length;
    const client = this.clients[index]!;
    const text = padMessage(`${this.settings.text} #${++this.seq}`, this.settings.size);
    const message = this.hooks.send(client, text);
    this.counts.sent++;
    this.counts.inFlight++;
    const done = (error: string | null, reply = '', latencyMs = 0): void => {
      this.counts.inFlight--;
      if (error === null) {
        this.counts.replied++;
        this.hooks.replied(message, reply, latencyMs);
      } else {
        this.counts.failed++;
        this.hooks.failed(message, error);
      }
      settled?.(error === null);
      if (!this.running) this.closeIdleConnections();
      this.checkDrained();
    };
    if (this.settings.connection === 'persistent') this.sendPersistent(client, text, message, done);
    else
      sendMessage({
        host: this.host,
        port: this.port,
        text,
        localAddress: client.address,
        timeoutMs: this.replyTimeoutMs,
        signal: this.signal,
        onConnected: (localPort, localAddress) => this.hooks.connected?.(message, localAddress, localPort, false),
      }).then(
        (result) => done(null, result.reply, result.latencyMs),
        (error: unknown) => done(describe(error)),
      );
    return true;
  }

  private sendPersistent(
    client: TrafficClient,
    text: string,
    message: M,
    done: (error: string | null, reply?: string, latencyMs?: number) => void,
  ): void {
    this.connection(client).ready.then(
      (conn) => {
        this.hooks.connected?.(message, conn.localAddress, conn.localPort, true);
        // A missing reply would shift every later reply onto the wrong message: drop the connection instead.
        const timer = setTimeout(
          () => void conn.destroy(`no reply within ${this.replyTimeoutMs} ms`),
          this.replyTimeoutMs,
        );
        conn.send(text).then(
          (result) => {
            clearTimeout(timer);
            done(null, result.reply, result.latencyMs);
          },
          (error: unknown) => {
            clearTimeout(timer);
            // A failed connection stays failed: forget it so the next message reconnects.
            const entry = this.connections.get(client.index);
            if (entry?.client === conn) this.connections.delete(client.index);
            void conn.destroy();
            done(describe(error));
          },
        );
      },
      (error: unknown) => done(describe(error)),
    );
  }

  private connection(client: TrafficClient): Connection {
    const existing = this.connections.get(client.index);
    if (existing) return existing;
    const entry: Connection = {
      client: null,
      ready: PersistentClient.connect({
        host: this.host,
        port: this.port,
        localAddress: client.address,
        timeoutMs: this.replyTimeoutMs,
      }),
    };
    this.connections.set(client.index, entry);
    entry.ready.then(
      (conn) => {
        entry.client = conn;
        if (this.signal?.aborted) void conn.destroy('aborted');
        const localAddress = conn.localAddress;
        void conn.whenClosed().then(() => {
          if (this.connections.get(client.index) === entry) this.connections.delete(client.index);
          this.hooks.connectionClosed?.(localAddress, conn.localPort);
          this.checkDrained();
        });
      },
      () => {
        // The next message reconnects; this one fails through its own handler.
        if (this.connections.get(client.index) === entry) this.connections.delete(client.index);
        this.checkDrained();
      },
    );
    return entry;
  }

  /** After stop: close persistent connections with no reply outstanding (graceful FIN). */
  private closeIdleConnections(): void {
    for (const entry of this.connections.values()) {
      if (entry.client && entry.client.pending === 0) void entry.client.close();
    }
  }

  private shed(count: number): void {
    this.counts.shed += count;
    this.hooks.shed?.(count);
  }

  private readonly onAbort = (): void => {
    this.stop();
    for (const entry of this.connections.values()) void entry.client?.destroy('aborted');
  };

  private isDrained(): boolean {
    return !this.running && this.counts.inFlight === 0 && this.connections.size === 0;
  }

  private checkDrained(): void {
    if (!this.isDrained() || this.drainWaiters.length === 0) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
    this.signal?.removeEventListener('abort', this.onAbort);
  }
}

function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, ' ').trim() || 'unknown error';
}
