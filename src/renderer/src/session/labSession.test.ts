import { beforeEach, describe, expect, it } from 'vitest';
import { createLabStore } from '../store/labStore';
import { MotionQueue } from '../store/motion';
import { FakeWebSocket, ManualTimers } from '../testing/fakeWebSocket';
import { ev, snapshot } from '../testing/fixtures';
import { createWebSocketTransport } from '../transport/websocket';
import { startLabSession } from './labSession';

beforeEach(() => {
  FakeWebSocket.instances = [];
});

function flush(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

describe('lab session', () => {
  it('subscribes first, buffers events while the snapshot loads, then applies only newer ones', async () => {
    const timers = new ManualTimers();
    const transport = createWebSocketTransport({ url: 'ws://x/ws', createSocket: (u) => new FakeWebSocket(u), timers });
    const store = createLabStore({ motion: new MotionQueue() });
    startLabSession(transport, store);
    const ws = FakeWebSocket.last();
    ws.open();
    expect(ws.sent.map((f) => f.command)).toEqual([{ type: 'lab.snapshot' }]);

    // Events race ahead of the snapshot result: one already covered by it, one newer.
    ws.deliver({
      kind: 'events',
      events: [
        ev(10, 'traffic.state', { traffic: { running: false, rate: 5, text: 'old' } }),
        ev(11, 'traffic.state', { traffic: { running: true, rate: 9, text: 'new' } }),
      ],
    });
    ws.deliver({ kind: 'result', id: ws.sent[0]!.id, result: { ok: true, snapshot: snapshot({ seq: 10 }) } });
    await flush();
    expect(store.getState().lab.loaded).toBe(true);
    expect(store.getState().lab.traffic).toEqual({ running: true, rate: 9, text: 'new' });
    expect(store.getState().connection).toBe('open');

    // After a reconnect it takes a fresh snapshot.
    ws.drop();
    expect(store.getState().connection).toBe('reconnecting');
    timers.runAll();
    const ws2 = FakeWebSocket.last();
    ws2.open();
    await flush();
    expect(ws2.sent.map((f) => f.command)).toEqual([{ type: 'lab.snapshot' }]);
    ws2.deliver({
      kind: 'result',
      id: ws2.sent[0]!.id,
      result: { ok: true, snapshot: snapshot({ seq: 40, backends: [] }) },
    });
    await flush();
    expect(store.getState().lab.seq).toBe(40);
    expect(store.getState().lab.backendOrder).toEqual([]);
    transport.close();
  });

  it('reports a failed snapshot as an app error', async () => {
    const store = createLabStore({ motion: new MotionQueue() });
    startLabSession(
      {
        kind: 'preload',
        invoke: async () => ({ ok: false, error: 'lab not started' }),
        subscribe: () => () => undefined,
        onStatus: (l) => {
          l('open');
          return () => undefined;
        },
        onError: () => () => undefined,
        close: () => undefined,
      },
      store,
    );
    await flush();
    expect(store.getState().errors.map((e) => e.message)).toEqual(['could not load the Lab: lab not started']);
  });
});
