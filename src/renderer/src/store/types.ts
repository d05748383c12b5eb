import type {
  BackendView,
  BalancerView,
  ClientView,
  CloseReason,
  Decision,
  RingView,
  TrafficView,
} from '../../../shared/protocol';
import type { ConnectionStatus } from '../transport/types';
import type { DecisionStream } from './decisionStream';
import type { MetricsSlice } from './metrics';
import type { FailuresSlice } from './failures';

/** The Lab as last known: the snapshot plus every event folded since. */
export interface LabSlice {
  /** False until the first snapshot arrives. */
  loaded: boolean;
  /** Seq of the last applied snapshot or event; events at or below it are ignored. */
  seq: number;
  /** Lab clock (ms) of the last applied event. */
  t: number;
  balancer: BalancerView | null;
  backends: Record<string, BackendView>;
  /** Backend ids in the order they were added. */
  backendOrder: string[];
  clients: ClientView[];
  traffic: TrafficView;
  /** The hash ring/table while a hash algorithm is selected, else null. */
  ring: RingView | null;
}

/** A connection the balancer has open right now. */
export interface OpenConnection {
  connId: number;
  backendId: string;
  clientAddress: string;
  clientPort: number;
  /** Lab clock when it opened. */
  openedAt: number;
  bytesUp: number;
  bytesDown: number;
}

/** One row of the reply log: a reply exactly as received, or a failure. */
export interface LogEntry {
  msgId: number;
  clientId: string;
  /** What was sent (empty when the send happened before this view connected). */
  text: string;
  ok: boolean;
  /** The reply line exactly as received (ok rows). */
  reply: string;
  /** Why it failed (failed rows). */
  error: string;
  backendId: string | null;
  latencyMs: number | null;
  t: number;
}

/** The most recent connection close, kept for the visualiser's legend. */
export interface LastClose {
  connId: number;
  backendId: string | null;
  reason: CloseReason;
}

export type Theme = 'light' | 'dark';

/** Errors shown inline next to a form field or backend, keyed by place (e.g. "add.port", "backend:2"). */
export type FormErrors = Record<string, string>;

export interface AppError {
  id: number;
  message: string;
}

export interface UiSlice {
  theme: Theme;
  animationPaused: boolean;
  formErrors: FormErrors;
}

/** The whole renderer state (data only; actions live on the store). */
export interface LabState {
  connection: ConnectionStatus;
  lab: LabSlice;
  connections: Record<number, OpenConnection>;
  /** Newest first, at most LOG_LIMIT entries. */
  log: LogEntry[];
  /** Texts of messages sent but not yet answered, by msgId (bounded). */
  inflight: Record<number, string>;
  latestDecision: Decision | null;
  /** A sampled, readable stream of recent decisions plus their rate. */
  decisionStream: DecisionStream;
  lastClose: LastClose | null;
  errors: AppError[];
  /** Health checks, ejections and queues folded from events (see store/failures.ts). */
  failures: FailuresSlice;
  ui: UiSlice;
  /** Metrics samples (last ~5 min in ring buffers) and the newest one. */
  metrics: MetricsSlice;
}
