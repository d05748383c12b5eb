import type { MetricsRow } from '../../../shared/protocol';

/** One metric as the table shows it and the CSV names it, with HAProxy's name and meaning for the tooltip. */
export interface MetricColumn {
  /** Stable id (CSV header, React key). */
  id: string;
  /** Short table header. */
  label: string;
  /** HAProxy's name and meaning, e.g. "scur — current sessions". */
  description: string;
  /** The number for a row; null when there is none (latency without messages). */
  value(row: MetricsRow): number | null;
  /** How the table shows it. */
  format(value: number | null): string;
}

const count = (v: number | null): string => (v === null ? '–' : String(Math.round(v)));
const ms = (v: number | null): string => (v === null ? '–' : v < 10 ? v.toFixed(1) : String(Math.round(v)));

/** Bytes in IEC units: "512 B", "1.5 KiB", "12 MiB". */
export function formatBytes(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/** Messages per second: one decimal below 100, whole numbers above. */
export function formatRate(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '–';
  return v < 100 ? v.toFixed(1) : String(Math.round(v));
}

/** Table columns in order (the CSV adds time, backend and the latency count around them). */
export const METRIC_COLUMNS: readonly MetricColumn[] = [
  { id: 'scur', label: 'Cur', description: 'scur — current sessions (open connections now)', value: (r) => r.current, format: count },
  { id: 'smax', label: 'Max', description: 'smax — max sessions (most connections open at once)', value: (r) => r.max, format: count },
  { id: 'stot', label: 'Total', description: 'stot — total sessions (connections ever opened)', value: (r) => r.total, format: count },
  { id: 'bin', label: 'Bytes in', description: 'bin — bytes in (from clients)', value: (r) => r.bytesIn, format: formatBytes },
  { id: 'bout', label: 'Bytes out', description: 'bout — bytes out (to clients)', value: (r) => r.bytesOut, format: formatBytes },
  {
    id: 'msg_rate',
    label: 'Msg/s',
    description: 'rate — messages replied per second over the sliding window',
    value: (r) => r.messagesPerSecond,
    format: formatRate,
  },
  { id: 'msg_total', label: 'Msgs', description: 'messages replied in total', value: (r) => r.messagesTotal, format: count },
  {
    id: 'econ',
    label: 'Refused',
    description: 'econ — connection errors (backend refused the connection)',
    value: (r) => r.errors.refused,
    format: count,
  },
  {
    id: 'eresp',
    label: 'Reset',
    description: 'eresp — response errors (connection reset mid-way)',
    value: (r) => r.errors.reset,
    format: count,
  },
  {
    id: 'etimeout',
    label: 'Timeout',
    description: 'timeouts — connect, idle or queue timeouts',
    value: (r) => r.errors.timeout,
    format: count,
  },
  { id: 'wretr', label: 'Retries', description: 'wretr — retries (warning): connects retried on another backend', value: (r) => r.retries, format: count },
  { id: 'qcur', label: 'Queue', description: 'qcur — current queued connections waiting for a slot', value: (r) => r.queue, format: count },
  { id: 'p50', label: 'p50', description: 'p50 — median latency (ms) over the window', value: (r) => r.latency.p50, format: ms },
  { id: 'p95', label: 'p95', description: 'p95 — 95th percentile latency (ms) over the window', value: (r) => r.latency.p95, format: ms },
  { id: 'p99', label: 'p99', description: 'p99 — 99th percentile latency (ms) over the window', value: (r) => r.latency.p99, format: ms },
];
