import { afterEach, describe, expect, it } from 'vitest';
import type { LabEvent, RingView } from '../../src/shared/protocol';
import { Lab } from '../../src/main/core/lab';
import { waitFor } from '../core/helpers';

const labs: Lab[] = [];
afterEach(async () => {
  for (const lab of labs.splice(0)) await lab.close();
});

function rings(events: LabEvent[]): Array<RingView | null> {
  return events.flatMap((e) => (e.type === 'balancer.ring' ? [e.ring] : []));
}

async function hashLab(algorithm: 'consistent-hash' | 'source-hash', backends: number) {
  const l = await Lab.create({ balancerPort: 0, algorithm });
  labs.push(l);
  for (let i = 1; i <= backends; i++) await l.addManagedBackend({ id: `s${i}`, port: 0 });
  const events: LabEvent[] = [];
  l.onEvent((e) => events.push(e));
  return { lab: l, events };
}

describe('hash ring view', () => {
  it('consistent-hash: removing one of 5 backends moves only its clients, each marked movedFrom', async () => {
    const { lab: l, events } = await hashLab('consistent-hash', 5);
    // Traffic pins its 60 client addresses on the ring right away.
    await l.execute({ type: 'traffic.start', rate: 100, clients: 60 });
    await waitFor(() => (rings(events).at(-1)?.clients.length ?? 0) >= 60, { label: 'clients on the ring' });
    const before = l.snapshot().ring!;
    expect(before.algorithm).toBe('consistent-hash');
    expect(before.points.length).toBeGreaterThan(100);
    expect(before.totalPoints).toBe(800);
    for (let i = 1; i < before.points.length; i++)
      expect(before.points[i]!.hash).toBeGreaterThanOrEqual(before.points[i - 1]!.hash);
    const onS3 = before.clients.filter((c) => c.backendId === 's3').map((c) => c.address);
    expect(onS3.length).toBeGreaterThan(0);
    // Every client's backend is where its traffic really went.
    await waitFor(() => events.filter((e) => e.type === 'conn.opened').length >= 60, { label: 'connections' });
    for (const e of events)
      if (e.type === 'conn.opened') expect(before.clients.find((c) => c.address === e.clientAddress)?.backendId).toBe(e.backendId);

    const count = rings(events).length;
    expect(await l.execute({ type: 'backend.remove', id: 's3' })).toEqual({ ok: true });
    const after = rings(events).slice(count).find((r) => r && r.moved > 0)!;
    expect(after).toBeDefined();
    expect(after.moved).toBe(onS3.length);
    expect(after.total).toBe(before.clients.length);
    const moved = after.clients.filter((c) => c.movedFrom !== undefined);
    expect(moved.map((c) => c.address).sort()).toEqual([...onS3].sort());
    for (const c of moved) {
      expect(c.movedFrom).toBe('s3');
      expect(c.backendId).not.toBe('s3');
    }
    expect(after.points.some((p) => p.backendId === 's3')).toBe(false);
    await l.execute({ type: 'traffic.stop' });
  });

  it('source-hash: the table in slot order, each client with its slot; null after switching away', async () => {
    const { lab: l, events } = await hashLab('source-hash', 3);
    await l.execute({ type: 'backend.setWeight', id: 's1', weight: 2 });
    await l.execute({ type: 'traffic.start', rate: 0.1, clients: 8 });
    await l.execute({ type: 'traffic.stop' });
    await waitFor(() => (rings(events).at(-1)?.clients.length ?? 0) >= 8, { label: 'clients in the table' });
    const view = rings(events).at(-1)!;
    expect(view.algorithm).toBe('source-hash');
    expect(view.slots).toBe(4);
    expect(view.points.map((p) => p.backendId).sort()).toEqual(['s1', 's1', 's2', 's3']);
    expect(view.points.map((p) => p.hash)).toEqual([0, 2 ** 30, 2 ** 31, 3 * 2 ** 30]);
    for (const c of view.clients) {
      expect(c.slot).toBe(c.hash % 4);
      expect(c.backendId).toBe(view.points[c.slot!]!.backendId);
    }
    expect(await l.execute({ type: 'balancer.setAlgorithm', algorithm: 'round-robin' })).toEqual({ ok: true });
    expect(rings(events).at(-1)).toBeNull();
    expect(l.snapshot().ring).toBeNull();
    await l.execute({ type: 'balancer.setAlgorithm', algorithm: 'consistent-hash' });
    expect(rings(events).at(-1)?.algorithm).toBe('consistent-hash');
    expect(rings(events).at(-1)?.moved).toBe(0);
  });

  it('a stopped backend moves its clients on (walk) and they move back when it returns', async () => {
    const { lab: l, events } = await hashLab('consistent-hash', 3);
    await l.execute({ type: 'traffic.start', rate: 0.1, clients: 30 });
    await l.execute({ type: 'traffic.stop' });
    await waitFor(() => (rings(events).at(-1)?.clients.length ?? 0) >= 30, { label: 'clients' });
    const onS2 = rings(events).at(-1)!.clients.filter((c) => c.backendId === 's2').length;
    await l.execute({ type: 'backend.stop', id: 's2' });
    await waitFor(() => rings(events).at(-1)!.clients.every((c) => c.backendId !== 's2'), { label: 'moved off s2' });
    expect(rings(events).at(-1)!.moved).toBe(onS2);
    await l.execute({ type: 'backend.restart', id: 's2' });
    await waitFor(() => rings(events).at(-1)!.clients.filter((c) => c.backendId === 's2').length === onS2, {
      label: 'back on s2',
    });
  });
});
