import type { BackendView, HealthCheck, HealthView, LabEvent } from '../../../shared/protocol';

/** A passive ejection as the backend.ejected event announced it. */
export interface EjectionInfo {
  untilT: number;
  count: number;
  reason: string;
}

/**
 * What health checks, ejections and queues look like when folded from events alone. The backend.state
 * view wins whenever it carries the same field (see the `*Of` selectors below); this slice fills the gap
 * for engines that only emit the events.
 */
export interface FailuresSlice {
  /** Health derived from health.check events, by backend id. */
  health: Record<string, HealthView>;
  /** Latest ejection per backend (may already be over: compare untilT with the Lab clock). */
  ejections: Record<string, EjectionInfo>;
  /** Connections waiting in each backend's queue, oldest first. */
  queues: Record<string, number[]>;
  /** Recent dequeues that timed out (for a red fade), newest last, bounded. */
  queueTimeouts: { backendId: string; connId: number; t: number }[];
}

/** History kept per backend (the engine keeps 20). */
export const HEALTH_HISTORY_LIMIT = 20;
/** Queue entries kept per backend; a queue longer than this is counted by the engine's queueLength. */
const QUEUE_LIMIT = 1000;
const QUEUE_TIMEOUT_LIMIT = 50;

/** The check settings assumed before any backend.state says otherwise (the engine's defaults). */
const ASSUMED_CHECK: HealthCheck = { enabled: true, intervalMs: 1000, timeoutMs: 1000, rise: 2, fall: 2 };

/** An empty slice. */
export function emptyFailures(): FailuresSlice {
  return { health: {}, ejections: {}, queues: {}, queueTimeouts: [] };
}

/**
 * Fold events onto the failures slice (pure; returns the same object when nothing changed).
 * `backends` is the backend map after the batch, used for check settings when health is derived.
 */
export function reduceFailures(
  slice: FailuresSlice,
  events: readonly LabEvent[],
  backends: Readonly<Record<string, BackendView>>,
): FailuresSlice {
  let health: Record<string, HealthView> | null = null;
  let ejections: Record<string, EjectionInfo> | null = null;
  let queues: Record<string, number[]> | null = null;
  let queueTimeouts: FailuresSlice['queueTimeouts'] | null = null;
  const ownHealth = (): Record<string, HealthView> => (health ??= { ...slice.health });
  const ownEjections = (): Record<string, EjectionInfo> => (ejections ??= { ...slice.ejections });
  const ownQueues = (): Record<string, number[]> => (queues ??= { ...slice.queues });

  for (const event of events) {
    switch (event.type) {
      case 'health.check': {
        const map = ownHealth();
        map[event.backendId] = foldCheck(
          map[event.backendId],
          event,
          backends[event.backendId]?.health?.check ?? ASSUMED_CHECK,
        );
        break;
      }
      case 'backend.ejected':
        ownEjections()[event.backendId] = { untilT: event.untilT, count: event.count, reason: event.reason };
        break;
      case 'conn.queued': {
        const map = ownQueues();
        const queue = (map[event.backendId] ?? []).filter((id) => id !== event.connId);
        queue.push(event.connId);
        map[event.backendId] = queue.length > QUEUE_LIMIT ? queue.slice(-QUEUE_LIMIT) : queue;
        break;
      }
      case 'conn.dequeued': {
        const map = ownQueues();
        const queue = map[event.backendId];
        if (queue) map[event.backendId] = queue.filter((id) => id !== event.connId);
        if (event.outcome === 'timeout') {
          queueTimeouts = [
            ...(queueTimeouts ?? slice.queueTimeouts),
            { backendId: event.backendId, connId: event.connId, t: event.t },
          ].slice(-QUEUE_TIMEOUT_LIMIT);
        }
        break;
      }
      case 'conn.closed': {
        // A queued connection whose client gave up leaves the queue without a dequeue event.
        if (!queues && !Object.values(slice.queues).some((q) => q.includes(event.connId))) break;
        const map = ownQueues();
        for (const [id, queue] of Object.entries(map)) {
          if (queue.includes(event.connId)) map[id] = queue.filter((c) => c !== event.connId);
        }
        break;
      }
      case 'backend.removed': {
        if (event.backendId in slice.health || health) delete ownHealth()[event.backendId];
        if (event.backendId in slice.ejections || ejections) delete ownEjections()[event.backendId];
        if (event.backendId in slice.queues || queues) delete ownQueues()[event.backendId];
        break;
      }
      default:
        break;
    }
  }

  if (!health && !ejections && !queues && !queueTimeouts) return slice;
  return {
    health: health ?? slice.health,
    ejections: ejections ?? slice.ejections,
    queues: queues ?? slice.queues,
    queueTimeouts: queueTimeouts ?? slice.queueTimeouts,
  };
}

type CheckEvent = Extract<LabEvent, { type: 'health.check' }>;

/** One check result onto a derived health view: counters for rise/fall, a transition when status moves. */
export function foldCheck(previous: HealthView | undefined, event: CheckEvent, check: HealthCheck): HealthView {
  const prev: HealthView = previous ?? { status: 'unknown', check, successes: 0, failures: 0, history: [] };
  const successes = event.ok ? prev.successes + 1 : 0;
  const failures = event.ok ? 0 : prev.failures + 1;
  let history = prev.history;
  if (event.status !== prev.status) {
    const reason = event.ok
      ? `${successes} check${successes === 1 ? '' : 's'} passed`
      : `check failed: ${event.error ?? 'no answer'}`;
    history = [...history, { t: event.t, status: event.status, reason }].slice(-HEALTH_HISTORY_LIMIT);
  }
  return {
    status: event.status,
    check,
    successes,
    failures,
    last: { t: event.t, ok: event.ok, ms: event.ms, ...(event.error !== undefined ? { error: event.error } : {}) },
    history,
  };
}

/** A backend's health: the backend.state view when the engine sends it, else what the checks implied. */
export function healthOf(backend: BackendView, failures: FailuresSlice): HealthView | null {
  return backend.health ?? failures.health[backend.id] ?? null;
}

/** The ejection in force at Lab time `now`, or null. backend.state is the source of truth when it has the field. */
export function ejectionOf(backend: BackendView, failures: FailuresSlice, now: number): EjectionInfo | null {
  if (backend.ejection !== undefined) {
    if (backend.ejection === null || backend.ejection.untilT <= now) return null;
    const reason = failures.ejections[backend.id]?.reason ?? '';
    return { ...backend.ejection, reason };
  }
  const derived = failures.ejections[backend.id];
  return derived && derived.untilT > now ? derived : null;
}

/** Connections waiting for a slot on this backend. */
export function queueLengthOf(backend: BackendView, failures: FailuresSlice): number {
  return backend.queueLength ?? failures.queues[backend.id]?.length ?? 0;
}

/** Whole seconds left (rounded up) between `now` and `untilT`, never negative. */
export function secondsLeft(untilT: number, now: number): number {
  return Math.max(0, Math.ceil((untilT - now) / 1000));
}
