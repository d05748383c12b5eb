import { afterEach, describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import { sendMessage } from '../../src/main/core/message-client';
import { startServer, stopServer, within } from './helpers';

const handles: Array<Awaited<ReturnType<typeof startServer>>> = [];
afterEach(async () => {
  for (const handle of handles.splice(0)) await stopServer(handle);
});

async function server(onSocket: (socket: Socket) => void): Promise<number> {
  const handle = await startServer(onSocket);
  handles.push(handle);
  return handle.port;
}

describe('sendMessage', () => {
  it('works with a server that tears down on the first EOF (the seed load_balancer.py): no half-close first', async () => {
    const port = await server((socket) => {
      socket.on('end', () => socket.destroy());
      socket.once('data', (chunk: Buffer) => {
        // Reply a little later: a client that half-closed right after sending would have been cut off.
        setTimeout(() => {
          if (!socket.destroyed) socket.write(`echo ${chunk.toString().trim()}\n`);
        }, 30);
      });
    });
    const reply = await sendMessage({ host: '127.0.0.1', port, text: 'hi', timeoutMs: 3000 });
    expect(reply.reply).toBe('echo hi');
    expect(reply.latencyMs).toBeGreaterThan(20);
  });

  it('resolves on the reply line, then closes gracefully while the server keeps the connection open', async () => {
    let ended: () => void = () => undefined;
    const serverSawEnd = new Promise<void>((resolve) => (ended = resolve));
    const port = await server((socket) => {
      socket.once('data', () => socket.write('first line\nextra'));
      socket.on('end', () => {
        ended();
        socket.end();
      });
    });
    const reply = await sendMessage({ host: '127.0.0.1', port, text: 'x', timeoutMs: 3000 });
    expect(reply.reply).toBe('first line');
    await within(serverSawEnd, 2000, 'client FIN after the reply');
  });

  it('accepts a reply without newline ended by EOF, and rejects an empty one', async () => {
    const bare = await server((socket) => socket.once('data', () => socket.end('no newline')));
    expect((await sendMessage({ host: '127.0.0.1', port: bare, text: 'x', timeoutMs: 3000 })).reply).toBe('no newline');
    const silent = await server((socket) => socket.once('data', () => socket.end()));
    await expect(sendMessage({ host: '127.0.0.1', port: silent, text: 'x', timeoutMs: 3000 })).rejects.toThrow(/empty reply/);
  });

  it('times out with a clear error when no reply comes', async () => {
    const port = await server(() => undefined);
    await expect(sendMessage({ host: '127.0.0.1', port, text: 'x', timeoutMs: 150 })).rejects.toThrow(
      'no reply within 150 ms',
    );
  });
});
