import type { WsClientFrame, WsHostFrame } from '../../../shared/api';
import type { Command, CommandResult, LabEvent } from '../../../shared/protocol';
import type { ConnectionStatus, LabTransport } from './types';

/** The slice of the browser WebSocket this transport uses (a fake implements it in tests). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

/** Timer functions, injectable so tests can drive reconnect backoff. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface WebSocketTransportOptions {
  url: string;
  createSocket: (url: string) => WebSocketLike;
  timers?: Timers;
  /** First reconnect delay; doubles per failed attempt up to maxBackoffMs. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Most invokes queued while the socket is still connecting. */
  maxQueued?: number;
}

const OPEN = 1;
const CONNECTION_LOST = 'connection lost';

/** Builds the `ws(s)://host/ws?token=…` address from a page location. */
export function webSocketUrlFor(location: { protocol: string; host: string; search: string }): string {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws?token=${encodeURIComponent(token)}`;
}

/** Narrow an untrusted parsed frame to a host frame; undefined when it is not one. */
export function parseHostFrame(data: unknown): WsHostFrame | undefined {
  if (typeof data !== 'string') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const frame = value as Record<string, unknown>;
  switch (frame.kind) {
    case 'result':
      if (typeof frame.id !== 'number' || typeof frame.result !== 'object' || frame.result === null) return undefined;
      return value as WsHostFrame;
    case 'events':
      return Array.isArray(frame.events) ? (value as WsHostFrame) : undefined;
    case 'error':
      return typeof frame.error === 'string' ? (value as WsHostFrame) : undefined;
    default:
      return undefined;
  }
}

/**
 * LabApi over a WebSocket: invokes are correlated by id, event batches fan out to subscribers,
 * a dropped link resolves every pending invoke as failed and reconnects with bounded backoff.
 * Nothing here throws into the caller or leaves a promise rejected.
 */
export function createWebSocketTransport(options: WebSocketTransportOptions): LabTransport {
  const timers: Timers = options.timers ?? {
    setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
    clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
  };
  const initialBackoffMs = options.initialBackoffMs ?? 250;
  const maxBackoffMs = options.maxBackoffMs ?? 5000;
  const maxQueued = options.maxQueued ?? 100;

  const subscribers = new Set<(events: LabEvent[]) => void>();
  const statusListeners = new Set<(status: ConnectionStatus) => void>();
  const errorListeners = new Set<(message: string) => void>();
  const pending = new Map<number, (result: CommandResult) => void>();
  /** Frames waiting for the socket to open. */
  let queued: string[] = [];
  let nextId = 1;
  let socket: WebSocketLike | null = null;
  let status: ConnectionStatus = 'connecting';
  let attempt = 0;
  let reconnectTimer: unknown = null;
  let stopped = false;

  function setStatus(next: ConnectionStatus): void {
    if (next === status) return;
    status = next;
    for (const listener of [...statusListeners]) safeCall(() => listener(next));
  }

  function reportError(message: string): void {
    for (const listener of [...errorListeners]) safeCall(() => listener(message));
  }

  function failPending(error: string): void {
    const resolvers = [...pending.values()];
    pending.clear();
    queued = [];
    for (const resolve of resolvers) resolve({ ok: false, error });
  }

  function handleFrame(data: unknown): void {
    const frame = parseHostFrame(data);
    if (!frame) {
      reportError('received a malformed frame from the Lab');
      return;
    }
    if (frame.kind === 'result') {
      const resolve = pending.get(frame.id);
      if (!resolve) return;
      pending.delete(frame.id);
      resolve(frame.result);
    } else if (frame.kind === 'events') {
      for (const subscriber of [...subscribers]) safeCall(() => subscriber(frame.events));
    } else {
      reportError(frame.error);
    }
  }

  function connect(): void {
    reconnectTimer = null;
    if (stopped) return;
    let ws: WebSocketLike;
    try {
      ws = options.createSocket(options.url);
    } catch (err) {
      reportError(`cannot open the connection: ${err instanceof Error ? err.message : String(err)}`);
      scheduleReconnect();
      return;
    }
    socket = ws;
    ws.onopen = () => {
      if (socket !== ws) return;
      attempt = 0;
      const frames = queued;
      queued = [];
      for (const frame of frames) trySend(ws, frame);
      setStatus('open');
    };
    ws.onmessage = (ev) => {
      if (socket === ws) handleFrame(ev.data);
    };
    // Browsers always follow 'error' with 'close'; the close handler does the work.
    ws.onerror = () => undefined;
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      failPending(CONNECTION_LOST);
      if (stopped) {
        setStatus('closed');
        return;
      }
      setStatus('reconnecting');
      scheduleReconnect();
    };
  }

  function scheduleReconnect(): void {
    if (stopped || reconnectTimer !== null) return;
    const base = Math.min(maxBackoffMs, initialBackoffMs * 2 ** attempt);
    attempt = Math.min(attempt + 1, 16);
    // A little jitter so many tabs do not reconnect in lockstep.
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    reconnectTimer = timers.setTimeout(connect, Math.min(delay, maxBackoffMs));
  }

  function trySend(ws: WebSocketLike, data: string): boolean {
    try {
      ws.send(data);
      return true;
    } catch {
      return false;
    }
  }

  connect();

  return {
    kind: 'websocket',
    invoke(command: Command): Promise<CommandResult> {
      if (stopped) return Promise.resolve({ ok: false, error: 'connection closed' });
      const ws = socket;
      if (!ws) return Promise.resolve({ ok: false, error: 'not connected' });
      const id = nextId++;
      const frame: WsClientFrame = { kind: 'invoke', id, command };
      let data: string;
      try {
        data = JSON.stringify(frame);
      } catch {
        return Promise.resolve({ ok: false, error: 'command could not be encoded' });
      }
      return new Promise<CommandResult>((resolve) => {
        if (ws.readyState === OPEN) {
          pending.set(id, resolve);
          if (!trySend(ws, data)) {
            pending.delete(id);
            resolve({ ok: false, error: CONNECTION_LOST });
          }
          return;
        }
        if (queued.length >= maxQueued) {
          resolve({ ok: false, error: 'too many commands waiting for the connection' });
          return;
        }
        pending.set(id, resolve);
        queued.push(data);
      });
    },
    subscribe(onBatch: (events: LabEvent[]) => void): () => void {
      // A wrapper so the same callback subscribed twice gets two independent subscriptions.
      const entry = (events: LabEvent[]) => onBatch(events);
      subscribers.add(entry);
      return () => {
        subscribers.delete(entry);
      };
    },
    onStatus(listener: (status: ConnectionStatus) => void): () => void {
      statusListeners.add(listener);
      safeCall(() => listener(status));
      return () => {
        statusListeners.delete(listener);
      };
    },
    onError(listener: (message: string) => void): () => void {
      errorListeners.add(listener);
      return () => {
        errorListeners.delete(listener);
      };
    },
    close(): void {
      if (stopped) return;
      stopped = true;
      if (reconnectTimer !== null) timers.clearTimeout(reconnectTimer);
      reconnectTimer = null;
      const ws = socket;
      socket = null;
      failPending('connection closed');
      if (ws) {
        try {
          ws.close();
        } catch {
          // already closing
        }
      }
      setStatus('closed');
    },
  };
}

/** A listener's exception must not break the transport's own bookkeeping. */
function safeCall(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    console.error(err);
  }
}
