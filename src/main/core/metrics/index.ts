/** Metrics: log-bucketed histograms, sliding windows and the Lab's counters. */
export { LogHistogram, bucketOf, bucketValue, HISTOGRAM_BUCKETS } from './histogram';
export { SlidingWindow } from './sliding-window';
export { MetricsCollector, METRICS_WINDOW_MS, retryErrorKind, closeErrorKind } from './collector';
