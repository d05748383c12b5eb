import type { BackendView, LabEvent, MetricsRow, MetricsSample, TrafficCounters } from '../../../shared/protocol';
import { SlidingWindow } from './sliding-window';

/** Default sliding window for rates and percentiles. */
export const METRICS_WINDOW_MS = 10_000;

type ErrorKind = keyof MetricsRow['errors'];

interface RowState {
  current: number;
  max: number;
  total: number;
  bytesIn: number;
  bytesOut: number;
  messagesTotal: number;
  errors: MetricsRow['errors'];
  retries: number;
  window: SlidingWindow;
}

interface OpenConn {
  backendId: string;
  /** Bytes already counted from conn.bytes deltas; conn.closed adds only the rest. */
  up: number;
  down: number;
}

/** A connect error text (conn.retry) as an error kind. */
export function retryErrorKind(error: string): ErrorKind {
  if (/time ?out|timed out/i.test(error)) return 'timeout';
  if (/reset/i.test(error)) return 'reset';
  return 'refused';
}

/** A close reason as an error kind, or null when the close is not an error. */
export function closeErrorKind(reason: string): ErrorKind | null {
  switch (reason) {
    case 'backend-reset':
    case 'client-reset':
    case 'fault-reset':
      return 'reset';
    case 'idle-timeout':
    case 'queue-timeout':
      return 'timeout';
    case 'no-backend':
      return 'refused';
    default:
      return null;
  }
}

/**
 * HAProxy-style counters per backend and for the whole balancer, folded from the Lab's own events
 * (conn.opened/retry/bytes/closed, message.replied): what the UI charts and `lab.metrics()` returns.
 * Time comes from the events (the Lab clock), so sliding windows can be tested with a stepped clock.
 */
export class MetricsCollector {
  private readonly rows = new Map<string, RowState>();
  private readonly all: RowState;
  private readonly open = new Map<number, OpenConn>();

  constructor(
    private readonly windowMs = METRICS_WINDOW_MS,
    private readonly startT = 0,
  ) {
    this.all = this.newRow();
  }

  /** Fold one event in; returns true when it changed anything a sample shows. */
  observe(event: LabEvent): boolean {
    switch (event.type) {
      case 'conn.opened': {
        const row = this.row(event.backendId);
        row.current++;
        row.total++;
        if (row.current > row.max) row.max = row.current;
        this.all.current++;
        this.all.total++;
        if (this.all.current > this.all.max) this.all.max = this.all.current;
        this.open.set(event.connId, { backendId: event.backendId, up: 0, down: 0 });
        return true;
      }
      case 'conn.retry': {
        const row = this.row(event.backendId);
        const kind = retryErrorKind(event.error);
        row.errors[kind]++;
        row.retries++;
        this.all.errors[kind]++;
        this.all.retries++;
        return true;
      }
      case 'conn.bytes': {
        const conn = this.open.get(event.connId);
        if (!conn) return false;
        conn.up += event.up;
        conn.down += event.down;
        this.addBytes(conn.backendId, event.up, event.down);
        return true;
      }
      case 'conn.closed': {
        const conn = this.open.get(event.connId);
        this.open.delete(event.connId);
        const kind = closeErrorKind(event.reason);
        if (kind) this.all.errors[kind]++;
        if (!conn) {
          // Never reached a backend: nothing per backend, but the balancer saw its bytes (if any).
          this.all.bytesIn += event.bytesUp;
          this.all.bytesOut += event.bytesDown;
          return true;
        }
        this.addBytes(conn.backendId, event.bytesUp - conn.up, event.bytesDown - conn.down);
        this.all.current--;
        const row = this.rows.get(conn.backendId);
        if (row) {
          row.current--;
          if (kind && kind !== 'refused') row.errors[kind]++;
        }
        return true;
      }
      case 'message.replied': {
        this.all.messagesTotal++;
        this.all.window.record(event.t, event.latencyMs);
        if (event.backendId !== null) {
          const row = this.row(event.backendId);
          row.messagesTotal++;
          row.window.record(event.t, event.latencyMs);
        }
        return true;
      }
      case 'backend.removed':
        this.rows.delete(event.backendId);
        return true;
      case 'backend.state':
      case 'message.failed':
        return true;
      default:
        return false;
    }
  }

  /** True while a window still holds messages at `now` (rates are still decaying). */
  hasRecentData(now: number): boolean {
    return this.all.window.hasData(now);
  }

  /** A sample at `now` for the given backends (in their order); the balancer row's current/total may be overridden. */
  sample(
    now: number,
    backends: readonly BackendView[],
    balancer?: { current: number; total: number },
    traffic?: TrafficCounters,
  ): MetricsSample {
    let queue = 0;
    const rows = backends.map((b) => {
      queue += b.queueLength ?? 0;
      return this.toRow(b.id, this.row(b.id), now, b.queueLength ?? 0);
    });
    const total = this.toRow(null, this.all, now, queue);
    if (balancer) {
      total.current = balancer.current;
      total.total = balancer.total;
      total.max = Math.max(total.max, balancer.current);
    }
    const sample: MetricsSample = { t: now, windowMs: this.windowMs, balancer: total, backends: rows };
    if (traffic) sample.traffic = { ...traffic };
    return sample;
  }

  private addBytes(backendId: string, up: number, down: number): void {
    const row = this.rows.get(backendId);
    if (row) {
      row.bytesIn += up;
      row.bytesOut += down;
    }
    this.all.bytesIn += up;
    this.all.bytesOut += down;
  }

  private toRow(backendId: string | null, state: RowState, now: number, queue: number): MetricsRow {
    const { latency, messagesPerSecond } = state.window.summary(now);
    return {
      backendId,
      current: state.current,
      max: state.max,
      total: state.total,
      bytesIn: state.bytesIn,
      bytesOut: state.bytesOut,
      messagesPerSecond,
      messagesTotal: state.messagesTotal,
      errors: { ...state.errors },
      retries: state.retries,
      queue,
      latency,
    };
  }

  private row(backendId: string): RowState {
    let row = this.rows.get(backendId);
    if (!row) {
      row = this.newRow();
      this.rows.set(backendId, row);
    }
    return row;
  }

  private newRow(): RowState {
    return {
      current: 0,
      max: 0,
      total: 0,
      bytesIn: 0,
      bytesOut: 0,
      messagesTotal: 0,
      errors: { refused: 0, reset: 0, timeout: 0 },
      retries: 0,
      window: new SlidingWindow(this.windowMs, 1000, this.startT),
    };
  }
}
