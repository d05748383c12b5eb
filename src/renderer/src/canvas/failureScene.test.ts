import { describe, expect, it } from 'vitest';
import { backend, decision, ev } from '../testing/fixtures';
import { emptyFailures, reduceFailures } from '../store/failures';
import { BOUNCE_LEG_MS, CHECK_PULSE_MS, FailureScene, bounceProgress, conditionOf } from './failureScene';

describe('FailureScene', () => {
  it('keeps one check pulse per backend, the newest result, and ages it out', () => {
    const scene = new FailureScene();
    scene.ingest([
      ev(1, 'health.check', { backendId: '1', ok: true, ms: 1, status: 'healthy' }),
      ev(2, 'health.check', { backendId: '1', ok: false, ms: 500, status: 'healthy' }),
      ev(3, 'health.check', { backendId: '2', ok: true, ms: 1, status: 'healthy' }),
    ]);
    expect(scene.checks.size).toBe(2);
    expect(scene.checks.get('1')?.ok).toBe(false);
    scene.advance(CHECK_PULSE_MS);
    expect(scene.checks.size).toBe(0);
  });

  it('adds no periodic check pulses while paused', () => {
    const scene = new FailureScene();
    scene.ingest([ev(1, 'health.check', { backendId: '1', ok: true, ms: 1, status: 'healthy' })], false);
    expect(scene.checks.size).toBe(0);
  });

  it('bounces retries one after another, then reroutes to the chosen backend', () => {
    const scene = new FailureScene();
    scene.ingest([
      ev(1, 'conn.retry', { connId: 7, backendId: '1', error: 'ECONNREFUSED' }),
      ev(2, 'conn.retry', { connId: 7, backendId: '2', error: 'ECONNREFUSED' }),
      ev(3, 'conn.opened', {
        connId: 7,
        clientAddress: '127.0.0.1',
        clientPort: 1,
        backendId: '3',
        decision: decision('3'),
        retried: ['1', '2'],
      }),
    ]);
    expect(scene.bounces.map((b) => b.backendId)).toEqual(['1', '2']);
    const [first, second] = scene.bounces;
    if (!first || !second) throw new Error('bounces missing');
    expect(bounceProgress(second)).toBeNull();
    scene.advance(BOUNCE_LEG_MS);
    expect(bounceProgress(first)).toBeCloseTo(1);
    scene.advance(BOUNCE_LEG_MS / 2);
    expect(bounceProgress(first)).toBeCloseTo(0.5);
    expect(scene.reroutes).toEqual([{ backendId: '3', delay: 4 * BOUNCE_LEG_MS, age: 1.5 * BOUNCE_LEG_MS }]);
    scene.advance(10_000);
    expect(scene.bounces).toEqual([]);
    expect(scene.reroutes).toEqual([]);
  });

  it('shows queue exits and drops everything of a removed backend', () => {
    const scene = new FailureScene();
    scene.ingest([
      ev(1, 'conn.dequeued', { connId: 1, backendId: '1', waitedMs: 10, outcome: 'connected' }),
      ev(2, 'conn.dequeued', { connId: 2, backendId: '1', waitedMs: 900, outcome: 'timeout' }),
    ]);
    expect(scene.queueExits.map((q) => q.ok)).toEqual([true, false]);
    scene.ingest([ev(3, 'backend.removed', { backendId: '1' })]);
    expect(scene.queueExits).toEqual([]);
  });
});

describe('conditionOf', () => {
  const check = { enabled: true, intervalMs: 1000, timeoutMs: 500, rise: 2, fall: 3 };

  it('labels down, ejected (with seconds), maint and drain', () => {
    const none = emptyFailures();
    const down = backend('1', 1, { health: { status: 'unhealthy', check, successes: 0, failures: 3, history: [] } });
    expect(conditionOf(down, none, 0)).toMatchObject({ tone: 'down', label: 'down' });
    const ejected = backend('1', 1, { ejection: { untilT: 12_000, count: 2 } });
    expect(conditionOf(ejected, none, 500)).toMatchObject({ tone: 'ejected', label: 'ejected 12s' });
    expect(conditionOf(ejected, none, 12_000)).toMatchObject({ tone: 'normal', label: '' });
    expect(conditionOf(backend('1', 1, { admin: 'maint' }), none, 0)).toMatchObject({ tone: 'maint', label: 'maint' });
    expect(conditionOf(backend('1', 1, { admin: 'drain' }), none, 0)).toMatchObject({ tone: 'drain', admin: 'drain' });
  });

  it('reads the queue and faults, from events when the view lacks them', () => {
    const failures = reduceFailures(
      emptyFailures(),
      [ev(1, 'conn.queued', { connId: 4, backendId: '1', position: 1 })],
      {},
    );
    const b = backend('1', 1, { faults: { backend: {}, balancer: { refuse: true } } });
    expect(conditionOf(b, failures, 0)).toMatchObject({ queueLength: 1, queueSize: null, faults: 'balancer: refuse' });
  });
});

describe('conditionOf while recovering', () => {
  it('says recovering once an unhealthy backend passes checks again, and keeps an ejection visible', () => {
    const check = { enabled: true, intervalMs: 1000, timeoutMs: 500, rise: 3, fall: 2 };
    const b = backend('1', 1, {
      health: { status: 'unhealthy', check, successes: 1, failures: 0, history: [] },
      ejection: { untilT: 5000, count: 1 },
    });
    expect(conditionOf(b, emptyFailures(), 1000)).toMatchObject({ tone: 'ejected', label: 'recovering · ejected 4s' });
  });
});
