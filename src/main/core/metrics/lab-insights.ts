import type { BackendView, LabEvent, MetricsSample, RingView, TrafficCounters } from '../../../shared/protocol';
import type { Algorithm } from '../algorithms';
import type { Clock } from '../clock';
import { RingTracker, type RingPoolEntry } from '../hash-ring/ring-tracker';
import { MetricsCollector, METRICS_WINDOW_MS } from './collector';

/** Metrics events at most this often while anything changes (ms). */
export const METRICS_INTERVAL_MS = 100;
/** While the window still holds data but nothing new happens, rates decay: re-sample this often (ms). */
const METRICS_DECAY_MS = 1000;
/** balancer.ring for new client addresses at most this often (ms). */
const RING_CLIENTS_INTERVAL_MS = 250;

/** What {@link LabInsights} reads from and hands back to the Lab. */
export interface LabInsightsHost {
  clock: Clock;
  backends(): BackendView[];
  /** Backends with the balancer's availability, in pool order. */
  pool(): RingPoolEntry[];
  balancer(): { current: number; total: number };
  traffic(): TrafficCounters | undefined;
  emitMetrics(sample: MetricsSample): void;
  emitRing(ring: RingView | null): void;
}

/**
 * The Lab's derived views, kept out of lab.ts: metrics (folded from every event, emitted at most every
 * 100 ms while something changes, nothing when idle) and the hash ring view (on algorithm switch, pool
 * change, and new client addresses at most 4 times a second).
 */
export class LabInsights {
  private readonly collector: MetricsCollector;
  private readonly ring: RingTracker;
  private metricsDirty = false;
  /** The pending metrics timer is only a decay re-sample (a real change may cut it short). */
  private decaying = false;
  private metricsTimer: NodeJS.Timeout | null = null;
  private lastMetricsAt = -Infinity;
  private ringTimer: NodeJS.Timeout | null = null;
  private lastRingAt = -Infinity;
  private closed = false;

  constructor(
    private readonly host: LabInsightsHost,
    windowMs = METRICS_WINDOW_MS,
  ) {
    this.collector = new MetricsCollector(windowMs, host.clock.now());
    this.ring = new RingTracker(() => host.pool());
  }

  /** The ring view now (null when the algorithm is not a hash). */
  get ringView(): RingView | null {
    return this.ring.view;
  }

  /** A metrics sample now. */
  metrics(): MetricsSample {
    const h = this.host;
    return this.collector.sample(h.clock.now(), h.backends(), h.balancer(), h.traffic());
  }

  /** The algorithm changed (or was set at start): emit its ring view (null for a non-hash algorithm). */
  setAlgorithm(algorithm: Algorithm, announce = true): void {
    const before = this.ring.view;
    const view = this.ring.setAlgorithm(algorithm);
    if (announce && (view !== null || before !== null)) this.emitRing(view);
  }

  /** The Lab's own clients use these source addresses. */
  addClientAddresses(addresses: readonly string[]): void {
    if (this.ring.addClients(addresses, true)) this.ringClientsChanged();
  }

  /** Every event the Lab emitted, after its listeners saw it (so events emitted here come after it). */
  observe(event: LabEvent): void {
    if (this.closed || event.type === 'metrics' || event.type === 'balancer.ring') return;
    if (this.collector.observe(event)) this.metricsChanged();
    switch (event.type) {
      case 'conn.opened':
        if (this.ring.addClient(event.clientAddress)) this.ringClientsChanged();
        break;
      case 'backend.state':
      case 'backend.removed': {
        const view = this.ring.poolMaybeChanged();
        if (view !== undefined) this.emitRing(view);
        break;
      }
      default:
        break;
    }
  }

  /** Stop every timer. */
  close(): void {
    this.closed = true;
    if (this.metricsTimer) clearTimeout(this.metricsTimer);
    if (this.ringTimer) clearTimeout(this.ringTimer);
    this.metricsTimer = null;
    this.ringTimer = null;
  }

  // ------------------------------------------------------------ metrics

  private metricsChanged(): void {
    this.metricsDirty = true;
    if (this.metricsTimer && !this.decaying) return;
    if (this.metricsTimer) clearTimeout(this.metricsTimer);
    this.decaying = false;
    const wait = Math.max(0, this.lastMetricsAt + METRICS_INTERVAL_MS - performance.now());
    this.metricsTimer = setTimeout(this.emitMetrics, wait);
  }

  private readonly emitMetrics = (): void => {
    this.metricsTimer = null;
    if (this.closed) return;
    // libuv schedules from a cached loop time, so a timer may fire a few ms early: keep the promise.
    const early = this.lastMetricsAt + METRICS_INTERVAL_MS - performance.now();
    if (early > 0) {
      this.metricsTimer = setTimeout(this.emitMetrics, early);
      return;
    }
    this.decaying = false;
    this.metricsDirty = false;
    const sample = this.metrics();
    // Measured after sampling, right before the event is stamped, so event times are ≥ 100 ms apart.
    this.lastMetricsAt = performance.now();
    this.host.emitMetrics(sample);
    // Rates and percentiles keep changing while old data leaves the window; stop once it is empty.
    if (!this.metricsDirty && !this.metricsTimer && this.collector.hasRecentData(this.host.clock.now())) {
      this.decaying = true;
      this.metricsTimer = setTimeout(this.emitMetrics, METRICS_DECAY_MS);
    }
  };

  // ------------------------------------------------------------ ring

  private ringClientsChanged(): void {
    if (this.ringTimer) return;
    const wait = Math.max(0, this.lastRingAt + RING_CLIENTS_INTERVAL_MS - performance.now());
    this.ringTimer = setTimeout(() => {
      this.ringTimer = null;
      if (!this.closed) this.emitRing(this.ring.refresh());
    }, wait);
  }

  private emitRing(view: RingView | null): void {
    if (this.ringTimer) clearTimeout(this.ringTimer);
    this.ringTimer = null;
    this.lastRingAt = performance.now();
    this.host.emitRing(view);
  }
}
