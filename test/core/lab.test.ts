import { afterEach, describe, expect, it } from 'vitest';
import type { LabEvent } from '../../src/shared/protocol';
import { Lab, createSeedLab } from '../../src/main/core/lab';
import { BackendServer } from '../../src/main/core/backend-server';
import { waitFor, within } from './helpers';

const labs: Lab[] = [];
afterEach(async () => {
  for (const lab of labs.splice(0)) await lab.close();
});

async function seedLab(): Promise<{ lab: Lab; events: LabEvent[] }> {
  const lab = await createSeedLab({ balancerPort: 0, backendPorts: [0, 0] });
  labs.push(lab);
  const events: LabEvent[] = [];
  lab.onEvent((e) => events.push(e));
  return { lab, events };
}

type Of<T extends LabEvent['type']> = Extract<LabEvent, { type: T }>;
function ofType<T extends LabEvent['type']>(events: LabEvent[], type: T): Array<Of<T>> {
  return events.filter((e): e is Of<T> => e.type === type);
}

describe('Lab', () => {
  it('validates commands and answers with one line', async () => {
    const { lab } = await seedLab();
    const port1 = lab.snapshot().backends[0]!.port;
    const cases: Array<[unknown, RegExp]> = [
      [{ type: 'backend.add', id: '3', port: 70000 }, /port must be between 1 and 65535/],
      [{ type: 'backend.add', id: '1', port: 6001 }, /backend id 1 already exists/],
      [{ type: 'backend.add', id: '9', port: port1 }, new RegExp(`port ${port1} is already in use`)],
      [{ type: 'backend.kill', id: '7' }, /unknown backend 7/],
      [{ type: 'nope' }, /.+/],
      [null, /.+/],
      [{ type: 'message.send', text: 'a\nb' }, /single line/],
    ];
    for (const [command, expected] of cases) {
      const result = await lab.execute(command);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error).toMatch(expected);
        expect(result.error).not.toContain('\n');
      }
    }
    expect(lab.snapshot().backends.map((b) => b.id)).toEqual(['1', '2']);
    await lab.execute({ type: 'backend.addExternal', id: 'ext', host: '127.0.0.1', port: 1 });
    expect(await lab.execute({ type: 'backend.stop', id: 'ext' })).toEqual({
      ok: false,
      error: 'backend ext is external: the lab does not run it',
    });
  });

  it('runs the seed scenario: replies alternate and carry the balancer connection', async () => {
    const { lab, events } = await seedLab();
    for (let i = 0; i < 4; i++) {
      expect(await lab.execute({ type: 'message.send', text: 'hello' })).toEqual({ ok: true });
      await waitFor(() => ofType(events, 'message.replied').length === i + 1, { label: `reply ${i + 1}` });
    }
    const replies = ofType(events, 'message.replied');
    expect(replies.map((r) => r.reply)).toEqual([
      "[Server 1] You said: 'hello'",
      "[Server 2] You said: 'hello'",
      "[Server 1] You said: 'hello'",
      "[Server 2] You said: 'hello'",
    ]);
    expect(replies.map((r) => r.backendId)).toEqual(['1', '2', '1', '2']);
    const opened = ofType(events, 'conn.opened');
    for (const reply of replies)
      expect(opened.some((o) => o.connId === reply.connId && o.backendId === reply.backendId)).toBe(true);
    expect(ofType(events, 'message.sent')).toHaveLength(4);
    await waitFor(() => ofType(events, 'conn.closed').length === 4, { label: 'closes' });
    expect(ofType(events, 'conn.closed').every((c) => c.reason === 'completed')).toBe(true);
    for (let i = 1; i < events.length; i++) expect(events[i]!.seq).toBeGreaterThan(events[i - 1]!.seq);
    for (let i = 1; i < events.length; i++) expect(events[i]!.t).toBeGreaterThanOrEqual(events[i - 1]!.t);
    const snap = lab.snapshot();
    expect(snap.seq).toBe(events[events.length - 1]!.seq);
    await waitFor(() => lab.snapshot().backends.every((b) => b.messagesServed === 2), { label: 'served counts' });
  });

  it('keeps serving on the other backend when one is killed, and again after restart', async () => {
    const { lab, events } = await seedLab();
    expect(await lab.execute({ type: 'traffic.start', rate: 200 })).toEqual({ ok: true });
    await waitFor(() => new Set(ofType(events, 'message.replied').map((r) => r.backendId)).size === 2, {
      label: 'both serve',
    });
    expect(await lab.execute({ type: 'backend.kill', id: '1' })).toEqual({ ok: true });
    expect(lab.snapshot().backends[0]!.state).toBe('killed');
    const afterKill = events.length;
    await waitFor(() => ofType(events.slice(afterKill), 'message.replied').length >= 20, {
      label: 'traffic continues',
    });
    const repliedAfterKill = ofType(events.slice(afterKill), 'message.replied');
    // A connection accepted just before the kill may still be answered by 1; after that only 2 serves.
    expect(repliedAfterKill.slice(5).every((r) => r.backendId === '2')).toBe(true);
    expect(ofType(events, 'backend.state').some((e) => e.backend.id === '1' && e.backend.state === 'killed')).toBe(
      true,
    );

    expect(await lab.execute({ type: 'backend.restart', id: '1' })).toEqual({ ok: true });
    const afterRestart = events.length;
    await waitFor(() => ofType(events.slice(afterRestart), 'message.replied').some((r) => r.backendId === '1'), {
      label: 'served again',
    });
    expect(await lab.execute({ type: 'traffic.stop' })).toEqual({ ok: true });
    expect(lab.snapshot().traffic.running).toBe(false);
    for (let i = 1; i < events.length; i++) expect(events[i]!.seq).toBeGreaterThan(events[i - 1]!.seq);
  });

  it('fails in-flight messages of a killed backend with reason backend-reset', async () => {
    const { lab, events } = await seedLab();
    await lab.execute({ type: 'backend.setDelay', id: '1', delayMs: 10_000 });
    await lab.execute({ type: 'message.send', text: 'stuck' });
    await waitFor(() => ofType(events, 'conn.opened').length === 1, { label: 'opened' });
    await waitFor(() => lab.snapshot().backends[0]!.activeConnections === 1, { label: 'active' });
    await lab.execute({ type: 'backend.kill', id: '1' });
    await waitFor(() => ofType(events, 'message.failed').length === 1, { label: 'message failed', timeoutMs: 3000 });
    const failed = ofType(events, 'message.failed')[0]!;
    expect(failed.backendId).toBe('1');
    expect(failed.connId).toBe(ofType(events, 'conn.opened')[0]!.connId);
    await waitFor(() => ofType(events, 'conn.closed').length === 1, { label: 'closed' });
    expect(ofType(events, 'conn.closed')[0]!.reason).toBe('backend-reset');
  });

  it('switches algorithms live and emits balancer.state', async () => {
    const { lab, events } = await seedLab();
    expect(await lab.execute({ type: 'balancer.setAlgorithm', algorithm: 'least-connections' })).toEqual({ ok: true });
    expect(lab.snapshot().balancer.algorithm).toBe('least-connections');
    expect(ofType(events, 'balancer.state').at(-1)!.balancer.algorithm).toBe('least-connections');
    await lab.execute({ type: 'message.send', text: 'hi' });
    await waitFor(() => ofType(events, 'message.replied').length === 1, { label: 'reply' });
  });

  it('emits conn.bytes deltas that add up to the connection totals', async () => {
    const { lab, events } = await seedLab();
    for (let i = 0; i < 3; i++) await lab.execute({ type: 'message.send', text: `bytes ${i}` });
    await waitFor(() => ofType(events, 'conn.closed').length === 3, { label: 'closes' });
    for (const close of ofType(events, 'conn.closed')) {
      const bytes = ofType(events, 'conn.bytes').filter((b) => b.connId === close.connId);
      expect(bytes.reduce((n, b) => n + b.up, 0)).toBe(close.bytesUp);
      expect(bytes.reduce((n, b) => n + b.down, 0)).toBe(close.bytesDown);
    }
  });

  it('removes a backend, adds one, and survives a throwing listener', async () => {
    const { lab, events } = await seedLab();
    lab.onEvent(() => {
      throw new Error('bad listener');
    });
    expect(await lab.execute({ type: 'backend.remove', id: '2' })).toEqual({ ok: true });
    expect(ofType(events, 'backend.removed')).toEqual([expect.objectContaining({ backendId: '2' })]);
    const free = new BackendServer({ id: 'probe', port: 0 });
    const { port } = await free.start();
    await free.stop();
    expect(await lab.execute({ type: 'backend.add', id: '3', port, weight: 2 })).toEqual({ ok: true });
    const snap = (await lab.execute({ type: 'lab.snapshot' })) as { ok: true; snapshot: ReturnType<Lab['snapshot']> };
    expect(snap.snapshot.backends.map((b) => [b.id, b.state, b.weight])).toEqual([
      ['1', 'up', 1],
      ['3', 'up', 2],
    ]);
  });

  it('close() is idempotent and leaves nothing listening', async () => {
    const lab = await createSeedLab({ balancerPort: 0, backendPorts: [0, 0] });
    const { port } = lab.balancerAddress;
    await lab.execute({ type: 'traffic.start', rate: 100 });
    await within(Promise.all([lab.close(), lab.close()]), 5000, 'close');
    const snap = lab.snapshot();
    expect(snap.balancer.listening).toBe(false);
    expect(snap.backends.every((b) => b.state === 'stopped')).toBe(true);
    expect(snap.traffic.running).toBe(false);
    expect(await lab.execute({ type: 'message.send', text: 'late' })).toEqual({
      ok: false,
      error: 'the lab is closed',
    });
    const again = await Lab.create({ balancerPort: port });
    labs.push(again);
    expect(again.balancerAddress.port).toBe(port);
  });

  it('rejects creation on a port in use', async () => {
    const { lab } = await seedLab();
    await expect(Lab.create({ balancerPort: lab.balancerAddress.port })).rejects.toThrow(/already in use/);
  });
});
