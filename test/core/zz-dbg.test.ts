import type { Socket } from 'node:net';
import { it } from 'vitest';
import { createRoundRobin } from '../../src/main/core/algorithms/round-robin';
import { Balancer } from '../../src/main/core/balancer';
import { closed, connect, startServer, waitFor } from './helpers';
it('dbg', async () => {
  let backendSocket: Socket | null = null;
  const sink = await startServer((s) => { backendSocket = s; s.on('error', (e) => console.log('sink err', e.message)); s.on('close', () => console.log('sink close')); s.on('end', () => console.log('sink end')); });
  const balancer = new Balancer({ port: 0, algorithm: createRoundRobin(), hooks: { connectionClosed: (i) => console.log('closed', i.reason), connectionOpened: (i) => console.log('opened', i.connId) } });
  const { port } = await balancer.listen();
  balancer.addBackend({ id: 'sink', host: '127.0.0.1', port: sink.port });
  const socket = await connect(port);
  socket.write('x');
  await waitFor(() => backendSocket !== null);
  // eslint-disable-next-line
  const br = [...(balancer as any).bridges][0]; const c = br.client as Socket;
  c.on('error', (e) => console.log('bal client err', e.message)); c.on('close', () => console.log('bal client close')); c.on('end', () => console.log('bal client end'));
  console.log('flowing', c.readableFlowing, (c as any)._handle.reading, c.isPaused());
  console.log('reset');
  socket.resetAndDestroy();
  await new Promise((r) => setTimeout(r, 500));
  console.log(balancer.bufferedBytes());
});
