import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { LabEvent } from '../../../shared/protocol';
import { FakeWebSocket, ManualTimers } from '../testing/fakeWebSocket';
import { ev } from '../testing/fixtures';
import type { ConnectionStatus } from './types';
import { createWebSocketTransport, parseHostFrame, webSocketUrlFor } from './websocket';

function setup(options: { maxBackoffMs?: number } = {}) {
  const timers = new ManualTimers();
  const transport = createWebSocketTransport({
    url: 'ws://localhost:1234/ws?token=t',
    createSocket: (url) => new FakeWebSocket(url),
    timers,
    initialBackoffMs: 100,
    maxBackoffMs: options.maxBackoffMs ?? 1000,
  });
  return { transport, timers, ws: FakeWebSocket.last() };
}

beforeEach(() => {
  FakeWebSocket.instances = [];
});

describe('webSocketUrlFor', () => {
  it('uses the page host and token', () => {
    expect(webSocketUrlFor({ protocol: 'http:', host: '127.0.0.1:8080', search: '?token=a%2Fb&freeze=1' })).toBe(
      'ws://127.0.0.1:8080/ws?token=a%2Fb',
    );
    expect(webSocketUrlFor({ protocol: 'https:', host: 'lab.example', search: '' })).toBe(
      'wss://lab.example/ws?token=',
    );
  });
});

describe('WebSocket transport', () => {
  it('correlates results with invokes by id, even out of order', async () => {
    const { transport, ws } = setup();
    ws.open();
    const a = transport.invoke({ type: 'lab.snapshot' });
    const b = transport.invoke({ type: 'traffic.stop' });
    expect(ws.sent.map((f) => f.kind)).toEqual(['invoke', 'invoke']);
    const [first, second] = ws.sent;
    expect(first?.command).toEqual({ type: 'lab.snapshot' });
    ws.deliver({ kind: 'result', id: second!.id, result: { ok: false, error: 'traffic is not running' } });
    ws.deliver({ kind: 'result', id: first!.id, result: { ok: true } });
    await expect(a).resolves.toEqual({ ok: true });
    await expect(b).resolves.toEqual({ ok: false, error: 'traffic is not running' });
  });

  it('queues invokes made while connecting and sends them on open', async () => {
    const { transport, ws } = setup();
    const result = transport.invoke({ type: 'lab.snapshot' });
    expect(ws.sent).toHaveLength(0);
    ws.open();
    expect(ws.sent).toHaveLength(1);
    ws.deliver({ kind: 'result', id: ws.sent[0]!.id, result: { ok: true } });
    await expect(result).resolves.toEqual({ ok: true });
  });

  it('delivers event batches to subscribers until they unsubscribe', () => {
    const { transport, ws } = setup();
    ws.open();
    const a: LabEvent[][] = [];
    const b: LabEvent[][] = [];
    const unsubscribeA = transport.subscribe((events) => a.push(events));
    transport.subscribe((events) => b.push(events));
    const batch = [ev(1, 'traffic.state', { traffic: { running: true, rate: 5, text: 'hello' } })];
    ws.deliver({ kind: 'events', events: batch });
    unsubscribeA();
    ws.deliver({ kind: 'events', events: batch });
    expect(a).toHaveLength(1);
    expect(b).toHaveLength(2);
    expect(a[0]).toEqual(batch);
  });

  it('resolves pending invokes as failed when the connection closes', async () => {
    const { transport, ws } = setup();
    ws.open();
    const pending = transport.invoke({ type: 'lab.snapshot' });
    ws.drop();
    await expect(pending).resolves.toEqual({ ok: false, error: 'connection lost' });
    // While disconnected, invokes fail fast instead of hanging.
    await expect(transport.invoke({ type: 'traffic.stop' })).resolves.toEqual({ ok: false, error: 'not connected' });
  });

  it('surfaces host error frames and malformed frames as app errors, never throwing', () => {
    const { transport, ws } = setup();
    ws.open();
    const errors: string[] = [];
    transport.onError((m) => errors.push(m));
    ws.deliver({ kind: 'error', error: 'bad token' });
    ws.deliver('not json');
    ws.deliver('{"kind":"mystery"}');
    expect(errors).toEqual([
      'bad token',
      'received a malformed frame from the Lab',
      'received a malformed frame from the Lab',
    ]);
  });

  it('reconnects with bounded, growing backoff and reports status', () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const { transport, timers, ws } = setup({ maxBackoffMs: 400 });
    const statuses: ConnectionStatus[] = [];
    transport.onStatus((s) => statuses.push(s));
    ws.open();
    ws.drop();
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      delays.push(...timers.runAll());
      FakeWebSocket.last().drop();
    }
    expect(delays).toEqual([100, 200, 400, 400, 400]);
    delays.push(...timers.runAll());
    FakeWebSocket.last().open();
    expect(statuses).toEqual(['connecting', 'open', 'reconnecting', 'open']);
    // A successful open resets the backoff.
    FakeWebSocket.last().drop();
    expect(timers.runAll()).toEqual([100]);
    vi.restoreAllMocks();
  });

  it('stops reconnecting after close()', async () => {
    const { transport, timers, ws } = setup();
    ws.open();
    const pending = transport.invoke({ type: 'lab.snapshot' });
    transport.close();
    await expect(pending).resolves.toEqual({ ok: false, error: 'connection closed' });
    expect(timers.scheduled.size).toBe(0);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('keeps working when a subscriber throws', () => {
    const { transport, ws } = setup();
    ws.open();
    const seen: number[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    transport.subscribe(() => {
      throw new Error('boom');
    });
    transport.subscribe((events) => seen.push(events.length));
    ws.deliver({ kind: 'events', events: [] });
    expect(seen).toEqual([0]);
    spy.mockRestore();
  });
});

describe('parseHostFrame', () => {
  it('accepts only well-formed frames', () => {
    expect(parseHostFrame('{"kind":"result","id":1,"result":{"ok":true}}')).toEqual({
      kind: 'result',
      id: 1,
      result: { ok: true },
    });
    expect(parseHostFrame('{"kind":"result","id":"1","result":{}}')).toBeUndefined();
    expect(parseHostFrame('{"kind":"events","events":{}}')).toBeUndefined();
    expect(parseHostFrame(42)).toBeUndefined();
  });
});
