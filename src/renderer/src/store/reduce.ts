import type { BackendView, LabEvent, LabSnapshot } from '../../../shared/protocol';
import { addDecision } from './decisionStream';
import { emptyFailures, foldCheck, reduceFailures } from './failures';
import type { LabSlice, LabState, LogEntry, OpenConnection } from './types';

/** The reply log keeps this many newest rows. */
export const LOG_LIMIT = 200;
/** At most this many unanswered message texts are remembered. */
export const INFLIGHT_LIMIT = 2000;
/** At most this many app-level errors are kept. */
export const ERROR_LIMIT = 5;

/** An empty Lab, before any snapshot. */
export function emptyLab(): LabSlice {
  return {
    loaded: false,
    seq: -1,
    t: 0,
    balancer: null,
    backends: {},
    backendOrder: [],
    clients: [],
    traffic: { running: false, rate: 5, text: 'hello' },
    ring: null,
  };
}

/** Replace the Lab with a snapshot. Open connections are not in snapshots, so they start empty. */
export function reduceSnapshot(state: LabState, snapshot: LabSnapshot): LabState {
  const backends: Record<string, BackendView> = {};
  const backendOrder: string[] = [];
  for (const backend of snapshot.backends) {
    if (!(backend.id in backends)) backendOrder.push(backend.id);
    backends[backend.id] = backend;
  }
  return {
    ...state,
    lab: {
      loaded: true,
      seq: snapshot.seq,
      t: snapshot.t,
      balancer: snapshot.balancer,
      backends,
      backendOrder,
      clients: snapshot.clients,
      traffic: snapshot.traffic,
      ring: snapshot.ring ?? null,
    },
    connections: {},
    inflight: {},
    failures: emptyFailures(),
  };
}

/** Events in a batch that are newer than what the state already holds, in order. */
export function acceptedEvents(state: LabState, events: readonly LabEvent[]): LabEvent[] {
  let seq = state.lab.seq;
  const accepted: LabEvent[] = [];
  for (const event of events) {
    if (event.seq <= seq) continue;
    seq = event.seq;
    accepted.push(event);
  }
  return accepted;
}

/**
 * Fold a batch of events onto the state in one pass (pure). Events at or below the state's seq are ignored,
 * so a batch that overlaps the snapshot is safe. Mutates only fresh copies made here.
 */
export function reduceBatch(state: LabState, events: readonly LabEvent[]): LabState {
  const accepted = acceptedEvents(state, events);
  if (accepted.length === 0) return state;

  const lab: LabSlice = { ...state.lab };
  let backends: Record<string, BackendView> | null = null;
  let connections: Record<number, OpenConnection> | null = null;
  let inflight: Record<number, string> | null = null;
  const newLog: LogEntry[] = [];
  let latestDecision = state.latestDecision;
  let decisionStream = state.decisionStream;
  let lastClose = state.lastClose;
  let errors = state.errors;

  const ownBackends = (): Record<string, BackendView> => (backends ??= { ...state.lab.backends });
  const ownConnections = (): Record<number, OpenConnection> => (connections ??= { ...state.connections });
  const ownInflight = (): Record<number, string> => (inflight ??= { ...state.inflight });
  const bumpBackend = (id: string | null, change: (b: BackendView) => Partial<BackendView>): void => {
    if (id === null) return;
    const map = ownBackends();
    const current = map[id];
    if (current) map[id] = { ...current, ...change(current) };
  };
  const takeText = (msgId: number): string => {
    const map = ownInflight();
    const text = map[msgId] ?? '';
    delete map[msgId];
    return text;
  };

  for (const event of accepted) {
    lab.seq = event.seq;
    lab.t = event.t;
    switch (event.type) {
      case 'backend.state': {
        const map = ownBackends();
        if (!(event.backend.id in map)) lab.backendOrder = [...lab.backendOrder, event.backend.id];
        map[event.backend.id] = event.backend;
        break;
      }
      case 'backend.removed': {
        const map = ownBackends();
        delete map[event.backendId];
        lab.backendOrder = lab.backendOrder.filter((id) => id !== event.backendId);
        break;
      }
      case 'balancer.state':
        lab.balancer = event.balancer;
        break;
      case 'traffic.state':
        lab.traffic = event.traffic;
        break;
      case 'balancer.ring':
        lab.ring = event.ring;
        break;
      case 'conn.opened': {
        ownConnections()[event.connId] = {
          connId: event.connId,
          backendId: event.backendId,
          clientAddress: event.clientAddress,
          clientPort: event.clientPort,
          openedAt: event.t,
          bytesUp: 0,
          bytesDown: 0,
        };
        latestDecision = event.decision;
        decisionStream = addDecision(decisionStream, event.decision, event.t, event.seq);
        bumpBackend(event.backendId, (b) => ({
          activeConnections: b.activeConnections + 1,
          totalConnections: b.totalConnections + 1,
        }));
        if (lab.balancer) {
          lab.balancer = {
            ...lab.balancer,
            activeConnections: lab.balancer.activeConnections + 1,
            totalConnections: lab.balancer.totalConnections + 1,
          };
        }
        break;
      }
      case 'conn.retry':
        break;
      case 'conn.bytes': {
        const map = ownConnections();
        const conn = map[event.connId];
        if (conn)
          map[event.connId] = { ...conn, bytesUp: conn.bytesUp + event.up, bytesDown: conn.bytesDown + event.down };
        break;
      }
      case 'conn.closed': {
        const map = ownConnections();
        const known = event.connId in map;
        delete map[event.connId];
        // A connection opened before our snapshot is not in the map but is in the snapshot's counts;
        // one that never reached a backend ('no-backend') was never counted as active.
        const wasActive = known || (event.backendId !== null && event.reason !== 'no-backend');
        if (wasActive) {
          bumpBackend(event.backendId, (b) => ({ activeConnections: Math.max(0, b.activeConnections - 1) }));
        }
        if (lab.balancer) {
          lab.balancer = {
            ...lab.balancer,
            activeConnections: wasActive
              ? Math.max(0, lab.balancer.activeConnections - 1)
              : lab.balancer.activeConnections,
            failedConnections: lab.balancer.failedConnections + (event.reason === 'no-backend' ? 1 : 0),
          };
        }
        lastClose = { connId: event.connId, backendId: event.backendId, reason: event.reason };
        break;
      }
      case 'message.sent': {
        const map = ownInflight();
        map[event.msgId] = event.text;
        break;
      }
      case 'message.replied':
        newLog.push({
          msgId: event.msgId,
          clientId: event.clientId,
          text: takeText(event.msgId),
          ok: true,
          reply: event.reply,
          error: '',
          backendId: event.backendId,
          latencyMs: event.latencyMs,
          t: event.t,
        });
        // messagesServed is the backend's own count, carried by backend.state: the backend counts a reply
        // before the client sees it, so bumping here as well would count it twice.
        break;
      case 'message.failed':
        newLog.push({
          msgId: event.msgId,
          clientId: event.clientId,
          text: takeText(event.msgId),
          ok: false,
          reply: '',
          error: event.error,
          backendId: event.backendId,
          latencyMs: null,
          t: event.t,
        });
        break;
      case 'error':
        errors = appendError(errors, event.message);
        break;
      // Failure handling and metrics events: folded by their own slices (to be added).
      case 'health.check':
        // backend.state carries health only on transitions; the counters and last result move with each check.
        bumpBackend(event.backendId, (b) => (b.health ? { health: foldCheck(b.health, event, b.health.check) } : {}));
        break;
      case 'backend.ejected':
      case 'conn.queued':
      case 'conn.dequeued':
      case 'metrics':
        break;
      default: {
        // Fails to compile when the protocol grows an event this reducer does not handle.
        const unhandled: never = event;
        void unhandled;
      }
    }
  }

  if (backends) lab.backends = backends;
  if (inflight) inflight = trimInflight(inflight);

  return {
    ...state,
    lab,
    connections: connections ?? state.connections,
    inflight: inflight ?? state.inflight,
    log: newLog.length ? mergeLog(newLog, state.log) : state.log,
    latestDecision,
    decisionStream,
    lastClose,
    errors,
    failures: reduceFailures(state.failures, accepted, lab.backends),
  };
}

/** Newest first, capped: `fresh` is in arrival order (oldest first). */
function mergeLog(fresh: LogEntry[], log: LogEntry[]): LogEntry[] {
  const merged: LogEntry[] = [];
  for (let i = fresh.length - 1; i >= 0 && merged.length < LOG_LIMIT; i--) merged.push(fresh[i] as LogEntry);
  for (let i = 0; i < log.length && merged.length < LOG_LIMIT; i++) merged.push(log[i] as LogEntry);
  return merged;
}

/** Drop the oldest unanswered texts (lowest msgIds) when too many pile up, e.g. a dead link. */
function trimInflight(map: Record<number, string>): Record<number, string> {
  const ids = Object.keys(map);
  if (ids.length <= INFLIGHT_LIMIT) return map;
  // Integer keys enumerate in ascending order, so the first ones are the oldest.
  for (const id of ids.slice(0, ids.length - INFLIGHT_LIMIT)) delete map[Number(id)];
  return map;
}

let nextErrorId = 1;

/** Append an app-level error, keeping the newest few. */
export function appendError(errors: LabState['errors'], message: string): LabState['errors'] {
  return [...errors, { id: nextErrorId++, message }].slice(-ERROR_LIMIT);
}
