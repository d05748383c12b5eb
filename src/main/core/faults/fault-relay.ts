import net from 'node:net';
import type { Server, Socket } from 'node:net';
import type { FaultSettings } from '../policy-defaults';
import { listenOn } from '../listen';
import { PacedWriter } from './paced-writer';

/** Where a relayed connection really goes. */
export interface RelayTarget {
  host: string;
  port: number;
}

/** Pause the sending side once this much waits in a paced writer; resume below the low mark. */
const BACKLOG_HIGH = 64 * 1024;
const BACKLOG_LOW = 16 * 1024;

function injectedRefusal(target: RelayTarget): Error {
  const error = new Error(`connect ECONNREFUSED ${target.host}:${target.port} (injected)`) as NodeJS.ErrnoException;
  error.code = 'ECONNREFUSED';
  return error;
}

/**
 * Balancer-side fault injection, Toxiproxy-style but connect-transparent: dial() first connects to the
 * real backend, and only then connects the socket it returned to a loopback relay listener. So refusals
 * and connect timeouts stay real for the balancer (its retry path sees them), while the bytes of a
 * faulted connection pass through the relay, which delays, throttles, resets, swallows or slow-closes them.
 */
export class FaultRelay {
  private server: Server | null = null;
  private listenPort = 0;
  /** Links whose balancer-side socket connected, by its local port, waiting for the relay's accept. */
  private readonly dialed = new Map<number, RelayLink>();
  /** Accepted relay sockets whose link is not known yet, by remote port. */
  private readonly accepted = new Map<number, Socket>();
  private readonly links = new Set<RelayLink>();
  private starting: Promise<void> | null = null;

  constructor(private readonly random: () => number) {}

  /** Start the loopback listener (idempotent). */
  start(): Promise<void> {
    if (this.server) return Promise.resolve();
    this.starting ??= (async () => {
      const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, this.onAccept);
      server.on('error', () => {
        // Only listen errors matter; listenOn reports them.
      });
      const address = await listenOn(server, '127.0.0.1', 0);
      this.server = server;
      this.listenPort = address.port;
    })().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  get ready(): boolean {
    return this.server !== null;
  }

  /** Connections currently relayed (or being set up). */
  get size(): number {
    return this.links.size;
  }

  /**
   * A socket for the balancer to use as its backend connection: it emits 'connect' once the real backend
   * accepted, or 'error' with the real (or injected) connect error. onReset is called when an injected
   * reset fires, before the sockets are torn down, so the owner can record why.
   */
  dial(target: RelayTarget, faults: () => FaultSettings, onReset: () => void): Socket {
    const near = new net.Socket({ allowHalfOpen: true });
    if (faults().refuse || !this.server) {
      const error = this.server ? injectedRefusal(target) : new Error('fault relay is not running');
      process.nextTick(() => near.destroy(error));
      return near;
    }
    const far = net.connect({ host: target.host, port: target.port, allowHalfOpen: true });
    far.setNoDelay(true);
    const link = new RelayLink(far, faults, this.random, onReset, () => this.links.delete(link));
    this.links.add(link);
    const onFarError = (error: Error): void => {
      if (!near.destroyed) near.destroy(error);
      link.destroy();
    };
    far.on('error', onFarError);
    // onFarError stays until pair() installs the link's own listener: a backend that accepts and resets at
    // once must not leave its socket without an 'error' listener in between.
    far.once('connect', () => {
      if (near.destroyed) {
        link.destroy();
        return;
      }
      near.once('connect', () => this.register(link, near.localPort ?? 0));
      near.connect({ host: '127.0.0.1', port: this.listenPort });
    });
    // The balancer's socket is in this process: once it is closed nothing more can pass, so the link
    // goes too (a black hole would otherwise hold its half-open relay socket forever).
    near.once('close', () => link.originClosed());
    return near;
  }

  /** Stop listening and tear down every relayed connection. */
  async close(): Promise<void> {
    await this.starting?.catch(() => undefined);
    const server = this.server;
    this.server = null;
    for (const link of [...this.links]) link.destroy();
    for (const socket of this.accepted.values()) socket.destroy();
    this.accepted.clear();
    this.dialed.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private register(link: RelayLink, port: number): void {
    if (link.destroyed) return;
    const socket = this.accepted.get(port);
    if (socket) {
      this.accepted.delete(port);
      link.pair(socket);
    } else {
      this.dialed.set(port, link);
      link.onDestroy = () => {
        if (this.dialed.get(port) === link) this.dialed.delete(port);
      };
    }
  }

  private readonly onAccept = (socket: Socket): void => {
    socket.on('error', () => undefined);
    const port = socket.remotePort ?? 0;
    const link = this.dialed.get(port);
    if (link) {
      this.dialed.delete(port);
      link.pair(socket);
      return;
    }
    this.accepted.set(port, socket);
    socket.once('close', () => {
      if (this.accepted.get(port) === socket) this.accepted.delete(port);
    });
  };
}

/** One relayed connection: near = the relay's accepted socket (toward the balancer), far = the backend. */
class RelayLink {
  paired = false;
  destroyed = false;
  onDestroy: (() => void) | null = null;
  private near: Socket | null = null;
  private up: PacedWriter | null = null;
  private down: PacedWriter | null = null;
  private nearEnded = false;
  private farEnded = false;
  private resetArmed = false;
  private blackHoled = false;

  constructor(
    private readonly far: Socket,
    private readonly faults: () => FaultSettings,
    private readonly random: () => number,
    private readonly onReset: () => void,
    private readonly forget: () => void,
  ) {}

  pair(near: Socket): void {
    if (this.destroyed) {
      near.destroy();
      return;
    }
    this.paired = true;
    this.near = near;
    const far = this.far;
    near.setNoDelay(true);
    near.on('error', () => undefined);
    far.removeAllListeners('error');
    far.on('error', () => undefined);
    near.on('close', this.onNearClose);
    far.on('close', this.onFarClose);
    const f = this.faults();
    if (f.blackHole) {
      // Accepts and reads, never forwards anything, not even a FIN or a reset.
      this.blackHoled = true;
      near.on('data', () => undefined);
      far.on('data', () => undefined);
      near.resume();
      return;
    }
    this.resetArmed = f.resetProbability > 0 && this.random() < f.resetProbability;
    const up = new PacedWriter(far, this.faults, this.random, (bytes) => throttle(near, bytes));
    const down = new PacedWriter(near, this.faults, this.random, (bytes) => throttle(far, bytes));
    this.up = up;
    this.down = down;
    near.on('data', (chunk: Buffer) => up.write(chunk));
    far.on('data', (chunk: Buffer) => {
      // The injected reset cuts the reply: the request reached the backend, the answer never arrives.
      if (this.resetArmed) this.fireReset();
      else down.write(chunk);
    });
    near.on('end', () => {
      this.nearEnded = true;
      up.end(this.faults().slowCloseMs);
    });
    far.on('end', () => {
      this.farEnded = true;
      down.end(this.faults().slowCloseMs);
    });
    near.resume();
  }

  /**
   * The balancer's end is closed. Once paired (and forwarding), the relay's own accepted socket sees that
   * close in order, after any bytes and FIN still in flight, and handles it; acting here too would race ahead
   * of those bytes. Before pairing, or for a black hole, pass on a reset unless both FINs were exchanged.
   */
  originClosed(): void {
    if (this.destroyed || (this.paired && !this.blackHoled)) return;
    if (!this.cleanClose && !this.far.destroyed) this.far.resetAndDestroy();
    this.destroy();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.up?.destroy();
    this.down?.destroy();
    if (!this.far.destroyed) this.far.destroy();
    if (this.near && !this.near.destroyed) this.near.destroy();
    this.onDestroy?.();
    this.forget();
  }

  private fireReset(): void {
    this.resetArmed = false;
    try {
      this.onReset();
    } catch {
      // The owner's bookkeeping must not stop the reset.
    }
    this.up?.destroy();
    this.down?.destroy();
    if (this.near && !this.near.destroyed) this.near.resetAndDestroy();
    if (!this.far.destroyed) this.far.resetAndDestroy();
    this.destroy();
  }

  /** Both FINs seen: what is left is a (possibly slow) close the writers finish on their own. */
  private get cleanClose(): boolean {
    return this.nearEnded && this.farEnded;
  }

  private readonly onNearClose = (): void => {
    // Anything but a clean exchange of FINs is passed on as a reset.
    if (!this.cleanClose && !this.far.destroyed) this.far.resetAndDestroy();
    this.maybeDone();
  };

  private readonly onFarClose = (): void => {
    const near = this.near;
    if (!this.cleanClose && !this.blackHoled && near && !near.destroyed) near.resetAndDestroy();
    this.maybeDone();
  };

  private maybeDone(): void {
    if (this.far.destroyed && (this.near?.destroyed ?? true)) this.destroy();
  }
}

function throttle(source: Socket, backlog: number): void {
  if (backlog > BACKLOG_HIGH) source.pause();
  else if (backlog < BACKLOG_LOW && source.isPaused()) source.resume();
}
