/** Retries, connect and idle timeouts, maxconn queues and the admin lifecycle (drain, maint, kill). */
import { afterEach, describe, expect, it } from 'vitest';
import { deadPort, startEchoServer, stopServer, waitFor } from '../core/helpers';
import { closeLabs, exchange, makeLab, open, pause, readLine, stalledListener } from './helpers';

afterEach(closeLabs);

describe('retries', () => {
  it('a refused connect goes to another backend, unseen by the client, with conn.retry', async () => {
    const t = await makeLab({ backends: ['1', '2'] });
    await t.ok({ type: 'backend.setFaults', id: '1', side: 'backend', faults: { refuse: true } });
    for (let i = 0; i < 4; i++) {
      const result = await exchange(t.port, `m${i}\n`);
      expect(result.error).toBeNull();
      expect(result.data).toBe(`[Server 2] You said: 'm${i}'\n`);
    }
    const retries = t.of('conn.retry');
    expect(retries.length).toBeGreaterThanOrEqual(2);
    expect(retries.every((r) => r.backendId === '1' && /ECONNREFUSED/.test(r.error))).toBe(true);
    const opened = t.of('conn.opened').find((o) => o.connId === retries[0]!.connId)!;
    expect(opened.retried).toEqual(['1']);
    expect(t.lab.snapshot().backends.find((b) => b.id === '1')!.faults!.backend).toEqual({ refuse: true });
    // Refuse off: the listener is back on the same port.
    await t.ok({ type: 'backend.setFaults', id: '1', side: 'backend', faults: {} });
    const served = new Set<string>();
    for (let i = 0; i < 4; i++) served.add((await exchange(t.port, 'x\n')).data.slice(0, 10));
    expect(served.size).toBe(2);
  });

  it('retries are bounded by policy.retries, then the client is closed (no-backend)', async () => {
    const t = await makeLab({ backends: [] });
    for (const id of ['a', 'b', 'c'])
      await t.ok({ type: 'backend.addExternal', id, host: '127.0.0.1', port: await deadPort() });
    await t.ok({ type: 'balancer.setPolicy', policy: { retries: 1 } });
    const result = await exchange(t.port, 'hi\n');
    expect(result.data).toBe('');
    const closed = await t.next('conn.closed');
    expect(closed.reason).toBe('no-backend');
    expect(t.of('conn.retry').filter((r) => r.connId === closed.connId)).toHaveLength(2);
  });

  it('a connect timeout to a listener that never accepts moves on to the next backend', async () => {
    const stalled = await stalledListener();
    try {
      const t = await makeLab({ backends: ['ok'] });
      await t.ok({ type: 'backend.addExternal', id: 'stalled', host: '127.0.0.1', port: stalled.port });
      await t.ok({ type: 'balancer.setPolicy', policy: { connectTimeoutMs: 150 } });
      const results = await Promise.all([exchange(t.port, 'a\n'), exchange(t.port, 'b\n')]);
      for (const r of results) expect(r.data).toMatch(/^\[Server ok\]/);
      const retry = await t.next('conn.retry');
      expect(retry.backendId).toBe('stalled');
      expect(retry.error).toMatch(/connect timeout after 150 ms/);
      expect(Math.max(...results.map((r) => r.ms))).toBeGreaterThanOrEqual(140);
    } finally {
      await stalled.release();
    }
  });
});

describe('idle timeout', () => {
  it('a trickle keeps the connection open; silence closes it with idle-timeout', async () => {
    const echo = await startEchoServer();
    try {
      const idle = 300;
      const t = await makeLab();
      await t.ok({ type: 'backend.addExternal', id: 'echo', host: '127.0.0.1', port: echo.port });
      await t.ok({ type: 'balancer.setPolicy', policy: { idleTimeoutMs: idle } });
      const client = await open(t.port);
      let echoed = 0;
      client.on('data', (chunk: Buffer) => (echoed += chunk.length));
      const startedAt = performance.now();
      // 1 byte every idle/3 for 3 × idle.
      while (performance.now() - startedAt < 3 * idle) {
        client.write('.');
        await pause(idle / 3);
      }
      expect(t.of('conn.closed')).toHaveLength(0);
      expect(echoed).toBeGreaterThanOrEqual(8);
      const silentFrom = performance.now();
      const closed = await t.next('conn.closed', undefined, 3000);
      const silentMs = performance.now() - silentFrom;
      expect(closed.reason).toBe('idle-timeout');
      expect(silentMs).toBeGreaterThanOrEqual(idle - 100);
      expect(silentMs).toBeLessThan(idle * 2 + 200);
      client.destroy();
    } finally {
      await stopServer(echo);
    }
  });
});

describe('limits and queue', () => {
  it('queues FIFO when the backend is full, hands over freed slots in order, and times out', async () => {
    const echo = await startEchoServer();
    try {
      const t = await makeLab();
      await t.ok({ type: 'backend.addExternal', id: 'echo', host: '127.0.0.1', port: echo.port });
      await t.ok({ type: 'backend.setLimits', id: 'echo', maxConnections: 1, queueSize: 2, queueTimeoutMs: 600 });
      const a = await open(t.port);
      await t.next('conn.opened');
      const b = await open(t.port);
      const qb = await t.next('conn.queued', (e) => e.position === 1);
      const c = await open(t.port);
      const qc = await t.next('conn.queued', (e) => e.position === 2);
      expect(t.lab.snapshot().backends[0]!.queueLength).toBe(2);
      // Queue full and no other backend: closed at once.
      const d = await exchange(t.port, 'x\n');
      expect(d.data).toBe('');
      expect((await t.next('conn.closed')).reason).toBe('no-backend');
      // Bytes sent while queued wait in the paused socket and arrive once connected.
      b.write('from b\n');
      c.write('from c\n');
      a.destroy();
      const first = await t.next('conn.dequeued');
      expect(first).toMatchObject({ connId: qb.connId, outcome: 'connected' });
      expect(await readLine(b)).toBe('from b');
      // c is still waiting behind the single slot b holds now, and times out.
      const timedOut = await t.next('conn.dequeued', (e) => e.connId === qc.connId, 3000);
      expect(timedOut.outcome).toBe('timeout');
      expect(timedOut.waitedMs).toBeGreaterThanOrEqual(550);
      expect((await t.next('conn.closed', (e) => e.connId === qc.connId)).reason).toBe('queue-timeout');
      expect(t.lab.snapshot().backends[0]!.queueLength).toBe(0);
      b.destroy();
      c.destroy();
    } finally {
      await stopServer(echo);
    }
  });

  it('a full backend is skipped while another has room', async () => {
    const t = await makeLab({ backends: ['1', '2'] });
    await t.ok({ type: 'backend.setLimits', id: '1', maxConnections: 1, queueSize: 5 });
    const held = await open(t.port);
    const first = await t.next('conn.opened');
    expect(first.backendId).toBe('1');
    for (let i = 0; i < 3; i++) expect((await exchange(t.port, 'x\n')).data).toMatch(/Server 2/);
    expect(t.of('conn.queued')).toHaveLength(0);
    held.destroy();
  });
});

describe('lifecycle', () => {
  it('drain keeps open flows and sends new connections elsewhere', async () => {
    const t = await makeLab({ backends: ['1', '2'] });
    const flow = await open(t.port);
    const opened = await t.next('conn.opened');
    expect(opened.backendId).toBe('1');
    await t.ok({ type: 'backend.setAdmin', id: '1', admin: 'drain' });
    expect(t.lab.snapshot().backends[0]!.admin).toBe('drain');
    for (let i = 0; i < 3; i++) expect((await exchange(t.port, 'new\n')).data).toMatch(/Server 2/);
    flow.end('still here\n');
    expect(await readLine(flow)).toBe("[Server 1] You said: 'still here'");
    const closed = await t.next('conn.closed', (e) => e.connId === opened.connId);
    expect(closed.reason).toBe('completed');
  });

  it('maint takes no new connections, leaves open ones to finish, and stops checks', async () => {
    const t = await makeLab({ backends: ['1', '2'], healthChecks: true });
    const flow = await open(t.port);
    await t.next('conn.opened', (e) => e.backendId === '1');
    await t.ok({ type: 'backend.setAdmin', id: '1', admin: 'maint' });
    const view = t.lab.snapshot().backends[0]!;
    expect(view.admin).toBe('maint');
    expect(view.health!.status).toBe('disabled');
    for (let i = 0; i < 3; i++) expect((await exchange(t.port, 'new\n')).data).toMatch(/Server 2/);
    flow.end('old\n');
    expect(await readLine(flow)).toBe("[Server 1] You said: 'old'");
  });

  it('kill resets open flows', async () => {
    const t = await makeLab({ backends: ['1', '2'] });
    const flow = await open(t.port);
    const opened = await t.next('conn.opened');
    await t.ok({ type: 'backend.kill', id: opened.backendId });
    const closed = await t.next('conn.closed');
    expect(closed.reason).toBe('backend-reset');
    await waitFor(() => flow.destroyed, { label: 'client closed' });
  });

  it('rejects bad failure commands with one line', async () => {
    const t = await makeLab({ backends: ['1'] });
    await t.ok({ type: 'backend.addExternal', id: 'ext', host: '127.0.0.1', port: 1 });
    const cases: Array<[unknown, RegExp]> = [
      [
        { type: 'backend.setFaults', id: 'ext', side: 'backend', faults: { latencyMs: 5 } },
        /ext is external.*side 'balancer'/,
      ],
      [{ type: 'backend.setFaults', id: 'nope', side: 'balancer', faults: {} }, /unknown backend nope/],
      [{ type: 'backend.setFaults', id: '1', side: 'middle', faults: {} }, /side must be 'backend' or 'balancer'/],
      [{ type: 'backend.setFaults', id: '1', side: 'backend', faults: { resetProbability: 2 } }, /probability/],
      [{ type: 'backend.setAdmin', id: '1', admin: 'off' }, /.+/],
      [{ type: 'backend.setLimits', id: '1', maxConnections: -1 }, /max connections/],
      [{ type: 'backend.setHealthCheck', id: 'zz', check: {} }, /unknown backend zz/],
      [{ type: 'backend.setHealthCheck', id: '1', check: { rise: 0 } }, /rise must be between 1 and 100/],
      [{ type: 'balancer.setPolicy', policy: { retries: 99 } }, /retries/],
      [
        {
          type: 'balancer.setPolicy',
          policy: { ejection: { enabled: true, consecutiveFailures: 1, baseMs: 500, maxMs: 200 } },
        },
        /maxMs/,
      ],
    ];
    for (const [command, expected] of cases) {
      const result = await t.lab.execute(command);
      expect(result.ok, JSON.stringify(command)).toBe(false);
      if (!result.ok) {
        expect(result.error).toMatch(expected);
        expect(result.error).not.toContain('\n');
      }
    }
  });
});
