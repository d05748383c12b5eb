import type { BackendView, Decision, LabEvent, LabSnapshot } from '../../../shared/protocol';

/** Test helpers: a small Lab snapshot and event builders. */
export function backend(id: string, port: number, overrides: Partial<BackendView> = {}): BackendView {
  return {
    id,
    host: '127.0.0.1',
    port,
    managed: true,
    state: 'up',
    weight: 1,
    delayMs: 0,
    activeConnections: 0,
    totalConnections: 0,
    messagesServed: 0,
    ...overrides,
  };
}

export function snapshot(overrides: Partial<LabSnapshot> = {}): LabSnapshot {
  return {
    seq: 10,
    t: 1000,
    balancer: {
      host: '127.0.0.1',
      port: 5000,
      listening: true,
      algorithm: 'round-robin',
      activeConnections: 0,
      totalConnections: 0,
      failedConnections: 0,
    },
    backends: [backend('1', 5001), backend('2', 5002)],
    clients: [{ id: 'c1', sourceAddress: '127.0.0.2' }],
    traffic: { running: false, rate: 5, text: 'hello' },
    ...overrides,
  };
}

export function decision(backendId: string): Decision {
  return { algorithm: 'round-robin', backendId, reason: `next in turn: ${backendId}`, candidates: [] };
}

type Body<T extends LabEvent['type']> = Omit<Extract<LabEvent, { type: T }>, 'seq' | 't' | 'type'>;

/** Build an event with seq and t. */
export function ev<T extends LabEvent['type']>(seq: number, type: T, body: Body<T>): LabEvent {
  return { seq, t: 1000 + seq, type, ...body } as unknown as LabEvent;
}
