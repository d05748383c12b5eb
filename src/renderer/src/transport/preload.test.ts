import { describe, expect, it } from 'vitest';
import type { LabApi } from '../../../shared/api';
import { PRELOAD_API_KEY } from '../../../shared/api';
import type { Command, LabEvent } from '../../../shared/protocol';
import { FakeWebSocket } from '../testing/fakeWebSocket';
import { ev } from '../testing/fixtures';
import { pickTransport } from './pickTransport';
import { createPreloadTransport, isLabApi } from './preload';

function fakePreload() {
  const listeners = new Set<(events: LabEvent[]) => void>();
  const invoked: Command[] = [];
  const api: LabApi = {
    async invoke(command) {
      invoked.push(command);
      if (command.type === 'traffic.stop') throw new Error('main process crashed');
      return { ok: true };
    },
    subscribe(cb) {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
  };
  return { api, listeners, invoked };
}

describe('preload transport', () => {
  it('passes invokes and event batches straight through', async () => {
    const { api, listeners, invoked } = fakePreload();
    const transport = createPreloadTransport(api);
    await expect(transport.invoke({ type: 'lab.snapshot' })).resolves.toEqual({ ok: true });
    expect(invoked).toEqual([{ type: 'lab.snapshot' }]);

    const seen: LabEvent[][] = [];
    const unsubscribe = transport.subscribe((events) => seen.push(events));
    const batch = [ev(1, 'error', { message: 'x' })];
    for (const l of listeners) l(batch);
    unsubscribe();
    expect(listeners.size).toBe(0);
    expect(seen).toEqual([batch]);
  });

  it('turns a rejected invoke into a failed result', async () => {
    const transport = createPreloadTransport(fakePreload().api);
    await expect(transport.invoke({ type: 'traffic.stop' })).resolves.toEqual({
      ok: false,
      error: 'main process crashed',
    });
  });

  it('reports itself always open', () => {
    const statuses: string[] = [];
    createPreloadTransport(fakePreload().api).onStatus((s) => statuses.push(s));
    expect(statuses).toEqual(['open']);
  });
});

describe('pickTransport', () => {
  const location = { protocol: 'http:', host: '127.0.0.1:9000', search: '?token=abc' };

  it('prefers the preload API when present', () => {
    const transport = pickTransport({
      globals: { [PRELOAD_API_KEY]: fakePreload().api },
      location,
      createSocket: (url) => new FakeWebSocket(url),
    });
    expect(transport.kind).toBe('preload');
  });

  it('falls back to a WebSocket to the page host with the token', () => {
    FakeWebSocket.instances = [];
    const transport = pickTransport({ globals: {}, location, createSocket: (url) => new FakeWebSocket(url) });
    expect(transport.kind).toBe('websocket');
    expect(FakeWebSocket.last().url).toBe('ws://127.0.0.1:9000/ws?token=abc');
    transport.close();
  });

  it('recognises only objects with invoke and subscribe', () => {
    expect(isLabApi({ invoke() {}, subscribe() {} })).toBe(true);
    expect(isLabApi({ invoke() {} })).toBe(false);
    expect(isLabApi(null)).toBe(false);
  });
});
