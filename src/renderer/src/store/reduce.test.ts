import { describe, expect, it } from 'vitest';
import { backend, decision, ev, snapshot } from '../testing/fixtures';
import { initialLabState } from './labStore';
import { LOG_LIMIT, reduceBatch, reduceSnapshot } from './reduce';
import type { LabState } from './types';

function loaded(): LabState {
  return reduceSnapshot(initialLabState(), snapshot());
}

describe('reduceSnapshot', () => {
  it('loads the balancer, backends in order, clients and traffic', () => {
    const state = loaded();
    expect(state.lab.loaded).toBe(true);
    expect(state.lab.seq).toBe(10);
    expect(state.lab.backendOrder).toEqual(['1', '2']);
    expect(state.lab.backends['2']?.port).toBe(5002);
    expect(state.lab.clients).toEqual([{ id: 'c1', sourceAddress: '127.0.0.2' }]);
    expect(state.lab.balancer?.algorithm).toBe('round-robin');
  });
});

describe('reduceBatch', () => {
  it('folds backend state, connections, replies and traffic in order', () => {
    const state = reduceBatch(loaded(), [
      ev(11, 'backend.state', { backend: backend('3', 5003, { state: 'starting' }) }),
      ev(12, 'backend.state', { backend: backend('3', 5003, { state: 'up' }) }),
      ev(13, 'conn.opened', {
        connId: 7,
        clientAddress: '127.0.0.2',
        clientPort: 40000,
        backendId: '2',
        decision: decision('2'),
        retried: [],
      }),
      ev(14, 'conn.bytes', { connId: 7, up: 6, down: 0 }),
      ev(15, 'message.sent', { msgId: 1, clientId: 'c1', text: 'hello' }),
      ev(16, 'message.replied', {
        msgId: 1,
        clientId: 'c1',
        connId: 7,
        backendId: '2',
        reply: "[Server 2] You said: 'hello'",
        latencyMs: 0.8,
      }),
      ev(17, 'traffic.state', { traffic: { running: true, rate: 5, text: 'hello' } }),
    ]);

    expect(state.lab.seq).toBe(17);
    expect(state.lab.backendOrder).toEqual(['1', '2', '3']);
    expect(state.lab.backends['3']?.state).toBe('up');
    expect(state.connections[7]).toMatchObject({
      backendId: '2',
      clientAddress: '127.0.0.2',
      bytesUp: 6,
      openedAt: 1013,
    });
    // messagesServed comes only from the backend's own count (backend.state), never from replies.
    expect(state.lab.backends['2']).toMatchObject({ activeConnections: 1, totalConnections: 1, messagesServed: 0 });
    expect(state.lab.balancer).toMatchObject({ activeConnections: 1, totalConnections: 1 });
    expect(state.latestDecision?.backendId).toBe('2');
    expect(state.log).toHaveLength(1);
    expect(state.log[0]).toMatchObject({
      msgId: 1,
      text: 'hello',
      ok: true,
      reply: "[Server 2] You said: 'hello'",
      backendId: '2',
      latencyMs: 0.8,
    });
    expect(state.inflight).toEqual({});
    expect(state.lab.traffic.running).toBe(true);
  });

  it('closes connections and counts failures', () => {
    let state = reduceBatch(loaded(), [
      ev(11, 'conn.opened', {
        connId: 1,
        clientAddress: '127.0.0.1',
        clientPort: 1,
        backendId: '1',
        decision: decision('1'),
        retried: [],
      }),
    ]);
    state = reduceBatch(state, [
      ev(12, 'backend.state', {
        backend: backend('1', 5001, { state: 'killed', activeConnections: 1, totalConnections: 1 }),
      }),
      ev(13, 'conn.closed', {
        connId: 1,
        backendId: '1',
        reason: 'backend-reset',
        bytesUp: 0,
        bytesDown: 0,
        durationMs: 5,
      }),
      ev(14, 'conn.closed', {
        connId: 2,
        backendId: null,
        reason: 'no-backend',
        bytesUp: 0,
        bytesDown: 0,
        durationMs: 1,
      }),
      ev(15, 'message.failed', { msgId: 9, clientId: 'c1', connId: 2, backendId: null, error: 'connection reset' }),
    ]);
    expect(state.connections).toEqual({});
    expect(state.lab.backends['1']).toMatchObject({ state: 'killed', activeConnections: 0 });
    expect(state.lab.balancer).toMatchObject({ activeConnections: 0, failedConnections: 1 });
    expect(state.lastClose).toEqual({ connId: 2, backendId: null, reason: 'no-backend' });
    expect(state.log[0]).toMatchObject({ msgId: 9, ok: false, error: 'connection reset' });
  });

  it('ignores events at or below the snapshot seq and returns the same state for an all-stale batch', () => {
    const start = loaded();
    const stale = [
      ev(9, 'backend.removed', { backendId: '1' }),
      ev(10, 'traffic.state', { traffic: { running: true, rate: 1, text: 'x' } }),
    ];
    expect(reduceBatch(start, stale)).toBe(start);

    const mixed = reduceBatch(start, [...stale, ev(11, 'backend.removed', { backendId: '2' })]);
    expect(mixed.lab.backendOrder).toEqual(['1']);
    expect(mixed.lab.traffic.running).toBe(false);
  });

  it('removes backends and keeps the order of the rest', () => {
    const state = reduceBatch(loaded(), [
      ev(11, 'backend.state', { backend: backend('3', 5003) }),
      ev(12, 'backend.removed', { backendId: '1' }),
    ]);
    expect(state.lab.backendOrder).toEqual(['2', '3']);
    expect(state.lab.backends['1']).toBeUndefined();
  });

  it('keeps the newest LOG_LIMIT replies, newest first', () => {
    const events = [];
    for (let i = 0; i < LOG_LIMIT + 50; i++) {
      events.push(
        ev(11 + i, 'message.replied', {
          msgId: i,
          clientId: 'c1',
          connId: null,
          backendId: '1',
          reply: `[Server 1] You said: '${i}'`,
          latencyMs: 1,
        }),
      );
    }
    const state = reduceBatch(loaded(), events);
    expect(state.log).toHaveLength(LOG_LIMIT);
    expect(state.log[0]?.msgId).toBe(LOG_LIMIT + 49);
    expect(state.log.at(-1)?.msgId).toBe(50);
    expect(state.lab.backends['1']?.messagesServed).toBe(0);

    const more = reduceBatch(state, [
      ev(1000, 'message.replied', {
        msgId: 999,
        clientId: 'c1',
        connId: null,
        backendId: '2',
        reply: 'r',
        latencyMs: 1,
      }),
    ]);
    expect(more.log).toHaveLength(LOG_LIMIT);
    expect(more.log[0]?.msgId).toBe(999);
    expect(more.log[1]?.msgId).toBe(LOG_LIMIT + 49);
  });

  it('records app-level error events', () => {
    const state = reduceBatch(loaded(), [ev(11, 'error', { message: 'backend 3 crashed' })]);
    expect(state.errors.map((e) => e.message)).toEqual(['backend 3 crashed']);
  });

  it('decrements counts for a connection opened before the snapshot', () => {
    const state = reduceBatch(
      reduceSnapshot(initialLabState(), snapshot({ backends: [backend('1', 5001, { activeConnections: 2 })] })),
      [
        ev(11, 'conn.closed', {
          connId: 4,
          backendId: '1',
          reason: 'completed',
          bytesUp: 1,
          bytesDown: 1,
          durationMs: 3,
        }),
      ],
    );
    // Opened before the snapshot: counted there, so it is decremented now.
    expect(state.lab.backends['1']?.activeConnections).toBe(1);
  });

  it('keeps the hash ring from balancer.ring events and clears it with null', () => {
    const ring = {
      algorithm: 'consistent-hash' as const,
      points: [
        { hash: 100, backendId: '1' },
        { hash: 3_000_000_000, backendId: '2' },
      ],
      clients: [{ address: '127.0.0.2', hash: 50, backendId: '1', movedFrom: '2' }],
      moved: 1,
      total: 4,
    };
    const withRing = reduceBatch(loaded(), [ev(11, 'balancer.ring', { ring })]);
    expect(withRing.lab.ring).toEqual(ring);
    expect(withRing.lab.seq).toBe(11);
    const cleared = reduceBatch(withRing, [ev(12, 'balancer.ring', { ring: null })]);
    expect(cleared.lab.ring).toBeNull();
  });

  it('feeds conn.opened decisions into the sampled decision stream', () => {
    const events = [];
    for (let i = 0; i < 10; i++) {
      events.push(
        ev(11 + i, 'conn.opened', {
          connId: i,
          clientAddress: '127.0.0.2',
          clientPort: 40000 + i,
          backendId: '1',
          decision: decision('1'),
          retried: [],
        }),
      );
    }
    // ev() stamps t = 1000 + seq: ten decisions within 10 ms, so only the first joins the list.
    const state = reduceBatch(loaded(), events);
    expect(state.decisionStream.seen).toBe(10);
    expect(state.decisionStream.entries.map((e) => e.seq)).toEqual([11]);
  });
});

describe('reduceSnapshot ring', () => {
  it('takes the ring from the snapshot, or null when it has none', () => {
    const ring = {
      algorithm: 'source-hash' as const,
      points: [
        { hash: 0, backendId: '1' },
        { hash: 1, backendId: '2' },
      ],
      clients: [],
      moved: 0,
      total: 0,
    };
    expect(reduceSnapshot(initialLabState(), snapshot({ ring })).lab.ring).toEqual(ring);
    expect(reduceSnapshot(initialLabState(), snapshot()).lab.ring).toBeNull();
    expect(reduceSnapshot(initialLabState(), snapshot({ ring: null })).lab.ring).toBeNull();
  });
});
