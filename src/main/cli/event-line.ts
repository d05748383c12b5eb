/**
 * One Lab event as its NDJSON line. The two per-connection events that dominate the stream under
 * connection churn (conn.bytes, conn.closed) are flat, so they are written by hand; every other event
 * goes through JSON.stringify. The output parses to the same object, with the same key order.
 */
import type { LabEvent } from '../../shared/protocol';

type BytesEvent = Extract<LabEvent, { type: 'conn.bytes' }>;
type ClosedEvent = Extract<LabEvent, { type: 'conn.closed' }>;

// Compile-time guard: a field added to either event must be added to the writers below too.
const BYTES_KEYS: Record<keyof BytesEvent, true> = { type: true, connId: true, up: true, down: true, seq: true, t: true };
const CLOSED_KEYS: Record<keyof ClosedEvent, true> = {
  type: true,
  connId: true,
  backendId: true,
  reason: true,
  bytesUp: true,
  bytesDown: true,
  durationMs: true,
  seq: true,
  t: true,
};
/** The keys the hand-written lines carry, in order (for tests). */
export const HAND_WRITTEN_KEYS = { 'conn.bytes': Object.keys(BYTES_KEYS), 'conn.closed': Object.keys(CLOSED_KEYS) };

/** JSON text of a number, as JSON.stringify writes it (non-finite numbers become null). */
function num(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}

/** The event as one JSON line (no trailing newline). */
export function eventLine(event: LabEvent): string {
  switch (event.type) {
    case 'conn.bytes':
      return `{"type":"conn.bytes","connId":${num(event.connId)},"up":${num(event.up)},"down":${num(event.down)},"seq":${num(event.seq)},"t":${num(event.t)}}`;
    case 'conn.closed':
      return `{"type":"conn.closed","connId":${num(event.connId)},"backendId":${event.backendId === null ? 'null' : JSON.stringify(event.backendId)},"reason":${JSON.stringify(event.reason)},"bytesUp":${num(event.bytesUp)},"bytesDown":${num(event.bytesDown)},"durationMs":${num(event.durationMs)},"seq":${num(event.seq)},"t":${num(event.t)}}`;
    default:
      return JSON.stringify(event);
  }
}
