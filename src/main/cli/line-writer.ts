/**
 * Buffered line output for high event rates: lines are joined into one write per event-loop turn,
 * stdout backpressure is respected (wait for 'drain'), and the backlog is bounded (excess lines are
 * dropped and counted, so a stalled reader cannot grow the balancer's memory without limit).
 */

/** The part of a Writable the writer needs (process.stdout in production, a fake in tests). */
export interface LineSink {
  write(chunk: string): boolean;
  once(event: 'drain', listener: () => void): unknown;
  off?(event: 'drain', listener: () => void): unknown;
}

/** Options for {@link LineWriter}. */
export interface LineWriterOptions {
  /** Lines kept while the sink is not draining; beyond this, lines are dropped. */
  maxPendingLines?: number;
  /** Told how many lines were dropped once the sink drains again. */
  onDropped?: (count: number) => void;
  /** Defers a flush; setImmediate by default (one write per event-loop turn). */
  schedule?: (flush: () => void) => void;
}

/** Writes lines to a sink, coalesced per tick, with bounded buffering under backpressure. */
export class LineWriter {
  private pending: string[] = [];
  private scheduled = false;
  private waitingForDrain = false;
  private dropped = 0;
  private closed = false;
  private readonly maxPending: number;
  private readonly schedule: (flush: () => void) => void;
  private readonly drainWaiters: Array<() => void> = [];

  constructor(
    private readonly sink: LineSink,
    private readonly options: LineWriterOptions = {},
  ) {
    this.maxPending = options.maxPendingLines ?? 50_000;
    this.schedule = options.schedule ?? ((flush) => setImmediate(flush));
  }

  /** Queue one line (without its trailing newline). */
  push(line: string): void {
    if (this.closed) return;
    if (this.pending.length >= this.maxPending) {
      this.dropped++;
      return;
    }
    this.pending.push(line);
    if (!this.scheduled && !this.waitingForDrain) {
      this.scheduled = true;
      this.schedule(this.flush);
    }
  }

  /** Lines waiting to be written. */
  get pendingLines(): number {
    return this.pending.length;
  }

  /** Write everything pending now, unless the sink asked us to wait. */
  readonly flush = (): void => {
    this.scheduled = false;
    if (this.waitingForDrain || this.pending.length === 0) return;
    const chunk = this.pending.join('\n') + '\n';
    this.pending = [];
    if (!this.sink.write(chunk)) {
      this.waitingForDrain = true;
      this.sink.once('drain', this.onDrain);
    }
  };

  private readonly onDrain = (): void => {
    this.waitingForDrain = false;
    if (this.dropped > 0) {
      const count = this.dropped;
      this.dropped = 0;
      this.options.onDropped?.(count);
    }
    this.flush();
    if (!this.waitingForDrain) for (const resolve of this.drainWaiters.splice(0)) resolve();
  };

  /** Flush what is pending and resolve once the sink has taken it (or after `timeoutMs`). Later pushes are ignored. */
  close(timeoutMs = 2000): Promise<void> {
    this.flush();
    this.closed = true;
    if (!this.waitingForDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      timer.unref?.();
      this.drainWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
