/** Active health checks (rise/fall), closeOnDown, passive ejection and panic mode. */
import { afterEach, describe, expect, it } from 'vitest';
import { deadPort, startEchoServer, stopServer, waitFor } from '../core/helpers';
import { closeLabs, exchange, makeLab, open } from './helpers';

afterEach(closeLabs);

const FAST = { enabled: true, intervalMs: 100, timeoutMs: 100, rise: 2, fall: 2 };

describe('active health checks', () => {
  it('goes unknown → healthy after rise, unhealthy after fall, and back when the backend restarts', async () => {
    const t = await makeLab({ backends: ['1', '2'], healthChecks: true });
    await t.ok({ type: 'balancer.setPolicy', policy: { healthCheck: FAST } });
    const view = (): NonNullable<ReturnType<typeof t.lab.snapshot>['backends'][number]['health']> =>
      t.lab.snapshot().backends.find((b) => b.id === '1')!.health!;
    expect(['unknown', 'healthy']).toContain(view().status);
    await t.next('backend.state', (e) => e.backend.id === '1' && e.backend.health?.status === 'healthy');
    expect(view().successes).toBeGreaterThanOrEqual(2);

    await t.ok({ type: 'backend.kill', id: '1' });
    const down = await t.next('backend.state', (e) => e.backend.id === '1' && e.backend.health?.status === 'unhealthy');
    expect(down.backend.health!.failures).toBe(2);
    expect(down.backend.health!.last?.ok).toBe(false);
    const failedChecks = t.of('health.check').filter((c) => c.backendId === '1' && !c.ok);
    expect(failedChecks.length).toBeGreaterThanOrEqual(2);
    expect(failedChecks[0]!.error).toMatch(/ECONNREFUSED/);

    await t.ok({ type: 'backend.restart', id: '1' });
    const upAgain = await t.next(
      'backend.state',
      (e) => e.backend.id === '1' && e.backend.health?.status === 'healthy' && e.seq > down.seq,
    );
    const statuses = upAgain.backend.health!.history.map((h) => h.status);
    expect(statuses).toEqual(['unknown', 'healthy', 'unhealthy', 'healthy']);
    expect(upAgain.backend.health!.history.length).toBeLessThanOrEqual(20);
  });

  it('maint stops checks (disabled) and ready starts them again', async () => {
    const t = await makeLab({ backends: ['1', '2'], healthChecks: true });
    await t.ok({ type: 'balancer.setPolicy', policy: { healthCheck: FAST } });
    await t.ok({ type: 'backend.setAdmin', id: '1', admin: 'maint' });
    const snap = t.lab.snapshot().backends.find((b) => b.id === '1')!;
    expect(snap.admin).toBe('maint');
    expect(snap.health!.status).toBe('disabled');
    const before = t.of('health.check').filter((c) => c.backendId === '1').length;
    await waitFor(() => t.of('health.check').filter((c) => c.backendId === '2').length >= 3, { label: 'checks of 2' });
    expect(t.of('health.check').filter((c) => c.backendId === '1').length).toBe(before);
    await t.ok({ type: 'backend.setAdmin', id: '1', admin: 'ready' });
    await t.next('backend.state', (e) => e.backend.id === '1' && e.backend.health?.status === 'healthy');
  });

  it('per-backend check settings override the policy defaults', async () => {
    const t = await makeLab({ backends: ['1'], healthChecks: true });
    await t.ok({ type: 'backend.setHealthCheck', id: '1', check: { intervalMs: 150, rise: 1 } });
    const health = t.lab.snapshot().backends[0]!.health!;
    expect(health.check).toMatchObject({ enabled: true, intervalMs: 150, rise: 1, fall: 2, timeoutMs: 1000 });
    await t.next('backend.state', (e) => e.backend.health?.status === 'healthy');
    await t.ok({ type: 'backend.setHealthCheck', id: '1', check: { enabled: false } });
    expect(t.lab.snapshot().backends[0]!.health!.status).toBe('disabled');
  });

  it('closeOnDown closes open connections of a backend marked down (reason backend-down)', async () => {
    const echo = await startEchoServer();
    try {
      const t = await makeLab({ healthChecks: true });
      await t.ok({ type: 'balancer.setPolicy', policy: { healthCheck: FAST, closeOnDown: true } });
      await t.ok({ type: 'backend.addExternal', id: 'echo', host: '127.0.0.1', port: echo.port });
      const client = await open(t.port);
      await t.next('conn.opened');
      // The listener goes away; the open connection stays up until the checks mark the backend down.
      await new Promise<void>((resolve) => echo.server.close(() => resolve()));
      const closed = await t.next('conn.closed', undefined, 5000);
      expect(closed.reason).toBe('backend-down');
      expect(t.lab.snapshot().backends[0]!.health!.status).toBe('unhealthy');
      client.destroy();
    } finally {
      await stopServer(echo);
    }
  });
});

describe('passive ejection', () => {
  it('ejects after consecutive connect failures for base × count, capped, and returns by itself', async () => {
    const t = await makeLab({ backends: ['ok'] });
    await t.ok({ type: 'backend.addExternal', id: 'dead', host: '127.0.0.1', port: await deadPort() });
    await t.ok({
      type: 'balancer.setPolicy',
      policy: {
        ejection: { enabled: true, consecutiveFailures: 2, baseMs: 150, maxMs: 250 },
        panicThresholdPercent: 0,
      },
    });
    const durations: number[] = [];
    for (let round = 1; round <= 3; round++) {
      // Round robin alternates, so a few exchanges make 'dead' fail twice; each still succeeds via 'ok'.
      for (let i = 0; i < 4 && t.of('backend.ejected').length < round; i++) {
        const result = await exchange(t.port, 'hi\n');
        expect(result.data).toBe("[Server ok] You said: 'hi'\n");
      }
      const ejected = await t.next('backend.ejected', (e) => e.count === round);
      expect(ejected.backendId).toBe('dead');
      durations.push(ejected.untilT - ejected.t);
      expect(t.lab.snapshot().backends.find((b) => b.id === 'dead')!.ejection).toEqual({
        untilT: ejected.untilT,
        count: round,
      });
      // While ejected, nothing is sent its way.
      const retriesBefore = t.of('conn.retry').length;
      await exchange(t.port, 'x\n');
      expect(t.of('conn.retry').length).toBe(retriesBefore);
      await waitFor(() => t.lab.snapshot().backends.find((b) => b.id === 'dead')!.ejection === null, {
        timeoutMs: 2000,
        label: 'return from ejection',
      });
    }
    expect(durations[0]).toBeCloseTo(150, -1);
    expect(durations[1]).toBeCloseTo(250, -1);
    expect(durations[2]).toBeCloseTo(250, -1);
  });
});

describe('panic mode', () => {
  it('balances across all backends when fewer than the threshold are healthy', async () => {
    const t = await makeLab({ backends: ['1', '2', '3'], healthChecks: true });
    // Ejection off: the refused attempts made in panic would otherwise eject 1 and 2 as well.
    await t.ok({
      type: 'balancer.setPolicy',
      policy: {
        healthCheck: FAST,
        panicThresholdPercent: 50,
        ejection: { enabled: false, consecutiveFailures: 5, baseMs: 30_000, maxMs: 300_000 },
      },
    });
    await t.ok({ type: 'backend.setFaults', id: '1', side: 'balancer', faults: { refuse: true } });
    await t.next('backend.state', (e) => e.backend.id === '1' && e.backend.health?.status === 'unhealthy');
    expect(t.lab.snapshot().balancer.panic).toBe(false);
    // 1 of 3 unhealthy: new connections avoid it.
    const retries = t.of('conn.retry').length;
    for (let i = 0; i < 4; i++) expect((await exchange(t.port, 'a\n')).data).toMatch(/Server [23]/);
    expect(t.of('conn.retry').length).toBe(retries);

    await t.ok({ type: 'backend.setFaults', id: '2', side: 'balancer', faults: { refuse: true } });
    const panic = await t.next('balancer.state', (e) => e.balancer.panic === true);
    expect(panic.balancer.policy?.panicThresholdPercent).toBe(50);
    // In panic, unhealthy backends are picked again (and refuse, so the retry path carries the traffic).
    for (let i = 0; i < 6; i++) expect((await exchange(t.port, 'b\n')).data).toMatch(/Server 3/);
    expect(t.of('conn.retry').length).toBeGreaterThan(retries);

    await t.ok({ type: 'backend.setFaults', id: '1', side: 'balancer', faults: {} });
    await t.ok({ type: 'backend.setFaults', id: '2', side: 'balancer', faults: {} });
    await t.next('balancer.state', (e) => e.balancer.panic === false && e.seq > panic.seq);
  });
});
