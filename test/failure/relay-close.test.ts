/**
 * The balancer-side fault relay keeps TCP semantics: bytes a client sends after the backend's FIN still reach
 * the backend, followed by a FIN (not a reset), and a backend that resets right after accepting never leaves a
 * socket without an 'error' listener.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createRoundRobin } from '../../src/main/core/algorithms/round-robin';
import { Balancer, type ConnectionClosedInfo } from '../../src/main/core/balancer';
import { NO_FAULTS } from '../../src/main/core/policy-defaults';
import type { Faults } from '../../src/shared/protocol';
import { connect, readAll, startServer, stopServer, waitFor, within } from '../core/helpers';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function balancerWithFaults(backendPort: number, faults: Faults, retries = 2) {
  const closes: ConnectionClosedInfo[] = [];
  const balancer = new Balancer({
    port: 0,
    algorithm: createRoundRobin(),
    policy: { retries },
    hooks: { connectionClosed: (info) => closes.push(info) },
  });
  const { port } = await balancer.listen();
  cleanups.push(() => balancer.close());
  balancer.addBackend({ id: 'b', host: '127.0.0.1', port: backendPort });
  await balancer.setFaults('b', { ...NO_FAULTS, ...faults });
  return { balancer, port, closes };
}

describe('fault relay', () => {
  for (const faults of [{ latencyMs: 30 }, { slowCloseMs: 1 }]) {
    it(`delivers the client's last bytes after the backend's FIN, then a FIN (${JSON.stringify(faults)})`, async () => {
      let seen: Promise<{ data: string; how: string }> | null = null;
      const backend = await startServer((socket) => {
        seen = new Promise((resolve) => {
          let data = '';
          socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
          socket.on('end', () => resolve({ data, how: 'FIN' }));
          socket.on('error', (error: NodeJS.ErrnoException) => resolve({ data, how: `error ${error.code}` }));
        });
        socket.end('hello\n');
      });
      cleanups.push(() => stopServer(backend));
      const { port, closes } = await balancerWithFaults(backend.port, faults);

      const client = await connect(port);
      expect((await readAll(client)).toString()).toBe('hello\n');
      client.end('goodbye\n');
      await waitFor(() => seen !== null, { label: 'backend accepted' });
      expect(await within(seen!, 3000, 'backend saw the end')).toEqual({ data: 'goodbye\n', how: 'FIN' });
      await waitFor(() => closes.length === 1, { label: 'connection closed' });
      expect(closes[0]?.reason).toBe('completed');
    });
  }

  it('survives backends that reset right after accepting, with no uncaught error', async () => {
    const backend = await startServer((socket) => setImmediate(() => socket.resetAndDestroy()));
    cleanups.push(() => stopServer(backend));
    const { balancer, port, closes } = await balancerWithFaults(backend.port, { latencyMs: 5 }, 0);
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown): void => void uncaught.push(error);
    process.prependListener('uncaughtException', onUncaught);
    cleanups.push(() => process.removeListener('uncaughtException', onUncaught));

    for (let i = 0; i < 100; i++) {
      const client = await connect(port);
      client.resume();
    }
    await waitFor(() => closes.length === 100, { timeoutMs: 10_000, label: '100 closes' });
    expect(uncaught).toEqual([]);
    await waitFor(() => balancer.relayedConnections === 0, { label: 'relay idle' });
  });
});
