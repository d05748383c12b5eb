const LF = 10;
const CR = 13;

/** Options for {@link LineFramer}. */
export interface LineFramerOptions {
  /** A message not ended by a newline is delivered after this much silence (ms). Default 20. */
  idleMs?: number;
  /** A line longer than this is delivered as a message anyway, bounding memory. Default 64 KiB. */
  maxLineBytes?: number;
}

/**
 * Splits a byte stream into text messages: each line is a message (trailing \r\n or \n stripped);
 * trailing bytes without a newline become one message after a short silence or at end of stream,
 * which is how the seed's client.py sends (a bare message, no newline).
 * Bytes are kept raw until a message is complete, so multi-byte UTF-8 characters split across
 * chunks decode correctly.
 */
export class LineFramer {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private disposed = false;
  private readonly idleMs: number;
  private readonly maxLineBytes: number;

  constructor(
    private readonly onMessage: (text: string) => void,
    options: LineFramerOptions = {},
  ) {
    this.idleMs = options.idleMs ?? 20;
    this.maxLineBytes = options.maxLineBytes ?? 64 * 1024;
  }

  /** True while bytes of an unfinished message are held. */
  get hasPending(): boolean {
    return this.pendingBytes > 0;
  }

  /** Feed received bytes. */
  push(chunk: Buffer): void {
    if (this.disposed) return;
    let start = 0;
    let newline = chunk.indexOf(LF, start);
    while (newline !== -1) {
      let line: Buffer;
      if (this.pendingBytes > 0) {
        this.pending.push(chunk.subarray(start, newline));
        line = Buffer.concat(this.pending);
        this.pending = [];
        this.pendingBytes = 0;
      } else {
        line = chunk.subarray(start, newline);
      }
      const end = line.length > 0 && line[line.length - 1] === CR ? line.length - 1 : line.length;
      this.onMessage(line.toString('utf8', 0, end));
      if (this.disposed) return;
      start = newline + 1;
      newline = chunk.indexOf(LF, start);
    }
    if (start < chunk.length) {
      this.pending.push(start === 0 ? chunk : chunk.subarray(start));
      this.pendingBytes += chunk.length - start;
      if (this.pendingBytes >= this.maxLineBytes) this.flush();
      else this.armIdle();
    } else if (this.pendingBytes === 0) {
      this.disarmIdle();
    }
  }

  /** The stream ended (half-close): deliver any bare message now. */
  end(): void {
    this.disarmIdle();
    this.flush();
  }

  /** Drop pending bytes and timers; no more messages are delivered. */
  dispose(): void {
    this.disposed = true;
    this.disarmIdle();
    this.pending = [];
    this.pendingBytes = 0;
  }

  private flush(): void {
    if (this.disposed || this.pendingBytes === 0) return;
    const bytes = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    this.onMessage(bytes.toString('utf8'));
  }

  private armIdle(): void {
    // refresh() re-arms the same timer object: no allocation per chunk.
    if (this.timer) this.timer.refresh();
    else this.timer = setTimeout(this.onIdle, this.idleMs);
  }

  private disarmIdle(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private readonly onIdle = (): void => {
    this.timer = null;
    this.flush();
  };
}
