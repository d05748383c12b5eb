import { describe, expect, it } from 'vitest';
import type { HealthView } from '../../../shared/protocol';
import { backend, ev, snapshot } from '../testing/fixtures';
import { ejectionOf, emptyFailures, healthOf, queueLengthOf, reduceFailures, secondsLeft } from './failures';
import { initialLabState } from './labStore';
import { reduceBatch, reduceSnapshot } from './reduce';

const backends = { '1': backend('1', 5001), '2': backend('2', 5002) };
const check = (seq: number, id: string, ok: boolean, status: HealthView['status'], error?: string) =>
  ev(seq, 'health.check', { backendId: id, ok, ms: ok ? 1.5 : 500, status, ...(error ? { error } : {}) });

describe('reduceFailures', () => {
  it('returns the same slice when no failure event arrives', () => {
    const slice = emptyFailures();
    expect(reduceFailures(slice, [ev(11, 'traffic.state', { traffic: { running: false, rate: 1, text: 'x' } })], backends)).toBe(slice);
  });

  it('derives health from checks: counters, last result and one history entry per transition', () => {
    const slice = reduceFailures(
      emptyFailures(),
      [
        check(11, '1', true, 'healthy'),
        check(12, '1', false, 'healthy', 'ECONNREFUSED'),
        check(13, '1', false, 'healthy', 'ECONNREFUSED'),
        check(14, '1', false, 'unhealthy', 'ECONNREFUSED'),
        check(15, '1', true, 'unhealthy'),
      ],
      backends,
    );
    const health = slice.health['1'];
    expect(health).toMatchObject({ status: 'unhealthy', successes: 1, failures: 0 });
    expect(health?.last).toEqual({ t: 1015, ok: true, ms: 1.5 });
    expect(health?.history).toEqual([
      { t: 1011, status: 'healthy', reason: '1 check passed' },
      { t: 1014, status: 'unhealthy', reason: 'check failed: ECONNREFUSED' },
    ]);
  });

  it('uses the check settings backend.state carries', () => {
    const withCheck = {
      '1': backend('1', 5001, {
        health: { status: 'unknown', check: { enabled: true, intervalMs: 200, timeoutMs: 50, rise: 5, fall: 4 }, successes: 0, failures: 0, history: [] },
      }),
    };
    const slice = reduceFailures(emptyFailures(), [check(11, '1', true, 'unknown')], withCheck);
    expect(slice.health['1']?.check.rise).toBe(5);
  });

  it('records ejections and queues; dequeue, close and removal take entries out', () => {
    let slice = reduceFailures(
      emptyFailures(),
      [
        ev(11, 'backend.ejected', { backendId: '2', untilT: 6000, count: 2, reason: '3 connect failures' }),
        ev(12, 'conn.queued', { connId: 1, backendId: '1', position: 1 }),
        ev(13, 'conn.queued', { connId: 2, backendId: '1', position: 2 }),
        ev(14, 'conn.queued', { connId: 3, backendId: '1', position: 3 }),
      ],
      backends,
    );
    expect(slice.ejections['2']).toEqual({ untilT: 6000, count: 2, reason: '3 connect failures' });
    expect(slice.queues['1']).toEqual([1, 2, 3]);
    slice = reduceFailures(
      slice,
      [
        ev(15, 'conn.dequeued', { connId: 1, backendId: '1', waitedMs: 20, outcome: 'connected' }),
        ev(16, 'conn.dequeued', { connId: 2, backendId: '1', waitedMs: 900, outcome: 'timeout' }),
        ev(17, 'conn.closed', { connId: 3, backendId: null, reason: 'client-reset', bytesUp: 0, bytesDown: 0, durationMs: 5 }),
      ],
      backends,
    );
    expect(slice.queues['1']).toEqual([]);
    expect(slice.queueTimeouts).toEqual([{ backendId: '1', connId: 2, t: 1016 }]);
    slice = reduceFailures(slice, [ev(18, 'backend.removed', { backendId: '2' })], backends);
    expect(slice.ejections['2']).toBeUndefined();
  });
});

describe('selectors prefer backend.state', () => {
  const derived = reduceFailures(
    emptyFailures(),
    [
      check(11, '1', false, 'unhealthy', 'timeout'),
      ev(12, 'backend.ejected', { backendId: '1', untilT: 5000, count: 1, reason: 'refused' }),
      ev(13, 'conn.queued', { connId: 9, backendId: '1', position: 1 }),
    ],
    backends,
  );

  it('falls back to derived health, ejection and queue when the view lacks the fields', () => {
    const b = backend('1', 5001);
    expect(healthOf(b, derived)?.status).toBe('unhealthy');
    expect(ejectionOf(b, derived, 4000)).toMatchObject({ untilT: 5000, count: 1 });
    expect(ejectionOf(b, derived, 5000)).toBeNull();
    expect(queueLengthOf(b, derived)).toBe(1);
  });

  it('uses the view when it has the fields, including ejection null', () => {
    const b = backend('1', 5001, {
      health: { status: 'healthy', check: { enabled: true, intervalMs: 1000, timeoutMs: 500, rise: 2, fall: 3 }, successes: 2, failures: 0, history: [] },
      ejection: null,
      queueLength: 4,
    });
    expect(healthOf(b, derived)?.status).toBe('healthy');
    expect(ejectionOf(b, derived, 4000)).toBeNull();
    expect(ejectionOf({ ...b, ejection: { untilT: 9000, count: 3 } }, derived, 4000)).toEqual({
      untilT: 9000,
      count: 3,
      reason: 'refused',
    });
    expect(queueLengthOf(b, derived)).toBe(4);
  });

  it('counts seconds left rounding up, never below zero', () => {
    expect(secondsLeft(5000, 3001)).toBe(2);
    expect(secondsLeft(5000, 4000)).toBe(1);
    expect(secondsLeft(5000, 7000)).toBe(0);
  });
});

describe('store integration', () => {
  it('reduceBatch folds failure events and a snapshot resets them', () => {
    let state = reduceSnapshot(initialLabState(), snapshot());
    state = reduceBatch(state, [check(11, '2', false, 'unhealthy', 'ECONNREFUSED')]);
    expect(state.failures.health['2']?.status).toBe('unhealthy');
    // Already-applied events are ignored, so the derived counters do not double.
    state = reduceBatch(state, [check(11, '2', false, 'unhealthy', 'ECONNREFUSED')]);
    expect(state.failures.health['2']?.failures).toBe(1);
    state = reduceSnapshot(state, snapshot({ seq: 20 }));
    expect(state.failures.health).toEqual({});
  });
});

describe('health.check onto backend.state health', () => {
  it('moves the counters and last result of a backend whose view carries health', () => {
    const check = { enabled: true, intervalMs: 1000, timeoutMs: 1000, rise: 3, fall: 2 };
    const health: HealthView = {
      status: 'unhealthy',
      check,
      successes: 0,
      failures: 4,
      history: [{ t: 900, status: 'unhealthy', reason: 'engine said so' }],
    };
    let state = reduceSnapshot(initialLabState(), snapshot({ backends: [backend('1', 5001, { health }), backend('2', 5002)] }));
    state = reduceBatch(state, [
      ev(11, 'health.check', { backendId: '1', ok: true, ms: 0.5, status: 'unhealthy' }),
      ev(12, 'health.check', { backendId: '1', ok: true, ms: 0.6, status: 'unhealthy' }),
    ]);
    expect(state.lab.backends['1']?.health).toMatchObject({
      status: 'unhealthy',
      successes: 2,
      failures: 0,
      last: { t: 1012, ok: true, ms: 0.6 },
      history: [{ t: 900, status: 'unhealthy', reason: 'engine said so' }],
    });
    // The next backend.state is the source of truth again.
    state = reduceBatch(state, [ev(13, 'backend.state', { backend: backend('1', 5001, { health: { ...health, status: 'healthy', successes: 3, failures: 0 } }) })]);
    expect(state.lab.backends['1']?.health?.status).toBe('healthy');
  });
});
