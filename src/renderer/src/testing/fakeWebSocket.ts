import type { WsClientFrame, WsHostFrame } from '../../../shared/api';
import type { Timers, WebSocketLike } from '../transport/websocket';

/** A scriptable WebSocket: tests open/close it and push host frames. */
export class FakeWebSocket implements WebSocketLike {
  static instances: FakeWebSocket[] = [];
  readyState = 0;
  sent: WsClientFrame[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;

  constructor(readonly url: string) {
    FakeWebSocket.instances.push(this);
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(JSON.parse(data) as WsClientFrame);
  }

  close(): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({});
  }

  /** Host side: the connection opens. */
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  /** Host side: send a frame. */
  deliver(frame: WsHostFrame | string): void {
    this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }

  /** Host side: the link drops. */
  drop(): void {
    this.onerror?.({});
    this.close();
  }

  static last(): FakeWebSocket {
    const ws = FakeWebSocket.instances.at(-1);
    if (!ws) throw new Error('no socket created');
    return ws;
  }
}

/** Timers that only fire when the test says so. */
export class ManualTimers implements Timers {
  private next = 1;
  readonly scheduled = new Map<number, { fn: () => void; ms: number }>();

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.scheduled.set(id, { fn, ms });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.scheduled.delete(handle as number);
  }

  /** Run every pending timer once; returns their delays. */
  runAll(): number[] {
    const entries = [...this.scheduled.entries()];
    this.scheduled.clear();
    for (const [, entry] of entries) entry.fn();
    return entries.map(([, e]) => e.ms);
  }
}
