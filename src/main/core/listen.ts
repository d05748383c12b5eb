import type { AddressInfo, Server } from 'node:net';

/** Host and port a server actually bound (port resolved when 0 was asked). */
export interface BoundAddress {
  host: string;
  port: number;
}

/** Turn a listen failure into the one-line message the UI shows. */
export function describeListenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  switch (error.code) {
    case 'EADDRINUSE':
      return new Error(`port ${port} is already in use`);
    case 'EACCES':
      return new Error(`permission denied for port ${port}`);
    case 'EADDRNOTAVAIL':
      return new Error(`address ${host} is not available on this machine`);
    default:
      return new Error(`cannot listen on ${host}:${port}: ${error.message}`);
  }
}

/**
 * Start listening and settle once: resolves with the bound address or rejects with a clear Error.
 * The server must already carry a permanent 'error' listener; this adds only a one-shot one.
 */
export function listenOn(server: Server, host: string, port: number): Promise<BoundAddress> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.removeListener('listening', onListening);
      reject(describeListenError(error, host, port));
    };
    const onListening = (): void => {
      server.removeListener('error', onError);
      const address = server.address() as AddressInfo;
      resolve({ host, port: address.port });
    };
    server.once('error', onError);
    server.once('listening', onListening);
    try {
      server.listen({ host, port });
    } catch (error) {
      server.removeListener('error', onError);
      server.removeListener('listening', onListening);
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

/** Short text for a socket error, e.g. "ECONNREFUSED 127.0.0.1:5001". */
export function describeSocketError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
