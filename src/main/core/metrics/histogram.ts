/**
 * A log-bucketed latency histogram (HDR-like, our own): bucket i > 0 holds values in
 * [MIN·γ^(i-1), MIN·γ^i) with γ = 1.02, so any percentile is exact to ±1% of the value.
 * Values below MIN (10 µs) share bucket 0; values above the top are clamped into the last bucket.
 */

/** Smallest value resolved (ms). */
const MIN_MS = 0.01;
/** Growth per bucket: 2% wide buckets, reported at their geometric middle (±1%). */
const GAMMA = 1.02;
const LOG_GAMMA = Math.log(GAMMA);
/** Buckets up to MIN·γ^1000 ≈ 4 × 10^6 ms (over an hour). */
export const HISTOGRAM_BUCKETS = 1001;

/** Bucket index for a value in ms. */
export function bucketOf(valueMs: number): number {
  if (!(valueMs >= MIN_MS)) return 0;
  const index = Math.floor(Math.log(valueMs / MIN_MS) / LOG_GAMMA) + 1;
  return index >= HISTOGRAM_BUCKETS ? HISTOGRAM_BUCKETS - 1 : index;
}

/** The value a bucket reports: its geometric middle (bucket 0 reports MIN/2). */
export function bucketValue(index: number): number {
  if (index <= 0) return MIN_MS / 2;
  return MIN_MS * Math.pow(GAMMA, index - 0.5);
}

/** Counts per log bucket; merge several to summarise a window. */
export class LogHistogram {
  readonly counts = new Uint32Array(HISTOGRAM_BUCKETS);
  count = 0;

  /** Add one value (ms). */
  record(valueMs: number): void {
    this.counts[bucketOf(valueMs)]!++;
    this.count++;
  }

  /** Add every count of another histogram. */
  add(other: LogHistogram): void {
    if (other.count === 0) return;
    const mine = this.counts;
    const theirs = other.counts;
    for (let i = 0; i < HISTOGRAM_BUCKETS; i++) if (theirs[i] !== 0) mine[i]! += theirs[i]!;
    this.count += other.count;
  }

  clear(): void {
    if (this.count === 0) return;
    this.counts.fill(0);
    this.count = 0;
  }

  /** Several quantiles (each in [0,1], ascending) in one pass; null when empty. */
  quantiles(qs: readonly number[]): Array<number | null> {
    if (this.count === 0) return qs.map(() => null);
    const out: Array<number | null> = new Array(qs.length).fill(null);
    // Nearest-rank: the smallest value with at least ceil(q·n) values at or below it.
    const ranks = qs.map((q) => Math.min(this.count, Math.max(1, Math.ceil(q * this.count))));
    let seen = 0;
    let next = 0;
    for (let i = 0; i < HISTOGRAM_BUCKETS && next < qs.length; i++) {
      seen += this.counts[i]!;
      while (next < qs.length && seen >= ranks[next]!) out[next++] = bucketValue(i);
    }
    return out;
  }
}
