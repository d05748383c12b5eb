import { describe, expect, it } from 'vitest';
import type { MetricsRow, MetricsSample } from '../../../shared/protocol';
import { CSV_HEADER, csvField, metricsToCsv } from './exportCsv';
import { formatBytes, formatRate } from './metricColumns';

const row = (backendId: string | null, over: Partial<MetricsRow> = {}): MetricsRow => ({
  backendId,
  current: 2,
  max: 4,
  total: 9,
  bytesIn: 1024,
  bytesOut: 2048,
  messagesPerSecond: 12.5,
  messagesTotal: 30,
  errors: { refused: 1, reset: 2, timeout: 3 },
  retries: 4,
  queue: 5,
  latency: { p50: 0.5, p95: 1.25, p99: 3, count: 30 },
  ...over,
});

describe('metricsToCsv', () => {
  it('writes a header and one line per sample and row, total first', () => {
    const samples: MetricsSample[] = [
      { t: 1000, windowMs: 1000, balancer: row(null), backends: [row('1'), row('web,a', { latency: { p50: null, p95: null, p99: null, count: 0 } })] },
    ];
    const lines = metricsToCsv(samples).trimEnd().split('\r\n');
    expect(lines[0]).toBe(CSV_HEADER.join(','));
    expect(lines[0]).toBe(
      't_ms,window_ms,backend,scur,smax,stot,bin,bout,msg_rate,msg_total,econ,eresp,etimeout,wretr,qcur,p50,p95,p99,latency_count',
    );
    expect(lines[1]).toBe('1000,1000,total,2,4,9,1024,2048,12.5,30,1,2,3,4,5,0.5,1.25,3,30');
    expect(lines[2]).toMatch(/^1000,1000,1,/);
    // A comma in an id is quoted; missing latency is an empty field, not "null".
    expect(lines[3]).toBe('1000,1000,"web,a",2,4,9,1024,2048,12.5,30,1,2,3,4,5,,,,0');
    expect(lines).toHaveLength(4);
  });

  it('gives just the header for no samples and quotes per RFC 4180', () => {
    expect(metricsToCsv([])).toBe(`${CSV_HEADER.join(',')}\r\n`);
    expect(csvField('a"b')).toBe('"a""b"');
    expect(csvField('plain')).toBe('plain');
  });

  it('defuses cells a spreadsheet would run as formulas', () => {
    expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    for (const lead of ['+', '-', '@']) expect(csvField(`${lead}1+1`)).toBe(`"'${lead}1+1"`);
    expect(csvField('1-2')).toBe('1-2');
  });

  it('formats bytes and rates for humans', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(12 * 1024 * 1024)).toBe('12.0 MiB');
    expect(formatBytes(null)).toBe('–');
    expect(formatRate(12.345)).toBe('12.3');
    expect(formatRate(1234.5)).toBe('1235');
  });
});
