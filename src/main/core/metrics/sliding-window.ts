import type { LatencySummary } from '../../../shared/protocol';
import { LogHistogram } from './histogram';

interface Slot {
  /** Which slot-long interval of the clock this slot holds (floor(t / slotMs)); -1 = unused. */
  index: number;
  histogram: LogHistogram;
  messages: number;
}

/**
 * Latencies and message counts over the last `windowMs`, kept as a ring of slot-long histograms
 * (default 10 × 1 s): recording is O(1), old data falls out as the clock moves on, and a summary merges
 * at most windowMs / slotMs histograms. Time comes from the caller (the Lab clock), so tests can step it.
 */
export class SlidingWindow {
  private readonly slots: Slot[];
  private readonly merged = new LogHistogram();

  constructor(
    readonly windowMs = 10_000,
    readonly slotMs = 1000,
    /** Clock time the window started counting; rates over a younger window divide by its real age. */
    private readonly startT = 0,
  ) {
    const count = Math.max(1, Math.round(windowMs / slotMs));
    this.slots = Array.from({ length: count }, () => ({ index: -1, histogram: new LogHistogram(), messages: 0 }));
  }

  /** One replied message at clock time t with its latency (ms). */
  record(t: number, latencyMs: number): void {
    const slot = this.slotFor(t);
    slot.histogram.record(latencyMs);
    slot.messages++;
  }

  /** True when any message falls inside the window ending at `now`. */
  hasData(now: number): boolean {
    const current = Math.floor(now / this.slotMs);
    return this.slots.some((s) => s.messages > 0 && this.live(s, current));
  }

  /** Percentiles and messages per second over the window ending at `now`. */
  summary(now: number): { latency: LatencySummary; messagesPerSecond: number } {
    const current = Math.floor(now / this.slotMs);
    this.merged.clear();
    let messages = 0;
    for (const slot of this.slots) {
      if (!this.live(slot, current)) continue;
      this.merged.add(slot.histogram);
      messages += slot.messages;
    }
    const [p50, p95, p99] = this.merged.quantiles([0.5, 0.95, 0.99]);
    const windowStart = (current - this.slots.length + 1) * this.slotMs;
    const spanMs = Math.max(250, now - Math.max(windowStart, this.startT));
    return {
      latency: { p50: p50 ?? null, p95: p95 ?? null, p99: p99 ?? null, count: this.merged.count },
      messagesPerSecond: (messages * 1000) / spanMs,
    };
  }

  private live(slot: Slot, current: number): boolean {
    return slot.index > current - this.slots.length && slot.index <= current;
  }

  private slotFor(t: number): Slot {
    const index = Math.floor(t / this.slotMs);
    const slot = this.slots[((index % this.slots.length) + this.slots.length) % this.slots.length]!;
    if (slot.index !== index) {
      slot.index = index;
      slot.histogram.clear();
      slot.messages = 0;
    }
    return slot;
  }
}
