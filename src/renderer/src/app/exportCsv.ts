import type { MetricsRow, MetricsSample } from '../../../shared/protocol';
import { METRIC_COLUMNS } from './metricColumns';

/** CSV header: time, window, backend ("total" for the balancer row), every metric column, latency count. */
export const CSV_HEADER = ['t_ms', 'window_ms', 'backend', ...METRIC_COLUMNS.map((c) => c.id), 'latency_count'];

/**
 * Quote a CSV field when it holds a comma, quote or line break (RFC 4180); a field a spreadsheet would read as
 * a formula (= + - @ tab CR first) gets a leading apostrophe, so exported ids never execute.
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n']/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function rowLine(sample: MetricsSample, row: MetricsRow): string {
  const fields = [
    String(sample.t),
    String(sample.windowMs),
    csvField(row.backendId ?? 'total'),
    ...METRIC_COLUMNS.map((c) => {
      const v = c.value(row);
      return v === null ? '' : String(v);
    }),
    String(row.latency.count),
  ];
  return fields.join(',');
}

/** Every sample as CSV, one line per (sample, row): the total row first, then each backend. Pure. */
export function metricsToCsv(samples: readonly MetricsSample[]): string {
  const lines = [CSV_HEADER.join(',')];
  for (const sample of samples) {
    lines.push(rowLine(sample, sample.balancer));
    for (const row of sample.backends) lines.push(rowLine(sample, row));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * Save a blob through an anchor with a blob: URL — works the same in a browser and in Electron (which shows
 * its save dialog), so no IPC is needed.
 */
export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // Revoke after the click has been handled; revoking at once can cancel the download in some engines.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file-name-safe stamp of the wall clock, e.g. "2025-01-31T12-00-00". */
export function fileStamp(date = new Date()): string {
  return date.toISOString().slice(0, 19).replace(/:/g, '-');
}

/**
 * Stack canvases vertically on one opaque background (so a transparent canvas does not export as black or
 * see-through) and encode as PNG.
 */
export function canvasesToPng(canvases: readonly HTMLCanvasElement[], background: string): Promise<Blob | null> {
  const width = Math.max(1, ...canvases.map((c) => c.width));
  const height = Math.max(1, canvases.reduce((sum, c) => sum + c.height, 0));
  const out = document.createElement('canvas');
  out.width = width;
  out.height = height;
  const ctx = out.getContext('2d');
  if (!ctx) return Promise.resolve(null);
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, width, height);
  let y = 0;
  for (const canvas of canvases) {
    ctx.drawImage(canvas, 0, y);
    y += canvas.height;
  }
  return new Promise((resolve) => out.toBlob(resolve, 'image/png'));
}
