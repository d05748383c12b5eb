/**
 * One message exchanged exactly as the tutorial's client.py does it: connect, send the bare text (no
 * newline), read the reply up to its newline (or EOF), close. The engine's sendMessage sends `text\n`
 * and half-closes, which the Python scripts do not survive: backend.py echoes the newline inside the
 * quotes and load_balancer.py tears both sides down on the half-close before the reply comes back.
 */
import net from 'node:net';

/** Options for {@link exchangeLikeSeedClient}. */
export interface SeedExchangeOptions {
  host: string;
  port: number;
  text: string;
  /** Source address to bind (e.g. 127.0.0.2). */
  localAddress?: string;
  /** Whole exchange deadline (ms). */
  timeoutMs: number;
}

/** Error carrying the socket error code (ECONNREFUSED...) when there is one. */
export class ExchangeError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** Resolve with the reply bytes as text, including its newline when the server sent one. */
export function exchangeLikeSeedClient(options: SeedExchangeOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: options.host, port: options.port, localAddress: options.localAddress });
    socket.setNoDelay(true);
    const chunks: Buffer[] = [];
    let settled = false;
    const settle = (error: Error | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const reply = Buffer.concat(chunks).toString('utf8');
      if (error) reject(error);
      else if (reply.length === 0) reject(new ExchangeError('the server closed the connection without a reply'));
      else resolve(reply);
    };
    const timer = setTimeout(
      () => settle(new ExchangeError(`no reply within ${options.timeoutMs} ms (timed out)`, 'ETIMEDOUT')),
      options.timeoutMs,
    );
    socket.once('connect', () => socket.write(options.text));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (chunk.includes(10)) settle(null);
    });
    socket.on('end', () => settle(null));
    socket.on('close', () => settle(null));
    socket.on('error', (error: NodeJS.ErrnoException) => settle(new ExchangeError(error.message, error.code)));
  });
}
