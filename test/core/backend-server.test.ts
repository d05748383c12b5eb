import { afterEach, describe, expect, it } from 'vitest';
import { BackendServer, type BackendServerState } from '../../src/main/core/backend-server';
import { PersistentClient, sendMessage } from '../../src/main/core/message-client';
import { closed, connect, readAll } from './helpers';

const servers: BackendServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.kill();
});

async function start(options: { id: string; port?: number; delayMs?: number }): Promise<BackendServer> {
  const server = new BackendServer({ port: 0, ...options });
  servers.push(server);
  await server.start();
  return server;
}

describe('BackendServer', () => {
  it('answers in the seed format and ends after the client half-closes', async () => {
    const server = await start({ id: '7' });
    const socket = await connect(server.port);
    const data = readAll(socket);
    socket.end('héllo\nsecond');
    expect((await data).toString()).toBe("[Server 7] You said: 'héllo'\n[Server 7] You said: 'second'\n");
    expect(server.messagesServed).toBe(2);
  });

  it('keeps replies in order with a delay and reports state changes', async () => {
    const states: BackendServerState[] = [];
    const server = new BackendServer({ id: 'd', port: 0, delayMs: 30 });
    servers.push(server);
    server.on('state', (s) => states.push(s));
    await server.start();
    const client = await PersistentClient.connect({ host: '127.0.0.1', port: server.port });
    const first = client.send('one');
    const second = client.send('two');
    expect((await first).reply).toBe("[Server d] You said: 'one'");
    expect((await second).reply).toBe("[Server d] You said: 'two'");
    expect((await first).latencyMs).toBeGreaterThanOrEqual(25);
    server.setDelay(0);
    expect((await client.send('three')).reply).toBe("[Server d] You said: 'three'");
    await client.close();
    await server.stop();
    expect(states).toEqual(['starting', 'up', 'stopping', 'stopped']);
  });

  it('rejects a port in use with a clear error', async () => {
    const a = await start({ id: 'a' });
    const b = new BackendServer({ id: 'b', port: a.port });
    await expect(b.start()).rejects.toThrow(`port ${a.port} is already in use`);
    expect(b.state).toBe('stopped');
  });

  it('kill resets open connections at once; restart serves on the same port', async () => {
    const server = await start({ id: 'k', delayMs: 10_000 });
    const port = server.port;
    const socket = await connect(port);
    socket.write('slow\n');
    const gone = closed(socket, 2000);
    await new Promise<void>((resolve) => {
      const poll = (n: number): void =>
        server.openConnections === 1 || n > 1000 ? resolve() : void setImmediate(() => poll(n + 1));
      poll(0);
    });
    await server.kill();
    expect(server.state).toBe('killed');
    expect((await gone).error).not.toBeNull();
    await server.restart();
    expect(server.port).toBe(port);
    server.setDelay(0);
    expect((await sendMessage({ host: '127.0.0.1', port, text: 'again' })).reply).toBe("[Server k] You said: 'again'");
  });

  it('stop lets an in-flight reply finish', async () => {
    const server = await start({ id: 's', delayMs: 50 });
    const reply = sendMessage({ host: '127.0.0.1', port: server.port, text: 'finish me' });
    await new Promise<void>((resolve) => {
      const poll = (n: number): void =>
        server.openConnections === 1 || n > 1000 ? resolve() : void setImmediate(() => poll(n + 1));
      poll(0);
    });
    await server.stop();
    expect((await reply).reply).toBe("[Server s] You said: 'finish me'");
    expect(server.state).toBe('stopped');
    await expect(sendMessage({ host: '127.0.0.1', port: server.port, text: 'x', timeoutMs: 2000 })).rejects.toThrow(
      /refused/,
    );
  });
});
