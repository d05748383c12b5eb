import net from 'node:net';
import type { Socket } from 'node:net';
import { describeSocketError } from './listen';

/** Options for {@link sendMessage}. */
export interface SendMessageOptions {
  host: string;
  port: number;
  /** One line; a newline is appended. */
  text: string;
  /** Source address to bind, e.g. 127.0.0.2, so the balancer sees a different client. */
  localAddress?: string;
  /** Whole exchange deadline (ms). Default 10000. */
  timeoutMs?: number;
  /** Called once connected with the local port and address (how the Lab correlates with the balancer's accept). */
  onConnected?: (localPort: number, localAddress: string) => void;
  /** Abort the exchange (rejects with "aborted"). */
  signal?: AbortSignal;
}

/** A reply to one message. */
export interface MessageReply {
  /** The reply text without its trailing newline. */
  reply: string;
  localPort: number;
  /** From the connect call to the end of the reply. */
  latencyMs: number;
}

/** Turn a client-side socket error into the line the UI shows. */
function describeClientError(error: unknown, host: string, port: number): Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return new Error(`connection refused by ${host}:${port}`);
    case 'ECONNRESET':
      return new Error('connection reset by the server');
    case 'EPIPE':
      return new Error('connection closed by the server while sending');
    case 'EADDRNOTAVAIL':
      return new Error(`source address not available for ${host}:${port}`);
    default:
      return new Error(describeSocketError(error));
  }
}

function stripNewline(text: string): string {
  if (text.endsWith('\r\n')) return text.slice(0, -2);
  if (text.endsWith('\n')) return text.slice(0, -1);
  return text;
}

/** After the reply, read the server's remaining bytes this long at most before closing hard (ms). */
const LINGER_MS = 2000;
/** After the reply, accept at most this many further bytes before closing hard. */
const LINGER_BYTES = 64 * 1024;

/**
 * One request/response exchange: connect, send `text\n`, read the reply line (up to the first newline),
 * resolve, then close gracefully (end our side, drain the server's rest until EOF, bounded in time and
 * bytes). The request is not half-closed first: the seed's load_balancer.py tears down both directions
 * on the first EOF it sees, which would cut off the reply. A server that closes after a reply without a
 * newline still counts as a reply. Rejects with a clear Error on refused, reset, timeout or an empty reply.
 */
export function sendMessage(options: SendMessageOptions): Promise<MessageReply> {
  const { host, port, text } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise<MessageReply>((resolve, reject) => {
    const startedAt = performance.now();
    if (options.signal?.aborted) {
      reject(new Error('aborted'));
      return;
    }
    const socket = net.connect({ host, port, localAddress: options.localAddress, allowHalfOpen: true });
    socket.setNoDelay(true);
    const chunks: Buffer[] = [];
    let localPort = 0;
    let done = false;
    let lingerTimer: NodeJS.Timeout | null = null;
    let lingerBytes = 0;
    /** Graceful close once the reply is in: FIN ours, let theirs arrive, but never wait or buffer forever. */
    const linger = (): void => {
      if (socket.destroyed) return;
      socket.end();
      lingerTimer = setTimeout(() => socket.destroy(), LINGER_MS);
      socket.once('close', () => {
        if (lingerTimer) clearTimeout(lingerTimer);
      });
    };
    const finish = (error: Error | null, reply?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (error) {
        if (!socket.destroyed) socket.destroy();
        reject(error);
        return;
      }
      const line = reply ?? '';
      if (line.length === 0 && chunks.length === 0) {
        if (!socket.destroyed) socket.destroy();
        reject(new Error('empty reply: the server closed the connection without answering'));
        return;
      }
      resolve({ reply: stripNewline(line), localPort, latencyMs: performance.now() - startedAt });
      linger();
    };
    const onAbort = (): void => finish(new Error('aborted'));
    const timer = setTimeout(() => finish(new Error(`no reply within ${timeoutMs} ms`)), timeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      localPort = socket.localPort ?? 0;
      try {
        options.onConnected?.(localPort, socket.localAddress ?? '');
      } catch {
        // The observer's failure is not the exchange's.
      }
      socket.write(`${text}\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      if (done) {
        lingerBytes += chunk.length;
        if (lingerBytes > LINGER_BYTES) socket.destroy();
        return;
      }
      const newline = chunk.indexOf(10);
      if (newline === -1) {
        chunks.push(chunk);
        return;
      }
      chunks.push(chunk.subarray(0, newline));
      lingerBytes = chunk.length - newline - 1;
      finish(null, Buffer.concat(chunks).toString('utf8'));
    });
    socket.on('end', () => {
      // EOF before a newline: whatever came is the reply (a server that answers without a newline).
      finish(null, Buffer.concat(chunks).toString('utf8'));
      if (!socket.destroyed && socket.writableEnded) socket.destroy();
    });
    socket.on('error', (error) => finish(describeClientError(error, host, port)));
    socket.on('close', () => finish(new Error('connection closed before the reply ended')));
  });
}

/** Options for {@link PersistentClient.connect}. */
export interface PersistentClientOptions {
  host: string;
  port: number;
  localAddress?: string;
  /** Connect deadline (ms). Default 5000. */
  timeoutMs?: number;
  onConnected?: (localPort: number) => void;
}

interface Waiting {
  resolve: (value: { reply: string; latencyMs: number }) => void;
  reject: (error: Error) => void;
  sentAt: number;
}

/** One connection, many messages: each reply is a line, matched to sends in order. */
export class PersistentClient {
  private readonly waiting: Waiting[] = [];
  private buffered: Buffer[] = [];
  private failure: Error | null = null;
  private readonly closed: Promise<void>;

  private constructor(
    private readonly socket: Socket,
    readonly localPort: number,
  ) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) =>
      this.fail(describeClientError(error, socket.remoteAddress ?? '', socket.remotePort ?? 0)),
    );
    socket.on('end', () => this.fail(new Error('connection closed by the server')));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  /** Connect; rejects with a clear Error on refused or timeout. */
  static connect(options: PersistentClientOptions): Promise<PersistentClient> {
    const timeoutMs = options.timeoutMs ?? 5000;
    return new Promise((resolve, reject) => {
      const socket = net.connect({
        host: options.host,
        port: options.port,
        localAddress: options.localAddress,
        allowHalfOpen: true,
      });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect timeout after ${timeoutMs} ms`));
      }, timeoutMs);
      const onError = (error: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(describeClientError(error, options.host, options.port));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeListener('error', onError);
        const client = new PersistentClient(socket, socket.localPort ?? 0);
        options.onConnected?.(client.localPort);
        resolve(client);
      });
    });
  }

  /** Send one line; resolves with its reply line. */
  send(text: string): Promise<{ reply: string; latencyMs: number }> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject, sentAt: performance.now() });
      this.socket.write(`${text}\n`);
    });
  }

  /** Half-close, let pending replies arrive, then resolve when the socket is closed. */
  close(): Promise<void> {
    if (!this.socket.destroyed && !this.socket.writableEnded) this.socket.end();
    if (this.waiting.length === 0 && !this.socket.destroyed) this.socket.destroy();
    return this.closed;
  }

  /** Close at once (RST-free destroy); pending sends fail with `reason`. */
  destroy(reason = 'connection closed'): Promise<void> {
    this.fail(new Error(reason));
    if (!this.socket.destroyed) this.socket.destroy();
    return this.closed;
  }

  /** The local address the connection is bound to. */
  get localAddress(): string {
    return this.socket.localAddress ?? '';
  }

  /** Resolves once the socket is closed, for whatever reason. */
  whenClosed(): Promise<void> {
    return this.closed;
  }

  /** Sends still waiting for their reply. */
  get pending(): number {
    return this.waiting.length;
  }

  private onData(chunk: Buffer): void {
    let start = 0;
    let newline = chunk.indexOf(10);
    while (newline !== -1) {
      this.buffered.push(chunk.subarray(start, newline));
      const line = stripNewline(Buffer.concat(this.buffered).toString('utf8'));
      this.buffered = [];
      const waiter = this.waiting.shift();
      waiter?.resolve({ reply: line, latencyMs: performance.now() - waiter.sentAt });
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    }
    if (start < chunk.length) this.buffered.push(chunk.subarray(start));
    if (this.waiting.length === 0 && this.socket.writableEnded && !this.socket.destroyed) this.socket.destroy();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiting.splice(0)) waiter.reject(error);
  }
}
