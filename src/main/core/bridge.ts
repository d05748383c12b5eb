import type { Socket } from 'node:net';
import type { CloseReason, Decision } from '../../shared/protocol';
import { describeSocketError } from './listen';

/** Where a bridge may connect: a backend as the balancer's pool knows it. */
export interface BridgeTarget {
  readonly id: string;
  readonly host: string;
  readonly port: number;
}

/** What a bridge needs from the balancer that owns it. */
export interface BridgeOwner {
  readonly connectTimeoutMs: number;
  /**
   * The next backend to try for this connection, null when none is left, or 'queued' when the
   * connection waits for a slot (the owner later calls resume()).
   */
  choose(bridge: Bridge): BridgeTarget | null | 'queued';
  /** Open the backend socket for an attempt (a plain connect, or one through injected faults). */
  dial(bridge: Bridge, target: BridgeTarget): Socket;
  /** A connect attempt started by choose() ended: connected, failed (error set) or cancelled (error null). */
  attemptEnded(
    bridge: Bridge,
    target: BridgeTarget,
    outcome: 'connected' | 'failed' | 'cancelled',
    error: string | null,
  ): void;
  /** The bridge saw its first bytes since the last byte-delta drain. */
  bytesFlowed(bridge: Bridge): void;
  /** Latency seen through this bridge: connect time plus time to the backend's first byte (ms). */
  latencySample(bridge: Bridge, target: BridgeTarget, sampleMs: number): void;
  /** Both sockets are closed; the bridge is finished. */
  closed(bridge: Bridge): void;
}

type Phase = 'connecting' | 'open' | 'finished';

/** Bytes read from a queued client before reading pauses; the only request bytes a bridge holds itself. */
const QUEUED_READ_LIMIT = 64 * 1024;

/**
 * Send FIN on `socket` after the bytes already written: half-close travels in order. When the peer has
 * already sent its FIN (`peerEnded`, so nothing is left to read) and every byte written is in the kernel,
 * close() sends that same FIN; destroying then skips a shutdown() syscall and the end/finish round trip,
 * the last step of every short connection.
 */
function finishSending(socket: Socket, peerEnded: boolean): void {
  if (peerEnded && socket.writableLength === 0) socket.destroy();
  else socket.end();
}

/**
 * One proxied connection: connects to a backend (retrying others invisibly while the client is held
 * paused), then forwards bytes both ways with backpressure and half-close, and reports how it ended.
 */
export class Bridge {
  backend: Socket | null = null;
  target: BridgeTarget | null = null;
  /** Backends that refused or timed out for this connection, in order. */
  readonly tried: string[] = [];
  bytesUp = 0;
  bytesDown = 0;
  reportedUp = 0;
  reportedDown = 0;
  /** Listed in the owner's pending byte deltas. */
  dirty = false;
  reason: CloseReason | null = null;
  /** The owner's decision for the attempt in progress. */
  decision: Decision | null = null;
  phase: Phase = 'connecting';
  private clientEnded = false;
  private backendEnded = false;
  private clientClosed = false;
  private backendClosed = true;
  private cancelAttempt: (() => void) | null = null;
  private attemptAt = 0;
  private connectMs = 0;
  private firstUpAt = 0;
  private sampled = false;
  private awaitingBackendDrain = false;
  private awaitingClientDrain = false;
  /** Client bytes read while queued, in order; null unless the connection has waited in a queue. */
  private held: Buffer[] | null = null;
  private heldBytes = 0;

  constructor(
    readonly id: number,
    readonly client: Socket,
    readonly clientAddress: string,
    readonly clientPort: number,
    readonly openedAt: number,
    private readonly owner: BridgeOwner,
  ) {
    client.setNoDelay(true);
    client.on('error', this.onClientError);
    client.on('close', this.onClientClose);
  }

  /** Begin: pick a backend and connect. */
  start(): void {
    this.tryNext();
  }

  /** Close both sides now (balancer stopping, backend removed by the Lab). */
  abort(reason: CloseReason): void {
    if (this.phase === 'finished') return;
    this.reason ??= reason;
    this.cancelPending();
    if (!this.client.destroyed) this.client.destroy();
    if (this.backend && !this.backend.destroyed) this.backend.destroy();
    this.maybeFinish();
  }

  /** Leave the owner's queue: connect to the backend that freed a slot, or pick again (null). */
  resume(target: BridgeTarget | null): void {
    if (this.reason !== null) return;
    if (target) this.connect(target);
    else this.tryNext();
  }

  /** Bytes held in user space for this connection (both sockets, both directions). */
  get bufferedBytes(): number {
    const c = this.client;
    const b = this.backend;
    return c.writableLength + c.readableLength + this.heldBytes + (b ? b.writableLength + b.readableLength : 0);
  }

  private tryNext(): void {
    if (this.reason !== null) return;
    const target = this.owner.choose(this);
    if (target === 'queued') {
      this.holdWhileQueued();
      return;
    }
    if (!target) {
      this.reason = 'no-backend';
      // Nothing was forwarded, so closing is all we owe the client.
      if (!this.client.destroyed) this.client.destroy();
      this.maybeFinish();
      return;
    }
    this.connect(target);
  }

  private connect(target: BridgeTarget): void {
    this.attemptAt = performance.now();
    const socket = this.owner.dial(this, target);
    socket.setNoDelay(true);
    let settled = false;
    const settle = (): void => {
      settled = true;
      clearTimeout(timer);
      this.cancelAttempt = null;
      socket.removeListener('connect', onConnect);
      socket.removeListener('close', onEarlyClose);
    };
    const fail = (error: unknown): void => {
      if (settled) return;
      settle();
      socket.destroy();
      this.tried.push(target.id);
      this.owner.attemptEnded(this, target, 'failed', describeSocketError(error));
      this.tryNext();
    };
    const onEarlyClose = (): void => fail(new Error('connection closed while connecting'));
    const onConnect = (): void => {
      if (settled) return;
      settle();
      socket.removeListener('error', fail);
      this.attach(socket, target);
    };
    const timer = setTimeout(
      () => fail(new Error(`connect timeout after ${this.owner.connectTimeoutMs} ms`)),
      this.owner.connectTimeoutMs,
    );
    this.cancelAttempt = () => {
      if (settled) return;
      settle();
      socket.destroy();
      this.owner.attemptEnded(this, target, 'cancelled', null);
    };
    socket.once('connect', onConnect);
    // Stays attached after a failure so late errors from the destroyed socket are swallowed.
    socket.on('error', fail);
    socket.once('close', onEarlyClose);
  }

  /**
   * A paused socket never reads, so a client that resets while queued would go unnoticed until its
   * slot came up. Reading into a small buffer surfaces the reset (the owner then drops it from the
   * queue) and records a FIN, which HAProxy treats as a request still worth serving.
   */
  private holdWhileQueued(): void {
    if (this.held) return;
    this.held = [];
    this.client.on('data', this.onHeldData);
    this.client.on('end', this.onHeldEnd);
    this.client.resume();
  }

  private readonly onHeldData = (chunk: Buffer): void => {
    this.held!.push(chunk);
    this.heldBytes += chunk.length;
    // Beyond this the kernel buffers hold the rest, as for any paused client.
    if (this.heldBytes >= QUEUED_READ_LIMIT) this.client.pause();
  };

  private readonly onHeldEnd = (): void => {
    this.clientEnded = true;
  };

  private cancelPending(): void {
    const cancel = this.cancelAttempt;
    if (cancel) cancel();
  }

  private attach(backend: Socket, target: BridgeTarget): void {
    const client = this.client;
    this.backend = backend;
    this.target = target;
    this.backendClosed = false;
    this.phase = 'open';
    const now = performance.now();
    this.connectMs = now - this.attemptAt;
    this.firstUpAt = now;
    backend.on('error', this.onBackendError);
    backend.on('close', this.onBackendClose);
    backend.on('end', this.onBackendEnd);
    backend.on('data', this.onBackendData);
    client.on('data', this.onClientData);
    client.on('end', this.onClientEnd);
    // 'drain' listeners are added only while a write is pending (see onClientData/onBackendData).
    this.owner.attemptEnded(this, target, 'connected', null);
    if (this.held) this.releaseHeld();
    // Bytes the client sent while we were connecting were held by the paused socket; release them now.
    if (this.reason === null && !this.awaitingBackendDrain) client.resume();
  }

  /** Forward what was read while queued, then its FIN, before normal forwarding takes over. */
  private releaseHeld(): void {
    const client = this.client;
    const held = this.held!;
    this.held = null;
    this.heldBytes = 0;
    client.removeListener('data', this.onHeldData);
    client.removeListener('end', this.onHeldEnd);
    // Reading stays paused until the held bytes are on their way (or the backend drains).
    client.pause();
    if (this.reason !== null) return;
    for (const chunk of held) this.onClientData(chunk);
    if (this.clientEnded) this.onClientEnd();
  }

  private markDirty(): void {
    this.dirty = true;
    this.owner.bytesFlowed(this);
  }

  private readonly onClientData = (chunk: Buffer): void => {
    // The wait for the first reply byte starts when the request starts flowing.
    if (this.bytesUp === 0) this.firstUpAt = performance.now();
    this.bytesUp += chunk.length;
    if (!this.dirty) this.markDirty();
    const backend = this.backend!;
    if (!backend.write(chunk)) {
      this.client.pause();
      if (!this.awaitingBackendDrain) {
        this.awaitingBackendDrain = true;
        backend.once('drain', this.onBackendDrain);
      }
    }
  };

  private readonly onBackendData = (chunk: Buffer): void => {
    if (!this.sampled) {
      this.sampled = true;
      this.owner.latencySample(this, this.target!, this.connectMs + (performance.now() - this.firstUpAt));
    }
    this.bytesDown += chunk.length;
    if (!this.dirty) this.markDirty();
    if (!this.client.write(chunk)) {
      this.backend!.pause();
      if (!this.awaitingClientDrain) {
        this.awaitingClientDrain = true;
        this.client.once('drain', this.onClientDrain);
      }
    }
  };

  private readonly onBackendDrain = (): void => {
    this.awaitingBackendDrain = false;
    this.client.resume();
  };

  private readonly onClientDrain = (): void => {
    this.awaitingClientDrain = false;
    this.backend?.resume();
  };

  private readonly onClientEnd = (): void => {
    this.clientEnded = true;
    const backend = this.backend;
    if (backend && !backend.destroyed) finishSending(backend, this.backendEnded);
  };

  private readonly onBackendEnd = (): void => {
    this.backendEnded = true;
    if (!this.client.destroyed) finishSending(this.client, this.clientEnded);
  };

  private readonly onClientError = (): void => {
    this.reason ??= 'client-reset';
    this.cancelPending();
    const backend = this.backend;
    if (backend && !backend.destroyed) backend.resetAndDestroy();
  };

  private readonly onBackendError = (): void => {
    this.reason ??= 'backend-reset';
    if (!this.client.destroyed) this.client.resetAndDestroy();
  };

  private readonly onClientClose = (): void => {
    this.clientClosed = true;
    if (this.reason === null && !(this.clientEnded && this.backendEnded)) {
      // Closed without a clean exchange of FINs: treat it as a reset by the client.
      this.reason = 'client-reset';
      this.cancelPending();
      const backend = this.backend;
      if (backend && !backend.destroyed) backend.resetAndDestroy();
    }
    this.maybeFinish();
  };

  private readonly onBackendClose = (): void => {
    this.backendClosed = true;
    if (this.reason === null && !(this.clientEnded && this.backendEnded)) {
      this.reason = 'backend-reset';
      if (!this.client.destroyed) this.client.resetAndDestroy();
    }
    this.maybeFinish();
  };

  private maybeFinish(): void {
    if (this.phase === 'finished' || !this.clientClosed || !this.backendClosed || this.cancelAttempt) return;
    this.phase = 'finished';
    this.reason ??= 'completed';
    this.owner.closed(this);
  }
}
