import { describe, expect, it } from 'vitest';
import type { LabEvent } from '../../src/shared/protocol';
import { HAND_WRITTEN_KEYS, eventLine } from '../../src/main/cli/event-line';

const samples: LabEvent[] = [
  { type: 'conn.bytes', connId: 7, up: 64, down: 0, seq: 12, t: 1234.5678901 },
  {
    type: 'conn.closed',
    connId: 7,
    backendId: 'b "1"\\\n→',
    reason: 'completed',
    bytesUp: 64,
    bytesDown: 64,
    durationMs: 0.123456789,
    seq: 13,
    t: 1e21,
  },
  {
    type: 'conn.closed',
    connId: 8,
    backendId: null,
    reason: 'no-backend',
    bytesUp: 0,
    bytesDown: 0,
    durationMs: Number.NaN,
    seq: 14,
    t: 5,
  },
  { type: 'error', message: 'x', seq: 15, t: 6 },
];

describe('eventLine', () => {
  it('writes exactly what JSON.stringify writes', () => {
    for (const event of samples) expect(eventLine(event)).toBe(JSON.stringify(event));
  });

  it('covers every key of the hand-written events', () => {
    expect(Object.keys(JSON.parse(eventLine(samples[0]!)) as object)).toEqual(HAND_WRITTEN_KEYS['conn.bytes']);
    expect(Object.keys(JSON.parse(eventLine(samples[1]!)) as object)).toEqual(HAND_WRITTEN_KEYS['conn.closed']);
  });
});
