import net from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import type { EventEmitter } from 'node:events';

/** Reject if the promise does not settle within ms. */
export function within<T>(promise: Promise<T>, ms: number, label = 'operation'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The next emission of an event (args array), bounded in time. */
export function once<T extends unknown[] = unknown[]>(
  emitter: EventEmitter,
  event: string,
  timeoutMs = 5000,
): Promise<T> {
  return within(
    new Promise<T>((resolve) => emitter.once(event, (...args: unknown[]) => resolve(args as T))),
    timeoutMs,
    `event '${event}'`,
  );
}

/** Poll a condition (setImmediate/short timers), bounded by time. */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  options: { timeoutMs?: number; label?: string } = {},
): Promise<void> {
  const deadline = performance.now() + (options.timeoutMs ?? 5000);
  for (let i = 0; ; i++) {
    if (await predicate()) return;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${options.label ?? 'condition'}`);
    await new Promise((resolve) => (i < 50 ? setImmediate(resolve) : setTimeout(resolve, 5)));
  }
}

/** Start a server on 127.0.0.1:0; every socket gets an error listener. */
export async function startServer(
  onSocket: (socket: Socket) => void,
): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    onSocket(socket);
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, sockets };
}

/** Close a server, destroying leftover sockets. */
export function stopServer(handle: { server: Server; sockets: Set<Socket> }): Promise<void> {
  for (const s of handle.sockets) s.destroy();
  return new Promise((resolve) => handle.server.close(() => resolve()));
}

/** Echo server that honours half-close (ends after echoing everything). */
export function startEchoServer(): ReturnType<typeof startServer> {
  return startServer((socket) => {
    socket.pipe(socket);
  });
}

/** A port nobody listens on (bound then released). */
export async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Connect with allowHalfOpen and an error listener. */
export function connect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.removeListener('error', reject);
      socket.on('error', () => undefined);
      resolve(socket);
    });
  });
}

/** Read everything until EOF. */
export function readAll(socket: Socket, timeoutMs = 10_000): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  return within(
    new Promise<Buffer>((resolve, reject) => {
      socket.once('end', () => resolve(Buffer.concat(chunks)));
      socket.once('error', reject);
      socket.once('close', () => resolve(Buffer.concat(chunks)));
    }),
    timeoutMs,
    'read until EOF',
  );
}

/** Resolve when the peer closed the connection (FIN, RST or local close); reports whether an error was seen. */
export function closed(socket: Socket, timeoutMs = 5000): Promise<{ error: Error | null }> {
  let error: Error | null = null;
  socket.on('error', (e) => (error = e));
  if (socket.destroyed && socket.closed) return Promise.resolve({ error });
  return within(
    new Promise((resolve) => {
      socket.once('close', () => resolve({ error }));
      socket.once('end', () => resolve({ error }));
      socket.resume();
    }),
    timeoutMs,
    'socket close',
  );
}
