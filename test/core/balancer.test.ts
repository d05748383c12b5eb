import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createRoundRobin } from '../../src/main/core/algorithms/round-robin';
import { BackendServer } from '../../src/main/core/backend-server';
import {
  Balancer,
  type ConnectionClosedInfo,
  type ConnectionOpenedInfo,
  type ConnectRetryInfo,
} from '../../src/main/core/balancer';
import { sendMessage } from '../../src/main/core/message-client';
import {
  closed,
  connect,
  deadPort,
  readAll,
  startEchoServer,
  startServer,
  stopServer,
  waitFor,
  within,
} from './helpers';

interface Recorder {
  opened: ConnectionOpenedInfo[];
  retries: ConnectRetryInfo[];
  closedConns: ConnectionClosedInfo[];
  nextClose: () => Promise<ConnectionClosedInfo>;
}

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function makeBalancer(connectTimeoutMs = 1000): Promise<{ balancer: Balancer; port: number; rec: Recorder }> {
  const waiters: Array<(info: ConnectionClosedInfo) => void> = [];
  const rec: Recorder = {
    opened: [],
    retries: [],
    closedConns: [],
    nextClose: () => new Promise((resolve) => waiters.push(resolve)),
  };
  const balancer = new Balancer({
    port: 0,
    algorithm: createRoundRobin(),
    connectTimeoutMs,
    hooks: {
      connectionOpened: (i) => rec.opened.push(i),
      connectRetry: (i) => rec.retries.push(i),
      connectionClosed: (i) => {
        rec.closedConns.push(i);
        waiters.shift()?.(i);
      },
    },
  });
  const { port } = await balancer.listen();
  cleanups.push(() => balancer.close());
  return { balancer, port, rec };
}

async function makeBackend(id: string, delayMs = 0): Promise<BackendServer> {
  const server = new BackendServer({ id, port: 0, delayMs });
  await server.start();
  cleanups.push(() => server.kill());
  return server;
}

/** The seed's client.py: connect, send a bare message (no newline), read one reply. */
function seedClient(port: number, text: string): Promise<Buffer> {
  return within(
    new Promise<Buffer>((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.on('error', reject);
      socket.once('connect', () => socket.write(text));
      socket.once('data', (data: Buffer) => {
        socket.destroy();
        resolve(data);
      });
    }),
    5000,
    'seed client',
  );
}

describe('Balancer', () => {
  it('runs the seed flow: replies alternate between Server 1 and Server 2, byte for byte', async () => {
    const b1 = await makeBackend('1');
    const b2 = await makeBackend('2');
    const { balancer, port } = await makeBalancer();
    balancer.addBackend({ id: '1', host: '127.0.0.1', port: b1.port });
    balancer.addBackend({ id: '2', host: '127.0.0.1', port: b2.port });

    const bare1 = await seedClient(port, 'hello');
    const bare2 = await seedClient(port, 'hello');
    expect(bare1.toString('latin1')).toBe("[Server 1] You said: 'hello'\n");
    expect(bare2.toString('latin1')).toBe("[Server 2] You said: 'hello'\n");

    const line1 = await sendMessage({ host: '127.0.0.1', port, text: 'hello' });
    const line2 = await sendMessage({ host: '127.0.0.1', port, text: 'hello' });
    expect(line1.reply).toBe("[Server 1] You said: 'hello'");
    expect(line2.reply).toBe("[Server 2] You said: 'hello'");
    expect(b1.messagesServed).toBe(2);
    expect(b2.messagesServed).toBe(2);
    await waitFor(() => balancer.activeConnections === 0, { label: 'connections closed' });
    expect(balancer.stats().backends.map((b) => b.total)).toEqual([2, 2]);
  });

  it('carries 20 MiB both ways unchanged (sha256)', async () => {
    const echo = await startEchoServer();
    cleanups.push(() => stopServer(echo));
    const { balancer, port, rec } = await makeBalancer();
    balancer.addBackend({ id: 'echo', host: '127.0.0.1', port: echo.port });
    const payload = randomBytes(20 * 1024 * 1024);
    const socket = await connect(port);
    const received = readAll(socket, 20_000);
    socket.end(payload);
    const back = await received;
    expect(back.length).toBe(payload.length);
    expect(createHash('sha256').update(back).digest('hex')).toBe(createHash('sha256').update(payload).digest('hex'));
    const info = await within(rec.closedConns[0] ? Promise.resolve(rec.closedConns[0]) : rec.nextClose(), 5000);
    expect(info.reason).toBe('completed');
    expect(info.bytesUp).toBe(payload.length);
    expect(info.bytesDown).toBe(payload.length);
  });

  it('lets the server speak first', async () => {
    const banner = await startServer((socket) => socket.end('220 welcome\n'));
    cleanups.push(() => stopServer(banner));
    const { balancer, port } = await makeBalancer();
    balancer.addBackend({ id: 'banner', host: '127.0.0.1', port: banner.port });
    const socket = await connect(port);
    const data = readAll(socket);
    socket.end();
    expect((await data).toString()).toBe('220 welcome\n');
  });

  it('forwards a client half-close: the reply arrives, then EOF', async () => {
    const b1 = await makeBackend('1');
    const { balancer, port, rec } = await makeBalancer();
    balancer.addBackend({ id: '1', host: '127.0.0.1', port: b1.port });
    const socket = await connect(port);
    const data = readAll(socket);
    socket.end('half closed');
    expect((await data).toString()).toBe("[Server 1] You said: 'half closed'\n");
    const info = rec.closedConns[0] ?? (await within(rec.nextClose(), 5000));
    expect(info.reason).toBe('completed');
  });

  it('forwards a server half-close while the client keeps sending', async () => {
    let received = '';
    const gotAll = new Promise<void>((resolve) => {
      void startServer((socket) => {
        socket.end('bye early\n'); // our side done; keep reading
        socket.on('data', (c: Buffer) => (received += c.toString()));
        socket.on('end', () => resolve());
      }).then((h) => {
        cleanups.push(() => stopServer(h));
        backendPort = h.port;
        portReady();
      });
    });
    let backendPort = 0;
    let portReady: () => void = () => undefined;
    await new Promise<void>((resolve) => (portReady = resolve));
    const { balancer, port, rec } = await makeBalancer();
    balancer.addBackend({ id: 'early', host: '127.0.0.1', port: backendPort });
    const socket = await connect(port);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    await within(new Promise((resolve) => socket.once('end', resolve)), 5000, 'server FIN');
    expect(Buffer.concat(chunks).toString()).toBe('bye early\n');
    socket.write('still ');
    socket.end('talking');
    await within(gotAll, 5000, 'backend reads the rest');
    expect(received).toBe('still talking');
    const info = rec.closedConns[0] ?? (await within(rec.nextClose(), 5000));
    expect(info.reason).toBe('completed');
  });

  it('skips a refused backend invisibly', async () => {
    const live = await makeBackend('live');
    const { balancer, port, rec } = await makeBalancer();
    balancer.addBackend({ id: 'dead', host: '127.0.0.1', port: await deadPort() });
    balancer.addBackend({ id: 'live', host: '127.0.0.1', port: live.port });
    for (let i = 0; i < 4; i++) {
      const { reply } = await sendMessage({ host: '127.0.0.1', port, text: `m${i}` });
      expect(reply).toBe(`[Server live] You said: 'm${i}'`);
    }
    expect(rec.retries.length).toBeGreaterThan(0);
    expect(rec.retries[0]!.backendId).toBe('dead');
    expect(rec.opened.some((o) => o.retried.includes('dead'))).toBe(true);
    expect(balancer.failedConnections).toBe(0);
  });

  it('closes the client promptly when every backend is down, then recovers when one returns', async () => {
    const backend = new BackendServer({ id: '1', port: await deadPort() });
    cleanups.push(() => backend.kill());
    const { balancer, port, rec } = await makeBalancer();
    balancer.addBackend({ id: '1', host: '127.0.0.1', port: backend.port });
    const started = performance.now();
    await expect(sendMessage({ host: '127.0.0.1', port, text: 'anyone?', timeoutMs: 3000 })).rejects.toThrow(
      /reset|closed|empty/,
    );
    expect(performance.now() - started).toBeLessThan(1000);
    const info = rec.closedConns[0] ?? (await within(rec.nextClose(), 2000));
    expect(info.reason).toBe('no-backend');
    expect(info.backendId).toBeNull();
    expect(balancer.failedConnections).toBe(1);

    await backend.start();
    const { reply } = await sendMessage({ host: '127.0.0.1', port, text: 'back?' });
    expect(reply).toBe("[Server 1] You said: 'back?'");
  });

  it('closes the client promptly with no backend in the pool', async () => {
    const { balancer, port } = await makeBalancer();
    const socket = await connect(port);
    await closed(socket, 2000);
    await waitFor(() => balancer.failedConnections === 1);
  });

  it('resets the client when the backend is killed mid-stream', async () => {
    const b1 = await makeBackend('1', 10_000);
    const { balancer, port, rec } = await makeBalancer();
    balancer.addBackend({ id: '1', host: '127.0.0.1', port: b1.port });
    const socket = await connect(port);
    socket.write('waiting for a slow reply\n');
    await waitFor(() => b1.openConnections === 1, { label: 'backend accepted' });
    const closing = closed(socket, 2000);
    const closeInfo = rec.nextClose();
    await b1.kill();
    await closing;
    expect((await within(closeInfo, 2000)).reason).toBe('backend-reset');
  });

  it('resets the backend when the client resets', async () => {
    let backendSocket: Socket | null = null;
    let backendGotData = false;
    const sink = await startServer((s) => {
      backendSocket = s;
      s.on('data', () => (backendGotData = true));
    });
    cleanups.push(() => stopServer(sink));
    const { balancer, port, rec } = await makeBalancer();
    balancer.addBackend({ id: 'sink', host: '127.0.0.1', port: sink.port });
    const socket = await connect(port);
    socket.write('x');
    await waitFor(() => backendGotData, { label: 'backend got data' });
    const backendClosed = closed(backendSocket!, 2000);
    const closeInfo = rec.nextClose();
    socket.resetAndDestroy();
    await backendClosed;
    expect((await within(closeInfo, 2000)).reason).toBe('client-reset');
  });

  it('leaves nothing open after 1,000 connections of churn', async () => {
    const b1 = await makeBackend('1');
    const b2 = await makeBackend('2');
    const { balancer, port, rec } = await makeBalancer();
    balancer.addBackend({ id: '1', host: '127.0.0.1', port: b1.port });
    balancer.addBackend({ id: '2', host: '127.0.0.1', port: b2.port });
    for (let batch = 0; batch < 20; batch++) {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) => sendMessage({ host: '127.0.0.1', port, text: `n${batch * 50 + i}` })),
      );
    }
    await waitFor(() => rec.closedConns.length === 1000, { timeoutMs: 10_000, label: '1000 closes' });
    expect(balancer.activeConnections).toBe(0);
    expect(balancer.totalConnections).toBe(1000);
    expect(rec.closedConns.every((c) => c.reason === 'completed')).toBe(true);
    await waitFor(async () => (await balancer.getConnections()) === 0, { label: 'balancer sockets' });
    await waitFor(async () => (await b1.getConnections()) + (await b2.getConnections()) === 0, {
      label: 'backend sockets',
    });
    expect(b1.messagesServed + b2.messagesServed).toBe(1000);
    expect(balancer.stats().backends.map((b) => b.active)).toEqual([0, 0]);
  });

  it('bounds buffering for a slow reader', async () => {
    const total = 64 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 7);
    let blocked = false;
    let resolveBlocked: () => void = () => undefined;
    const blockedOnce = new Promise<void>((resolve) => (resolveBlocked = resolve));
    let backendWritable = 0;
    const flood = await startServer((socket) => {
      let sent = 0;
      const pump = (): void => {
        while (sent < total) {
          sent += chunk.length;
          if (!socket.write(chunk)) {
            blocked = true;
            backendWritable = socket.writableLength;
            resolveBlocked();
            socket.once('drain', pump);
            return;
          }
        }
        socket.end();
      };
      pump();
    });
    cleanups.push(() => stopServer(flood));
    const { balancer, port } = await makeBalancer();
    balancer.addBackend({ id: 'flood', host: '127.0.0.1', port: flood.port });
    const socket = await connect(port);
    socket.pause();
    await within(blockedOnce, 10_000, 'backend write blocked');
    expect(blocked).toBe(true);
    expect(backendWritable).toBeGreaterThan(0);
    // Give the balancer many turns of the event loop while the reader stays paused.
    let maxBuffered = 0;
    for (let i = 0; i < 2000; i++) {
      for (const { bytes } of balancer.bufferedBytes()) maxBuffered = Math.max(maxBuffered, bytes);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(maxBuffered).toBeGreaterThan(0);
    expect(maxBuffered).toBeLessThan(1024 * 1024);
    socket.destroy();
  });

  it('changes algorithm live without dropping a connection', async () => {
    const echo = await startEchoServer();
    cleanups.push(() => stopServer(echo));
    const { balancer, port } = await makeBalancer();
    balancer.addBackend({ id: 'e', host: '127.0.0.1', port: echo.port });
    const socket = await connect(port);
    const all = readAll(socket);
    socket.write('before ');
    balancer.setAlgorithm(createRoundRobin());
    socket.end('after');
    expect((await all).toString()).toBe('before after');
  });

  it('reports byte deltas only for connections that moved bytes', async () => {
    const echo = await startEchoServer();
    cleanups.push(() => stopServer(echo));
    const { balancer, port, rec } = await makeBalancer();
    balancer.addBackend({ id: 'e', host: '127.0.0.1', port: echo.port });
    const socket = await connect(port);
    socket.write('12345');
    await new Promise((resolve) => socket.once('data', resolve));
    const deltas = balancer.drainByteDeltas();
    expect(deltas).toEqual([{ connId: rec.opened[0]!.connId, up: 5, down: 5 }]);
    expect(balancer.drainByteDeltas()).toEqual([]);
    socket.destroy();
  });

  it('rejects a port in use with a clear error', async () => {
    const { port } = await makeBalancer();
    const other = new Balancer({ port, algorithm: createRoundRobin() });
    await expect(other.listen()).rejects.toThrow(`port ${port} is already in use`);
  });
});
