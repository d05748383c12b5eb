import type { LabEvent } from '../../../shared/protocol';

/** The event types the visualiser animates. */
export const MOTION_TYPES: ReadonlySet<LabEvent['type']> = new Set([
  'message.sent',
  'message.replied',
  'message.failed',
  'conn.opened',
  'conn.bytes',
  'conn.closed',
  'backend.removed',
  // Failure handling: check pulses, retry bounces, queue dots (canvas/failureScene.ts).
  'health.check',
  'conn.retry',
  'conn.queued',
  'conn.dequeued',
  'backend.ejected',
]);

/**
 * A bounded FIFO of animation-worthy events, outside React state: the store pushes, the canvas drains once
 * per frame. When the canvas falls behind (tab hidden, paused) the oldest entries are dropped.
 */
export class MotionQueue {
  private buffer: LabEvent[] = [];
  private head = 0;
  /** Events dropped because the queue was full. */
  dropped = 0;

  constructor(readonly capacity = 8192) {}

  /** Queue the motion-worthy events of an applied batch. */
  push(events: readonly LabEvent[]): void {
    for (const event of events) {
      if (!MOTION_TYPES.has(event.type)) continue;
      this.buffer.push(event);
    }
    const size = this.buffer.length - this.head;
    if (size > this.capacity) {
      const excess = size - this.capacity;
      this.head += excess;
      this.dropped += excess;
    }
    // Compact occasionally so the array does not grow without bound.
    if (this.head > 4096 && this.head * 2 > this.buffer.length) {
      this.buffer = this.buffer.slice(this.head);
      this.head = 0;
    }
  }

  /** Everything queued since the last drain, oldest first. */
  drain(): LabEvent[] {
    const out = this.head === 0 ? this.buffer : this.buffer.slice(this.head);
    this.buffer = [];
    this.head = 0;
    return out;
  }

  get size(): number {
    return this.buffer.length - this.head;
  }

  clear(): void {
    this.buffer = [];
    this.head = 0;
  }
}

/** The app's one motion queue. */
export const motionQueue = new MotionQueue();
