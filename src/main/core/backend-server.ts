import net from 'node:net';
import type { Server, Socket } from 'node:net';
import { PacedWriter } from './faults/paced-writer';
import { faultDelayMs } from './faults/settings';
import { LineFramer } from './line-framer';
import { listenOn, type BoundAddress } from './listen';
import { NO_FAULTS, type FaultSettings } from './policy-defaults';

/** Lifecycle of a backend the Lab runs. */
export type BackendServerState = 'starting' | 'up' | 'stopping' | 'stopped' | 'killed';

/** Options for {@link BackendServer}. */
export interface BackendServerOptions {
  /** Shown in replies: "[Server <id>] ...". */
  id: string;
  /** 0 picks an ephemeral port (kept across restarts). */
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Wait this long before each reply (ms). Default 0. */
  delayMs?: number;
  /** stop() waits this long for open connections, then resets the rest (ms). Default 5000. */
  stopGraceMs?: number;
  /** Randomness for injected faults (jitter, reset probability). Default Math.random. */
  random?: () => number;
}

/** Events a {@link BackendServer} reports. */
export interface BackendServerEvents {
  state: (state: BackendServerState) => void;
  /** One reply written; carries the running total. */
  messageServed: (messagesServed: number) => void;
}

/** Stop reading from a client whose replies pile up beyond this (bytes). */
const REPLY_BACKLOG_LIMIT = 1024 * 1024;

interface PendingReply {
  text: string;
  dueAt: number;
}

/**
 * The seed's backend.py as a class: answers each message with `[Server <id>] You said: '<msg>'\n`.
 * Replies are written in order per connection; after the client half-closes, pending replies are
 * finished and then our side ends, so a send / half-close / read client gets its reply and EOF.
 */
export class BackendServer {
  readonly id: string;
  private readonly requestedHost: string;
  private boundPort: number;
  private delay: number;
  private readonly stopGraceMs: number;
  private server: Server | null = null;
  private currentState: BackendServerState = 'stopped';
  private served = 0;
  private readonly connections = new Set<ReplyConnection>();
  private starting: Promise<BoundAddress> | null = null;
  private stopping: Promise<void> | null = null;
  private faultSettings: FaultSettings = { ...NO_FAULTS };
  /** Only the bandwidth cap: reply latency is applied per message, before the writer. */
  private paceSettings: FaultSettings = { ...NO_FAULTS };
  readonly random: () => number;
  private readonly listeners: { [K in keyof BackendServerEvents]: Set<BackendServerEvents[K]> } = {
    state: new Set(),
    messageServed: new Set(),
  };

  constructor(options: BackendServerOptions) {
    this.id = options.id;
    this.requestedHost = options.host ?? '127.0.0.1';
    this.boundPort = options.port;
    this.delay = options.delayMs ?? 0;
    this.stopGraceMs = options.stopGraceMs ?? 5000;
    this.random = options.random ?? Math.random;
  }

  get state(): BackendServerState {
    return this.currentState;
  }
  get port(): number {
    return this.boundPort;
  }
  get host(): string {
    return this.requestedHost;
  }
  get delayMs(): number {
    return this.delay;
  }
  /** Faults injected inside this server (all off by default). */
  get faults(): FaultSettings {
    return this.faultSettings;
  }
  /** @internal settings for reply pacing (bandwidth cap only). */
  get replyPacing(): FaultSettings {
    return this.paceSettings;
  }
  get messagesServed(): number {
    return this.served;
  }
  get openConnections(): number {
    return this.connections.size;
  }
  /** True while the listener accepts connections. */
  get listening(): boolean {
    return this.server?.listening ?? false;
  }

  /** Subscribe to an event; returns the unsubscribe function. */
  on<K extends keyof BackendServerEvents>(event: K, listener: BackendServerEvents[K]): () => void {
    const set = this.listeners[event] as Set<BackendServerEvents[K]>;
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Change the reply delay; applies to messages received from now on. */
  setDelay(ms: number): void {
    this.delay = Math.max(0, ms);
  }

  /**
   * Inject faults (replaces the previous set). refuse closes the listener, so new connections are really
   * refused, while open ones carry on; clearing it listens again on the same port.
   */
  async setFaults(faults: FaultSettings): Promise<void> {
    this.faultSettings = { ...faults };
    this.paceSettings = { ...NO_FAULTS, bandwidthKBps: faults.bandwidthKBps };
    // A black hole that ends lets the connections it held (client already gone) finish and close.
    if (!faults.blackHole) for (const connection of this.connections) connection.finishIfDone();
    await this.applyRefuse();
  }

  private async applyRefuse(): Promise<void> {
    const server = this.server;
    if (!server || this.currentState !== 'up') return;
    if (this.faultSettings.refuse) {
      if (server.listening) server.close();
    } else if (!server.listening) {
      await listenOn(server, this.requestedHost, this.boundPort);
    }
  }

  /** Listen; rejects with e.g. "port 5001 is already in use". Idempotent while up. */
  start(): Promise<BoundAddress> {
    if (this.currentState === 'up') return Promise.resolve({ host: this.requestedHost, port: this.boundPort });
    if (this.starting) return this.starting;
    if (this.currentState === 'stopping') return Promise.reject(new Error(`server ${this.id} is stopping`));
    const previous = this.currentState;
    const server = net.createServer({ allowHalfOpen: true }, (socket) => this.accept(socket));
    server.on('error', () => {
      // Listen errors are reported by listenOn; later server errors leave existing connections alone.
    });
    this.server = server;
    this.setState('starting');
    this.starting = listenOn(server, this.requestedHost, this.boundPort).then(
      (address) => {
        this.starting = null;
        this.boundPort = address.port;
        this.setState('up');
        // Still refusing after a restart: the fault belongs to the backend, not to one run of it.
        if (this.faultSettings.refuse) server.close();
        return address;
      },
      (error: unknown) => {
        this.starting = null;
        this.server = null;
        this.setState(previous === 'killed' ? 'killed' : 'stopped');
        throw error;
      },
    );
    return this.starting;
  }

  /**
   * Graceful stop: no new connections; open ones finish (reset after the grace period).
   * Resolves when every connection is closed.
   */
  stop(graceMs: number = this.stopGraceMs): Promise<void> {
    if (this.stopping) return this.stopping;
    if (this.starting)
      return this.starting.then(
        () => this.stop(graceMs),
        () => undefined,
      );
    const server = this.server;
    if (!server || this.currentState !== 'up') return Promise.resolve();
    this.setState('stopping');
    this.stopping = new Promise<void>((resolve) => {
      const grace = setTimeout(() => {
        for (const connection of this.connections) connection.reset();
      }, graceMs);
      server.close(() => {
        clearTimeout(grace);
        // A kill() during the grace period already moved us on; keep 'killed'.
        if (this.currentState === 'stopping') {
          this.server = null;
          this.stopping = null;
          this.setState('stopped');
        }
        resolve();
      });
      // Connections that already finished their exchange need no grace.
      for (const connection of this.connections) connection.endIfIdle();
    });
    return this.stopping;
  }

  /** Crash: close the listener and reset every open connection at once. Resolves when all handles are closed. */
  kill(): Promise<void> {
    if (this.starting)
      return this.starting.then(
        () => this.kill(),
        () => undefined,
      );
    const server = this.server;
    if (!server) return Promise.resolve();
    this.server = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const connection of this.connections) connection.reset();
    this.stopping = null;
    this.setState('killed');
    return closed;
  }

  /** Start again on the same port (after stop or kill; a running server is stopped first). */
  async restart(): Promise<BoundAddress> {
    if (this.starting) await this.starting.catch(() => undefined);
    if (this.stopping) await this.stopping;
    if (this.currentState === 'up') await this.stop();
    return this.start();
  }

  /** Open connections as the OS-level server counts them (0 when not listening). */
  getConnections(): Promise<number> {
    const server = this.server;
    if (!server) return Promise.resolve(this.connections.size);
    return new Promise((resolve) =>
      server.getConnections((error, count) => resolve(error ? this.connections.size : count)),
    );
  }

  /** @internal called by a connection after each reply it writes. */
  replied(): void {
    this.served++;
    for (const listener of this.listeners.messageServed) {
      try {
        listener(this.served);
      } catch {
        // A faulty listener must not break serving.
      }
    }
  }

  /** @internal */
  forget(connection: ReplyConnection): void {
    this.connections.delete(connection);
  }

  private accept(socket: Socket): void {
    this.connections.add(new ReplyConnection(socket, this));
  }

  private setState(state: BackendServerState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    for (const listener of this.listeners.state) {
      try {
        listener(state);
      } catch {
        // A faulty listener must not break the server.
      }
    }
  }
}

/** One client connection to a backend: frames messages and writes replies in order. */
class ReplyConnection {
  private readonly framer: LineFramer;
  private readonly queue: PendingReply[] = [];
  private timer: NodeJS.Timeout | null = null;
  private clientEnded = false;
  private repliesWritten = 0;
  private lastDueAt = 0;
  /** Set once a bandwidth cap applies; from then on every write goes through it, keeping order. */
  private paced: PacedWriter | null = null;
  private resetArmed: boolean;
  private closeTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly owner: BackendServer,
  ) {
    socket.setNoDelay(true);
    const p = owner.faults.resetProbability;
    this.resetArmed = p > 0 && owner.random() < p;
    this.framer = new LineFramer((text) => this.onMessage(text));
    socket.on('data', (chunk: Buffer) => this.framer.push(chunk));
    socket.on('end', () => {
      this.clientEnded = true;
      this.framer.end();
      this.finishIfDone();
    });
    socket.on('drain', () => socket.resume());
    socket.on('error', () => {
      // A reset client just goes away; 'close' cleans up.
    });
    socket.on('close', () => {
      this.framer.dispose();
      this.clearTimers();
      this.queue.length = 0;
      owner.forget(this);
    });
  }

  /** Crash semantics: RST now. */
  reset(): void {
    this.framer.dispose();
    this.clearTimers();
    this.queue.length = 0;
    if (!this.socket.destroyed) this.socket.resetAndDestroy();
  }

  /**
   * During a graceful stop: end a persistent connection that sits between messages. A connection that
   * has not been answered yet is left alone, since its first message may still be on the way.
   */
  endIfIdle(): void {
    if (this.repliesWritten > 0 && this.queue.length === 0 && !this.framer.hasPending && !this.socket.writableEnded) {
      this.socket.end();
    }
  }

  private clearTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.closeTimer) clearTimeout(this.closeTimer);
    this.closeTimer = null;
    this.paced?.destroy();
  }

  private onMessage(text: string): void {
    const faults = this.owner.faults;
    if (this.resetArmed) {
      // Injected reset: the message arrived, the connection dies instead of answering.
      this.reset();
      return;
    }
    // Black hole: read and never answer.
    if (faults.blackHole) return;
    const delay = this.owner.delayMs + faultDelayMs(faults, this.owner.random);
    if (delay === 0 && this.queue.length === 0) {
      this.reply(text);
      return;
    }
    // Jitter must not reorder replies.
    const dueAt = Math.max(performance.now() + delay, this.lastDueAt);
    this.lastDueAt = dueAt;
    this.queue.push({ text, dueAt });
    if (!this.timer) this.schedule();
  }

  private schedule(): void {
    const head = this.queue[0];
    if (!head) return;
    this.timer = setTimeout(this.onTimer, Math.max(0, head.dueAt - performance.now()));
  }

  private readonly onTimer = (): void => {
    this.timer = null;
    const now = performance.now();
    while (this.queue.length > 0 && this.queue[0]!.dueAt <= now + 1) this.reply(this.queue.shift()!.text);
    this.schedule();
    this.finishIfDone();
  };

  private reply(text: string): void {
    const socket = this.socket;
    if (socket.destroyed || socket.writableEnded) return;
    const line = `[Server ${this.owner.id}] You said: '${text}'\n`;
    if (!this.paced && this.owner.replyPacing.bandwidthKBps > 0)
      this.paced = new PacedWriter(socket, () => this.owner.replyPacing, this.owner.random, (bytes) => {
        if (bytes > REPLY_BACKLOG_LIMIT) socket.pause();
        else if (socket.isPaused()) socket.resume();
      });
    if (this.paced) {
      this.paced.write(Buffer.from(line));
    } else if (!socket.write(line) && socket.writableLength > REPLY_BACKLOG_LIMIT) {
      // A client that sends but never reads must not grow our memory without bound.
      socket.pause();
    }
    this.repliesWritten++;
    this.owner.replied();
  }

  /** End our side if the client has ended and every reply is out. */
  finishIfDone(): void {
    const socket = this.socket;
    if (!this.clientEnded || this.queue.length > 0 || socket.writableEnded || socket.destroyed) return;
    if (this.closeTimer || this.owner.faults.blackHole) return;
    const slowCloseMs = this.owner.faults.slowCloseMs;
    if (this.paced) {
      this.paced.end(slowCloseMs);
    } else if (slowCloseMs > 0) {
      // Slow close: our FIN leaves late.
      this.closeTimer = setTimeout(() => {
        this.closeTimer = null;
        if (!socket.destroyed && !socket.writableEnded) socket.end();
      }, slowCloseMs);
    } else {
      socket.end();
    }
  }
}
