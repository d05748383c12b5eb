import type { LabEvent } from '../../shared/protocol';

/** Anything that emits Lab events (the Lab itself, or a fake in tests). */
export interface LabEventSource {
  onEvent(listener: (event: LabEvent) => void): () => void;
}

/** What a delivered batch left out, so a host can say so. */
export interface BatchInfo {
  /** message.sent / message.replied events dropped because the batch was over its cap. */
  dropped: number;
}

/** Receives one coalesced batch; never called with an empty list. */
export type BatchListener = (events: LabEvent[], info: BatchInfo) => void;

/** Tuning knobs; the defaults suit a 60 Hz renderer. */
export interface EventBatcherOptions {
  /** How long the first event of a batch waits for company, in ms. */
  intervalMs?: number;
  /** Events per batch beyond which per-message events are dropped (structural ones are always kept). */
  maxBatch?: number;
}

export const DEFAULT_BATCH_INTERVAL_MS = 16;
export const DEFAULT_MAX_BATCH = 5_000;

/** Per-message events: numerous, and the only ones a UI can lose without drawing a wrong picture. */
export function isSheddable(event: LabEvent): boolean {
  return event.type === 'message.sent' || event.type === 'message.replied';
}

type BytesEvent = Extract<LabEvent, { type: 'conn.bytes' }>;

/**
 * Coalesces a Lab's events into one batch per frame.
 *
 * - The first event of a batch arms a timer; an idle Lab costs nothing.
 * - `conn.bytes` events for the same connection within a batch merge into one (up/down summed); the merged
 *   event keeps the position, seq and t of the first one so the batch stays in seq order.
 * - Cap policy: once a batch holds `maxBatch` events, further message.sent / message.replied events are
 *   dropped and counted (reported through `BatchInfo.dropped`), while structural events (connections,
 *   backends, balancer, traffic, message.failed, errors, bytes) are always kept, because losing one would
 *   leave the UI's picture of the Lab wrong until the next snapshot. We drop rather than split because a
 *   renderer that cannot keep up with 5,000 events per frame would only fall further behind with more batches.
 */
export class EventBatcher {
  private readonly intervalMs: number;
  private readonly maxBatch: number;
  private readonly unsubscribe: () => void;
  private batch: LabEvent[] = [];
  /** Index in `batch` of this batch's merged conn.bytes event per connection. */
  private bytesIndex = new Map<number, number>();
  private dropped = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;

  constructor(source: LabEventSource, private readonly deliver: BatchListener, options: EventBatcherOptions = {}) {
    this.intervalMs = options.intervalMs ?? DEFAULT_BATCH_INTERVAL_MS;
    this.maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
    this.unsubscribe = source.onEvent((event) => this.push(event));
  }

  /** Deliver whatever is pending now (e.g. before closing a transport). */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.batch.length === 0 && this.dropped === 0) return;
    const events = this.batch;
    const info: BatchInfo = { dropped: this.dropped };
    this.batch = [];
    this.bytesIndex = new Map();
    this.dropped = 0;
    // A batch made only of drops has nothing to draw; the count is lost with it on purpose (it can't happen
    // unless the cap is 0, which only tests use).
    if (events.length > 0) this.deliver(events, info);
  }

  /** Stop listening and drop anything pending; safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.unsubscribe();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.batch = [];
    this.bytesIndex.clear();
  }

  private push(event: LabEvent): void {
    if (this.disposed) return;
    if (event.type === 'conn.bytes' && this.mergeBytes(event)) return;
    if (this.batch.length >= this.maxBatch && isSheddable(event)) {
      this.dropped++;
    } else if (event.type === 'conn.bytes') {
      // A copy: the Lab hands the same object to every listener, and merging mutates ours.
      this.bytesIndex.set(event.connId, this.batch.length);
      this.batch.push({ ...event });
    } else {
      this.batch.push(event);
    }
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flush();
      }, this.intervalMs);
      // A pending frame must not keep a CLI process alive on its own.
      this.timer.unref?.();
    }
  }

  private mergeBytes(event: BytesEvent): boolean {
    const index = this.bytesIndex.get(event.connId);
    if (index === undefined) return false;
    const merged = this.batch[index] as BytesEvent;
    merged.up += event.up;
    merged.down += event.down;
    return true;
  }
}
