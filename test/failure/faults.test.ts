/** Every fault kind, on both sides, observable from a real client. */
import { afterEach, describe, expect, it } from 'vitest';
import { startEchoServer, stopServer } from '../core/helpers';
import { closeLabs, exchange, makeLab, open, pause } from './helpers';

afterEach(closeLabs);

async function oneBackend(): Promise<Awaited<ReturnType<typeof makeLab>>> {
  return makeLab({ backends: ['1'] });
}

describe('backend-side faults (inside our BackendServer)', () => {
  it('latency + jitter delays each reply', async () => {
    const t = await oneBackend();
    const base = await exchange(t.port, 'x\n');
    await t.ok({ type: 'backend.setFaults', id: '1', side: 'backend', faults: { latencyMs: 150, jitterMs: 20 } });
    const slow = await exchange(t.port, 'x\n');
    expect(slow.data).toBe(base.data);
    expect(slow.ms).toBeGreaterThanOrEqual(150);
    expect(t.lab.snapshot().backends[0]!.faults).toEqual({ backend: { latencyMs: 150, jitterMs: 20 }, balancer: {} });
  });

  it('bandwidth caps the replies', async () => {
    const t = await oneBackend();
    await t.ok({ type: 'backend.setFaults', id: '1', side: 'backend', faults: { bandwidthKBps: 16 } });
    const line = 'y'.repeat(2000);
    const result = await exchange(t.port, `${line}\n`.repeat(16), 8000);
    expect(result.data.length).toBeGreaterThan(32_000);
    expect(result.ms).toBeGreaterThanOrEqual(1500);
  });

  it('reset with probability 1 resets after the first message', async () => {
    const t = await oneBackend();
    await t.ok({ type: 'backend.setFaults', id: '1', side: 'backend', faults: { resetProbability: 1 } });
    const result = await exchange(t.port, 'x\n');
    expect(result.data).toBe('');
    expect(result.error).toBe('ECONNRESET');
    expect((await t.next('conn.closed')).reason).toBe('backend-reset');
  });

  it('black hole reads and never answers', async () => {
    const t = await oneBackend();
    await t.ok({ type: 'backend.setFaults', id: '1', side: 'backend', faults: { blackHole: true } });
    const client = await open(t.port);
    let got = 0;
    client.on('data', (c: Buffer) => (got += c.length));
    client.end('x\n');
    await pause(300);
    expect(got).toBe(0);
    expect(client.destroyed).toBe(false);
    client.destroy();
  });

  it('slow close delays our FIN', async () => {
    const t = await oneBackend();
    await t.ok({ type: 'backend.setFaults', id: '1', side: 'backend', faults: { slowCloseMs: 300 } });
    const result = await exchange(t.port, 'x\n');
    expect(result.data).toBe("[Server 1] You said: 'x'\n");
    expect(result.firstByteMs!).toBeLessThan(200);
    expect(result.ms).toBeGreaterThanOrEqual(290);
  });
});

describe('balancer-side faults (on the path to any backend)', () => {
  it('latency applies to both directions', async () => {
    const t = await oneBackend();
    await t.ok({ type: 'backend.setFaults', id: '1', side: 'balancer', faults: { latencyMs: 100 } });
    const result = await exchange(t.port, 'x\n');
    expect(result.data).toBe("[Server 1] You said: 'x'\n");
    expect(result.firstByteMs!).toBeGreaterThanOrEqual(195);
  });

  it('bandwidth cap: 128 KiB at 64 KiB/s takes about 2 s, bytes intact and in order', async () => {
    const echo = await startEchoServer();
    try {
      const t = await makeLab();
      await t.ok({ type: 'backend.addExternal', id: 'echo', host: '127.0.0.1', port: echo.port });
      await t.ok({ type: 'backend.setFaults', id: 'echo', side: 'balancer', faults: { bandwidthKBps: 64 } });
      const payload = Buffer.alloc(128 * 1024);
      for (let i = 0; i < payload.length; i++) payload[i] = i % 251;
      const result = await exchange(t.port, payload, 10_000);
      expect(result.raw.equals(payload)).toBe(true);
      expect(result.ms).toBeGreaterThanOrEqual(1500);
      const closed = await t.next('conn.closed');
      expect(closed).toMatchObject({ reason: 'completed', bytesUp: payload.length, bytesDown: payload.length });
    } finally {
      await stopServer(echo);
    }
  });

  it('reset with probability 1 closes with fault-reset', async () => {
    const t = await oneBackend();
    await t.ok({ type: 'backend.setFaults', id: '1', side: 'balancer', faults: { resetProbability: 1 } });
    const result = await exchange(t.port, 'x\n');
    expect(result.data).toBe('');
    expect(result.error).toBe('ECONNRESET');
    expect((await t.next('conn.closed')).reason).toBe('fault-reset');
  });

  it('refuse is a connect failure: retried elsewhere', async () => {
    const t = await makeLab({ backends: ['1', '2'] });
    await t.ok({ type: 'backend.setFaults', id: '1', side: 'balancer', faults: { refuse: true } });
    for (let i = 0; i < 3; i++) expect((await exchange(t.port, 'x\n')).data).toMatch(/Server 2/);
    const retry = await t.next('conn.retry');
    expect(retry).toMatchObject({ backendId: '1' });
    expect(retry.error).toMatch(/ECONNREFUSED.*injected/);
  });

  it('black hole connects and never forwards', async () => {
    const t = await oneBackend();
    await t.ok({ type: 'backend.setFaults', id: '1', side: 'balancer', faults: { blackHole: true } });
    const client = await open(t.port);
    let got = 0;
    client.on('data', (c: Buffer) => (got += c.length));
    client.end('x\n');
    await t.next('conn.opened');
    await pause(300);
    expect(got).toBe(0);
    expect(client.destroyed).toBe(false);
    expect(t.lab.snapshot().backends[0]!.messagesServed).toBe(0);
    client.destroy();
  });

  it('slow close delays forwarding the FIN', async () => {
    const t = await oneBackend();
    await t.ok({ type: 'backend.setFaults', id: '1', side: 'balancer', faults: { slowCloseMs: 300 } });
    const result = await exchange(t.port, 'x\n');
    expect(result.data).toBe("[Server 1] You said: 'x'\n");
    // The client's FIN is held 300 ms on the way up, and the backend's on the way down.
    expect(result.ms).toBeGreaterThanOrEqual(290);
  });

  it('works for external backends and clears with an empty set', async () => {
    const echo = await startEchoServer();
    try {
      const t = await makeLab();
      await t.ok({ type: 'backend.addExternal', id: 'echo', host: '127.0.0.1', port: echo.port });
      await t.ok({ type: 'backend.setFaults', id: 'echo', side: 'balancer', faults: { latencyMs: 80 } });
      expect((await exchange(t.port, 'abc')).firstByteMs!).toBeGreaterThanOrEqual(155);
      await t.ok({ type: 'backend.setFaults', id: 'echo', side: 'balancer', faults: {} });
      expect(t.lab.snapshot().backends[0]!.faults!.balancer).toEqual({});
      expect((await exchange(t.port, 'abc')).firstByteMs!).toBeLessThan(80);
    } finally {
      await stopServer(echo);
    }
  });
});
