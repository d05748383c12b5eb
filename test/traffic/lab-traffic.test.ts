import { afterEach, describe, expect, it } from 'vitest';
import { ALGORITHMS, type LabEvent } from '../../src/shared/protocol';
import { Lab } from '../../src/main/core/lab';
import { waitFor } from '../core/helpers';

const labs: Lab[] = [];
afterEach(async () => {
  for (const lab of labs.splice(0)) await lab.close();
});

type Of<T extends LabEvent['type']> = Extract<LabEvent, { type: T }>;
function ofType<T extends LabEvent['type']>(events: LabEvent[], type: T): Array<Of<T>> {
  return events.filter((e): e is Of<T> => e.type === type);
}

async function lab(backends = 2): Promise<{ lab: Lab; events: LabEvent[] }> {
  const l = await Lab.create({ balancerPort: 0 });
  labs.push(l);
  for (let i = 1; i <= backends; i++) await l.addManagedBackend({ id: String(i), port: 0 });
  const events: LabEvent[] = [];
  l.onEvent((e) => events.push(e));
  return { lab: l, events };
}

/** Stop traffic and wait until every sent message settled and every connection closed. */
async function settle(l: Lab, events: LabEvent[]): Promise<void> {
  expect(await l.execute({ type: 'traffic.stop' })).toEqual({ ok: true });
  await waitFor(
    () =>
      ofType(events, 'message.replied').length + ofType(events, 'message.failed').length ===
        ofType(events, 'message.sent').length && l.snapshot().balancer.activeConnections === 0,
    { timeoutMs: 10_000, label: 'traffic settled' },
  );
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('Lab traffic', () => {
  it('distinct clients connect from 127.0.0.2, 127.0.0.3, … and the view reflects every setting', async () => {
    const { lab: l, events } = await lab();
    const start = { type: 'traffic.start', rate: 100, clients: 4, model: 'steady', size: 64 } as const;
    expect(await l.execute(start)).toEqual({ ok: true });
    const state = ofType(events, 'traffic.state')[0]!.traffic;
    expect(state).toMatchObject({
      running: true,
      rate: 100,
      clients: 4,
      model: 'steady',
      connection: 'per-message',
      size: 64,
      addresses: ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'],
    });
    await waitFor(() => ofType(events, 'conn.opened').length >= 12, { label: 'connections' });
    await settle(l, events);
    const addresses = new Set(ofType(events, 'conn.opened').map((e) => e.clientAddress));
    expect([...addresses].sort()).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5']);
    expect(new Set(ofType(events, 'message.sent').map((e) => e.clientId))).toEqual(
      new Set(['client-127.0.0.2', 'client-127.0.0.3', 'client-127.0.0.4', 'client-127.0.0.5']),
    );
    for (const sent of ofType(events, 'message.sent')) expect(Buffer.byteLength(sent.text)).toBe(64);
    expect(ofType(events, 'message.failed')).toEqual([]);
    expect(l.snapshot().traffic.running).toBe(false);
  });

  it('persistent mode opens one balancer connection per client and attributes every reply', async () => {
    const { lab: l, events } = await lab();
    await l.execute({ type: 'traffic.start', rate: 200, clients: 3, connection: 'persistent' });
    await waitFor(() => ofType(events, 'message.replied').length >= 60, { label: 'replies' });
    await settle(l, events);
    const opened = ofType(events, 'conn.opened');
    expect(opened).toHaveLength(3);
    const replies = ofType(events, 'message.replied');
    expect(replies.length).toBe(ofType(events, 'message.sent').length);
    for (const reply of replies) {
      const conn = opened.find((o) => o.connId === reply.connId);
      expect(conn).toBeDefined();
      expect(reply.backendId).toBe(conn!.backendId);
      expect(reply.reply).toContain(`[Server ${conn!.backendId}]`);
    }
    await waitFor(() => ofType(events, 'conn.closed').length === 3, { label: 'persistent closes' });
    expect(ofType(events, 'conn.closed').every((c) => c.reason === 'completed')).toBe(true);
  });

  it('closed model through the Lab keeps at most `concurrency` messages in flight', async () => {
    const { lab: l, events } = await lab();
    let inFlight = 0;
    let max = 0;
    l.onEvent((e) => {
      if (e.type === 'message.sent') max = Math.max(max, ++inFlight);
      else if (e.type === 'message.replied' || e.type === 'message.failed') inFlight--;
    });
    await l.execute({ type: 'traffic.start', rate: 1, model: 'closed', concurrency: 3, thinkMs: 5 });
    await waitFor(() => ofType(events, 'message.replied').length >= 30, { label: 'closed-loop replies' });
    await settle(l, events);
    expect(max).toBeLessThanOrEqual(3);
    expect(max).toBeGreaterThan(0);
  });

  it('switching algorithm 20 times under 200/s traffic drops nothing', async () => {
    const { lab: l, events } = await lab(3);
    await l.execute({ type: 'traffic.start', rate: 200, clients: 5 });
    for (let i = 0; i < 20; i++) {
      const algorithm = ALGORITHMS[i % ALGORITHMS.length]!;
      expect(await l.execute({ type: 'balancer.setAlgorithm', algorithm })).toEqual({ ok: true });
      await pause(40);
    }
    await settle(l, events);
    expect(ofType(events, 'message.failed')).toEqual([]);
    expect(ofType(events, 'message.replied').length).toBeGreaterThan(100);
    expect(ofType(events, 'conn.closed').every((c) => c.reason === 'completed')).toBe(true);
  });

  it('a restart of traffic replaces the settings and traffic.state follows', async () => {
    const { lab: l, events } = await lab(1);
    await l.execute({ type: 'traffic.start', rate: 50 });
    await l.execute({ type: 'traffic.start', rate: 20, model: 'open', burst: { size: 5, everyMs: 100 } });
    expect(l.snapshot().traffic).toMatchObject({ running: true, rate: 20, model: 'open', burst: { size: 5, everyMs: 100 } });
    await settle(l, events);
    const states = ofType(events, 'traffic.state').map((e) => e.traffic.running);
    expect(states).toEqual([true, true, false]);
    expect(await l.execute({ type: 'traffic.start', rate: 10, model: 'bursty' })).toMatchObject({ ok: false });
  });
});
