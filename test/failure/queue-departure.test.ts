/**
 * A client waiting in a backend's queue is read from (into a small buffer), so a reset while queued
 * frees its place at once, and a FIN while queued is kept and forwarded after the held bytes.
 */
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createRoundRobin } from '../../src/main/core/algorithms/round-robin';
import {
  Balancer,
  type ConnectionClosedInfo,
  type ConnectionDequeuedInfo,
  type ConnectionOpenedInfo,
  type ConnectionQueuedInfo,
} from '../../src/main/core/balancer';
import { connect, readAll, startServer, stopServer, waitFor, within } from '../core/helpers';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** What one backend connection received before its FIN (or error). */
interface Received {
  data: string;
  how: string;
}

/** A backend that holds its first connection open and answers later ones once they half-close. */
async function holdingBackend() {
  const accepted: Socket[] = [];
  const received: Array<Promise<Received>> = [];
  const backend = await startServer((socket) => {
    accepted.push(socket);
    received.push(
      new Promise((resolve) => {
        let data = '';
        socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
        socket.on('end', () => {
          resolve({ data, how: 'FIN' });
          socket.end(`got ${JSON.stringify(data)}\n`);
        });
        socket.on('error', (error: NodeJS.ErrnoException) => resolve({ data, how: `error ${error.code}` }));
      }),
    );
  });
  cleanups.push(() => stopServer(backend));
  return { port: backend.port, accepted, received };
}

async function queueingBalancer(backendPort: number) {
  const opened: ConnectionOpenedInfo[] = [];
  const queued: ConnectionQueuedInfo[] = [];
  const dequeued: ConnectionDequeuedInfo[] = [];
  const closed: ConnectionClosedInfo[] = [];
  const balancer = new Balancer({
    port: 0,
    algorithm: createRoundRobin(),
    hooks: {
      connectionOpened: (info) => opened.push(info),
      connectionQueued: (info) => queued.push(info),
      connectionDequeued: (info) => dequeued.push(info),
      connectionClosed: (info) => closed.push(info),
    },
  });
  const { port } = await balancer.listen();
  cleanups.push(() => balancer.close());
  balancer.addBackend({ id: 'b', host: '127.0.0.1', port: backendPort });
  balancer.setLimits('b', { maxConnections: 1, queueSize: 5, queueTimeoutMs: 10_000 });
  return { balancer, port, opened, queued, dequeued, closed };
}

describe('leaving a backend queue', () => {
  it('a queued client that resets leaves the queue at once; a queued half-close is served in order', async () => {
    const backend = await holdingBackend();
    const lb = await queueingBalancer(backend.port);
    const queueLength = (): number => lb.balancer.failureState('b')!.queueLength;

    const holder = await connect(lb.port);
    cleanups.push(() => holder.destroy());
    await waitFor(() => lb.opened.length === 1 && backend.accepted.length === 1, { label: 'slot taken' });

    // Reset while queued.
    const leaver = await connect(lb.port);
    await waitFor(() => lb.queued.length === 1, { label: 'second client queued' });
    const leaverId = lb.queued[0]!.connId;
    leaver.resetAndDestroy();
    await waitFor(() => lb.dequeued.some((d) => d.connId === leaverId), { timeoutMs: 2000, label: 'dequeued' });
    const left = lb.dequeued.find((d) => d.connId === leaverId)!;
    expect(left.outcome).toBe('closed');
    expect(left.waitedMs).toBeLessThan(2000);
    expect(queueLength()).toBe(0);
    await waitFor(() => lb.closed.some((c) => c.connId === leaverId), { label: 'reset client closed' });
    expect(lb.closed.find((c) => c.connId === leaverId)).toMatchObject({ reason: 'client-reset', backendId: null });

    // Request and FIN while queued.
    const asker = await connect(lb.port);
    cleanups.push(() => asker.destroy());
    await waitFor(() => lb.queued.length === 2, { label: 'third client queued' });
    const askerId = lb.queued[1]!.connId;
    const reply = readAll(asker, 5000);
    asker.end('hello\n');
    // The request is read out of the socket while the connection still waits.
    await waitFor(() => lb.balancer.bufferedBytes().some((b) => b.connId === askerId && b.bytes === 6), {
      label: 'request held while queued',
    });
    expect(queueLength()).toBe(1);
    expect(backend.accepted).toHaveLength(1);

    holder.destroy();
    await waitFor(() => backend.received.length === 2, { label: 'queued client connected' });
    expect(await within(backend.received[1]!, 3000, 'backend saw the FIN')).toEqual({ data: 'hello\n', how: 'FIN' });
    expect((await reply).toString()).toBe('got "hello\\n"\n');
    await waitFor(() => lb.closed.some((c) => c.connId === askerId), { label: 'queued client finished' });

    expect(lb.dequeued.find((d) => d.connId === askerId)?.outcome).toBe('connected');
    expect(lb.closed.find((c) => c.connId === askerId)).toMatchObject({ reason: 'completed', bytesUp: 6 });
    // The client that left never reached the backend.
    expect(lb.opened.map((o) => o.connId)).not.toContain(leaverId);
    expect(backend.accepted).toHaveLength(2);
    expect(lb.balancer.backendStats('b')!.total).toBe(2);
  });
});
