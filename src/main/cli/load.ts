/** `balancer-lab client --rate R`: the Lab's traffic generator against any balancer, then a summary. */
import type { TrafficCounters } from '../../shared/protocol';
import { LogHistogram } from '../core/metrics/histogram';
import { TrafficGenerator, type TrafficSettings } from '../core/traffic';

/** What a load run measured. */
export interface LoadSummary {
  counters: TrafficCounters;
  /** Seconds from start to stop (sending time). */
  seconds: number;
  /** Replies per second over the sending time. */
  achievedRate: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** Distinct failure messages with counts, most common first (at most 3). */
  topErrors: Array<[string, number]>;
}

/** Run the generator for `durationMs`, then wait (bounded) for replies in flight. */
export async function runLoad(options: {
  host: string;
  port: number;
  settings: TrafficSettings;
  durationMs: number;
  replyTimeoutMs: number;
  signal?: AbortSignal;
}): Promise<LoadSummary> {
  const histogram = new LogHistogram();
  const errors = new Map<string, number>();
  const generator = new TrafficGenerator<null>({
    host: options.host,
    port: options.port,
    settings: options.settings,
    // No abort signal here: stopping early (Ctrl-C) still lets replies in flight arrive.
    replyTimeoutMs: options.replyTimeoutMs,
    hooks: {
      send: () => null,
      replied: (_m, _reply, latencyMs) => histogram.record(latencyMs),
      failed: (_m, error) => errors.set(error, (errors.get(error) ?? 0) + 1),
    },
  });
  const started = performance.now();
  generator.start();
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, options.durationMs);
    options.signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
  generator.stop();
  const seconds = (performance.now() - started) / 1000;
  let grace: NodeJS.Timeout | undefined;
  await Promise.race([
    generator.drained(),
    new Promise<void>((resolve) => (grace = setTimeout(resolve, options.replyTimeoutMs + 1000))),
  ]);
  clearTimeout(grace);
  const counters = generator.counters;
  const [p50, p95, p99] = histogram.quantiles([0.5, 0.95, 0.99]);
  return {
    counters,
    seconds,
    achievedRate: seconds > 0 ? counters.replied / seconds : 0,
    p50: p50 ?? null,
    p95: p95 ?? null,
    p99: p99 ?? null,
    topErrors: [...errors.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3),
  };
}

function ms(value: number | null): string {
  if (value === null) return '-';
  return value < 10 ? `${value.toFixed(2)} ms` : `${value.toFixed(1)} ms`;
}

/** The summary as printed: three lines. */
export function formatLoadSummary(summary: LoadSummary, settings: TrafficSettings): string {
  const c = summary.counters;
  const target = settings.model === 'closed' ? `closed loop, ${settings.concurrency} users` : `target ${settings.rate}/s`;
  return (
    `sent ${c.sent}, replied ${c.replied}, failed ${c.failed}, shed ${c.shed} in ${summary.seconds.toFixed(2)} s\n` +
    `achieved ${summary.achievedRate.toFixed(1)} replies/s (${target})\n` +
    `latency p50 ${ms(summary.p50)}, p95 ${ms(summary.p95)}, p99 ${ms(summary.p99)}\n`
  );
}
