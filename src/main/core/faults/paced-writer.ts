import type { Socket } from 'node:net';
import type { FaultSettings } from '../policy-defaults';
import { faultDelayMs } from './settings';

interface Pending {
  chunk: Buffer;
  offset: number;
  dueAt: number;
}

/** Bytes a writer may send at once: 50 ms worth of the cap, at least 1 KiB. */
function burstBytes(bytesPerSecond: number): number {
  return Math.max(1024, Math.floor(bytesPerSecond / 20));
}

/**
 * Writes chunks to a socket late and/or slowly, in order: each chunk waits latency + jitter (never
 * overtaking the one before), then leaves through a token bucket when a bandwidth cap is set, and
 * stops while the socket's buffer is full (backpressure). end() sends FIN after the last chunk,
 * optionally delayed (slow close). Settings are read live, so a change applies to the next chunk.
 */
export class PacedWriter {
  private readonly queue: Pending[] = [];
  private head = 0;
  private queuedBytes = 0;
  private lastDueAt = 0;
  private tokens = 0;
  private tokensAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private waitingDrain = false;
  private ending = false;
  private endDelayMs = 0;
  private finished = false;
  private destroyed = false;

  constructor(
    private readonly dest: Socket,
    private readonly settings: () => FaultSettings,
    private readonly random: () => number,
    /** Called after the backlog changed, so the source can pause or resume. */
    private readonly onBacklog: (queuedBytes: number) => void = () => undefined,
  ) {}

  /** Bytes accepted but not yet handed to the socket. */
  get backlog(): number {
    return this.queuedBytes;
  }

  /** Queue one chunk. */
  write(chunk: Buffer): void {
    if (this.destroyed || this.ending) return;
    const f = this.settings();
    const now = performance.now();
    if (
      this.queuedBytes === 0 &&
      !this.waitingDrain &&
      f.latencyMs === 0 &&
      f.jitterMs === 0 &&
      f.bandwidthKBps === 0
    ) {
      this.lastDueAt = now;
      if (!this.dest.destroyed && !this.dest.write(chunk)) this.awaitDrain();
      return;
    }
    const dueAt = Math.max(now + faultDelayMs(f, this.random), this.lastDueAt);
    this.lastDueAt = dueAt;
    this.queue.push({ chunk, offset: 0, dueAt });
    this.queuedBytes += chunk.length;
    this.onBacklog(this.queuedBytes);
    this.pump();
  }

  /** FIN after everything queued has left, then wait delayMs more before sending it. */
  end(delayMs = 0): void {
    if (this.destroyed || this.ending) return;
    this.ending = true;
    this.endDelayMs = delayMs;
    this.pump();
  }

  /** Drop everything queued and stop all timers. */
  destroy(): void {
    this.destroyed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.dest.removeListener('drain', this.onDrain);
    this.queue.length = 0;
    this.head = 0;
    this.queuedBytes = 0;
  }

  private awaitDrain(): void {
    this.waitingDrain = true;
    this.dest.once('drain', this.onDrain);
  }

  private readonly onDrain = (): void => {
    this.waitingDrain = false;
    this.pump();
  };

  private readonly onTimer = (): void => {
    this.timer = null;
    if (this.ending && this.head >= this.queue.length && this.queuedBytes === 0) {
      this.finishNow();
      return;
    }
    this.pump();
  };

  private schedule(ms: number): void {
    this.timer = setTimeout(this.onTimer, Math.max(1, Math.ceil(ms)));
  }

  private pump(): void {
    if (this.destroyed || this.waitingDrain || this.timer || this.finished) return;
    while (this.head < this.queue.length) {
      const item = this.queue[this.head]!;
      const now = performance.now();
      if (item.dueAt > now + 0.5) {
        this.schedule(item.dueAt - now);
        return;
      }
      let n = item.chunk.length - item.offset;
      const rate = this.settings().bandwidthKBps * 1024;
      if (rate > 0) {
        const burst = burstBytes(rate);
        if (this.tokensAt === 0) this.tokensAt = now;
        this.tokens = Math.min(burst, this.tokens + ((now - this.tokensAt) * rate) / 1000);
        this.tokensAt = now;
        const want = Math.min(n, burst);
        if (this.tokens < want) {
          this.schedule(((want - this.tokens) * 1000) / rate);
          return;
        }
        n = want;
        this.tokens -= n;
      }
      const piece =
        item.offset === 0 && n === item.chunk.length ? item.chunk : item.chunk.subarray(item.offset, item.offset + n);
      item.offset += n;
      this.queuedBytes -= n;
      if (item.offset >= item.chunk.length) this.shift();
      const ok = this.dest.destroyed ? true : this.dest.write(piece);
      if (!ok) {
        this.awaitDrain();
        break;
      }
    }
    this.onBacklog(this.queuedBytes);
    if (this.ending && this.head >= this.queue.length && !this.waitingDrain) {
      if (this.endDelayMs > 0) {
        const delay = this.endDelayMs;
        this.endDelayMs = 0;
        this.schedule(delay);
      } else {
        this.finishNow();
      }
    }
  }

  private shift(): void {
    this.head++;
    if (this.head >= this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 1024) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  private finishNow(): void {
    if (this.finished) return;
    this.finished = true;
    if (!this.dest.destroyed && !this.dest.writableEnded) this.dest.end();
  }
}
