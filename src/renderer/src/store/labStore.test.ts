import { describe, expect, it } from 'vitest';
import { ev, snapshot } from '../testing/fixtures';
import { createLabStore } from './labStore';
import { MotionQueue } from './motion';

describe('lab store', () => {
  it('applies a whole batch in a single update and queues only motion events', () => {
    const motion = new MotionQueue();
    const store = createLabStore({ motion });
    store.getState().applySnapshot(snapshot());
    let updates = 0;
    store.subscribe(() => updates++);

    store
      .getState()
      .applyBatch([
        ev(9, 'message.sent', { msgId: 0, clientId: 'c1', text: 'stale' }),
        ev(11, 'message.sent', { msgId: 1, clientId: 'c1', text: 'hello' }),
        ev(12, 'traffic.state', { traffic: { running: true, rate: 5, text: 'hello' } }),
        ev(13, 'message.replied', { msgId: 1, clientId: 'c1', connId: 3, backendId: '1', reply: 'r', latencyMs: 1 }),
      ]);

    expect(updates).toBe(1);
    expect(store.getState().lab.traffic.running).toBe(true);
    expect(motion.drain().map((e) => e.seq)).toEqual([11, 13]);
    expect(motion.size).toBe(0);
  });

  it('ignores batches until a snapshot is loaded', () => {
    const store = createLabStore({ motion: new MotionQueue() });
    store.getState().applyBatch([ev(1, 'traffic.state', { traffic: { running: true, rate: 1, text: 'x' } })]);
    expect(store.getState().lab.loaded).toBe(false);
    expect(store.getState().lab.traffic.running).toBe(false);
  });

  it('sets and clears inline form errors', () => {
    const store = createLabStore({ motion: new MotionQueue() });
    store.getState().setFormError('add.port', 'port must be between 1 and 65535');
    expect(store.getState().ui.formErrors).toEqual({ 'add.port': 'port must be between 1 and 65535' });
    store.getState().setFormError('add.port', null);
    expect(store.getState().ui.formErrors).toEqual({});
  });
});

describe('motion queue', () => {
  it('drops the oldest events beyond its capacity', () => {
    const motion = new MotionQueue(3);
    motion.push([1, 2, 3, 4, 5].map((i) => ev(i, 'message.sent', { msgId: i, clientId: 'c1', text: 'x' })));
    expect(motion.dropped).toBe(2);
    expect(motion.drain().map((e) => e.seq)).toEqual([3, 4, 5]);
  });
});
