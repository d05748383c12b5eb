import { createHash, randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createRoundRobin } from '../../src/main/core/algorithms/round-robin';
import { Balancer, type ConnectionClosedInfo } from '../../src/main/core/balancer';
import { connect, once, readAll, startServer, stopServer, waitFor, within } from './helpers';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function makeBalancer(): Promise<{ balancer: Balancer; port: number; closes: ConnectionClosedInfo[] }> {
  const closes: ConnectionClosedInfo[] = [];
  const balancer = new Balancer({
    port: 0,
    algorithm: createRoundRobin(),
    hooks: { connectionClosed: (info) => closes.push(info) },
  });
  const { port } = await balancer.listen();
  cleanups.push(() => balancer.close());
  return { balancer, port, closes };
}

const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

// The bridge closes a connection whose both directions have ended by destroying the last socket when
// nothing is left to write, and by end() otherwise: the bytes still queued must reach the peer first.
describe('Bridge close path', () => {
  it('delivers a reply still queued for a paused client when both sides have sent FIN', async () => {
    const reply = randomBytes(8 * 1024 * 1024);
    const backend = await startServer((socket) => {
      // Answer only after the client's FIN, then FIN at once: the balancer sees both ends while it
      // still holds most of the reply for the (paused) client.
      socket.resume();
      socket.once('end', () => socket.end(reply));
    });
    cleanups.push(() => stopServer(backend));
    const { balancer, port, closes } = await makeBalancer();
    balancer.addBackend({ id: 'b', host: '127.0.0.1', port: backend.port });

    const client = await connect(port);
    client.pause();
    client.end('request');
    await waitFor(() => balancer.bufferedBytes().some(({ bytes }) => bytes > 0), {
      timeoutMs: 10_000,
      label: 'reply queued in the balancer',
    });
    const reading = readAll(client, 20_000);
    // pause() made the stream non-flowing; a 'data' listener alone does not restart it.
    client.resume();
    const received = await reading;
    expect(received.length).toBe(reply.length);
    expect(sha(received)).toBe(sha(reply));
    await waitFor(() => closes.length === 1, { label: 'connection closed' });
    expect(closes[0]!.reason).toBe('completed');
    expect(closes[0]!.bytesDown).toBe(reply.length);
  });

  it('keeps the last queued reply bytes when the backend FIN arrives while they wait for the client', async () => {
    // Fill the path to a client that reads nothing, 8 KiB at a time (under the 16 KiB write high-water
    // mark, so the balancer keeps reading the backend), until the balancer itself holds bytes for the
    // client; then the backend sends FIN. Both sides have now ended with bytes still queued: closing
    // must wait for them (end), not drop them (destroy).
    const chunk = randomBytes(8 * 1024);
    let backendSocket: Socket | null = null;
    const backend = await startServer((socket) => {
      backendSocket = socket;
      socket.resume();
    });
    cleanups.push(() => stopServer(backend));
    const { balancer, port, closes } = await makeBalancer();
    balancer.addBackend({ id: 'b', host: '127.0.0.1', port: backend.port });

    const client = await connect(port);
    client.pause();
    client.end('request');
    await waitFor(() => backendSocket !== null, { label: 'backend accepted' });
    let sent = 0;
    let forwarded = 0;
    const started = performance.now();
    for (let i = 0; i < 10_000 && performance.now() - started < 15_000; i++) {
      backendSocket!.write(chunk);
      sent += chunk.length;
      await waitFor(
        () => {
          for (const delta of balancer.drainByteDeltas()) forwarded += delta.down;
          return forwarded === sent;
        },
        { label: 'chunk forwarded' },
      );
      if (balancer.bufferedBytes().some(({ bytes }) => bytes > 0)) break;
    }
    expect(balancer.bufferedBytes().some(({ bytes }) => bytes > 0)).toBe(true);
    const finSent = once(backendSocket!, 'finish');
    backendSocket!.end();
    await finSent;
    // The balancer runs in this process: a few loop turns let it read that FIN while bytes still wait.
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    const reading = readAll(client, 20_000);
    client.resume();
    const received = await reading;
    expect(received.length).toBe(sent);
    await waitFor(() => closes.length === 1, { label: 'connection closed' });
    expect(closes[0]!.reason).toBe('completed');
  });

  it('delivers the last request bytes to a backend that ended first, then completes', async () => {
    const request = randomBytes(4 * 1024 * 1024);
    let resolveReceived: (data: Buffer) => void = () => undefined;
    const receivedByBackend = new Promise<Buffer>((resolve) => (resolveReceived = resolve));
    const backend = await startServer((socket) => {
      // The backend speaks and half-closes first, then reads the whole request until the client's FIN.
      socket.end('hello');
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.once('end', () => resolveReceived(Buffer.concat(chunks)));
    });
    cleanups.push(() => stopServer(backend));
    const { balancer, port, closes } = await makeBalancer();
    balancer.addBackend({ id: 'b', host: '127.0.0.1', port: backend.port });

    const client = await connect(port);
    const greeting = await readAll(client);
    expect(greeting.toString()).toBe('hello');
    client.end(request);
    const got = await within(receivedByBackend, 20_000, 'backend read the request');
    expect(got.length).toBe(request.length);
    expect(sha(got)).toBe(sha(request));
    await waitFor(() => closes.length === 1, { label: 'connection closed' });
    expect(closes[0]!.reason).toBe('completed');
    expect(closes[0]!.bytesUp).toBe(request.length);
  });

  it('completes 200 short exchanges with no reset', async () => {
    const backend = await startServer((socket) => socket.pipe(socket));
    cleanups.push(() => stopServer(backend));
    const { balancer, port, closes } = await makeBalancer();
    balancer.addBackend({ id: 'b', host: '127.0.0.1', port: backend.port });
    for (let i = 0; i < 200; i++) {
      const client = await connect(port);
      const back = readAll(client);
      client.end(`ping ${i}`);
      expect((await back).toString()).toBe(`ping ${i}`);
    }
    await waitFor(() => closes.length === 200, { timeoutMs: 10_000, label: '200 closes' });
    expect(closes.filter((c) => c.reason !== 'completed')).toEqual([]);
  });
});
