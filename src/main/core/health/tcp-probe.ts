import net from 'node:net';
import { describeSocketError } from '../listen';

/** One health-check result. */
export interface ProbeResult {
  ok: boolean;
  /** Time to connect (or to fail), ms. */
  ms: number;
  error?: string;
}

/**
 * HAProxy's plain TCP check: the backend is fine when a connection opens within timeoutMs. The socket
 * is closed right away; the result never rejects. signal aborts the probe (its result is then ignored).
 */
export function tcpProbe(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const startedAt = performance.now();
    const socket = net.connect({ host, port });
    let done = false;
    const finish = (error: string | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      const ms = performance.now() - startedAt;
      resolve(error === null ? { ok: true, ms } : { ok: false, ms, error });
    };
    const onAbort = (): void => finish('aborted');
    const timer = setTimeout(() => finish(`timeout after ${timeoutMs} ms`), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish(null));
    socket.on('error', (error) => finish(describeSocketError(error)));
    socket.once('close', () => finish('connection closed while connecting'));
  });
}
