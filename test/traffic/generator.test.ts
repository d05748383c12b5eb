import { afterEach, describe, expect, it } from 'vitest';
import { BackendServer } from '../../src/main/core/backend-server';
import { seededRandom } from '../../src/main/core/algorithms';
import {
  TrafficGenerator,
  clientAddresses,
  padMessage,
  resolveTrafficSettings,
  type TrafficSettings,
} from '../../src/main/core/traffic';
import { waitFor, within } from '../core/helpers';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function backend(delayMs = 0): Promise<BackendServer> {
  const server = new BackendServer({ id: 'b', port: 0, delayMs });
  await server.start();
  cleanups.push(() => server.kill());
  return server;
}

interface Run {
  sent: string[];
  replies: string[];
  failures: string[];
  maxInFlight: number;
  shed: number;
  generator: TrafficGenerator<number>;
}

/** Run a generator against a port for `ms`, then stop and wait (bounded) until everything settled. */
async function run(
  port: number,
  settings: Partial<TrafficSettings> & { rate: number },
  ms: number,
  extra: { random?: () => number; maxInFlight?: number } = {},
): Promise<Run> {
  let inFlight = 0;
  const result: Omit<Run, 'generator'> = { sent: [], replies: [], failures: [], maxInFlight: 0, shed: 0 };
  const generator = new TrafficGenerator<number>({
    host: '127.0.0.1',
    port,
    settings: resolveTrafficSettings(settings),
    ...extra,
    hooks: {
      send: (_client, text) => {
        result.sent.push(text);
        inFlight++;
        result.maxInFlight = Math.max(result.maxInFlight, inFlight);
        return result.sent.length;
      },
      replied: (_n, reply) => {
        inFlight--;
        result.replies.push(reply);
      },
      failed: (_n, error) => {
        inFlight--;
        result.failures.push(error);
      },
      shed: (count) => (result.shed += count),
    },
  });
  generator.start();
  await new Promise((resolve) => setTimeout(resolve, ms));
  generator.stop();
  await within(generator.drained(), 10_000, 'generator drained');
  return { ...result, generator };
}

describe('traffic settings', () => {
  it('fills defaults, pads to a byte size and picks loopback source addresses', () => {
    const s = resolveTrafficSettings({ rate: 5 });
    expect(s).toMatchObject({ model: 'steady', connection: 'per-message', clients: 1, burst: null, text: 'hello' });
    expect(Buffer.byteLength(padMessage('héllo', 64))).toBe(64);
    expect(padMessage('long text', 3)).toBe('long text');
    expect(clientAddresses(1, '127.0.0.1')).toEqual([undefined]);
    expect(clientAddresses(3, '127.0.0.1')).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.4']);
    expect(clientAddresses(2, '10.0.0.5')).toEqual([undefined, undefined]);
  });
});

describe('TrafficGenerator', () => {
  it('steady 200/s for 1 s sends 200 ± 15% and every message is answered', async () => {
    const server = await backend();
    const r = await run(server.port, { rate: 200 }, 1000);
    expect(r.sent.length).toBeGreaterThanOrEqual(170);
    expect(r.sent.length).toBeLessThanOrEqual(230);
    expect(r.failures).toEqual([]);
    expect(r.replies).toHaveLength(r.sent.length);
    expect(server.messagesServed).toBe(r.sent.length);
    expect(r.generator.counters).toMatchObject({ sent: r.sent.length, replied: r.sent.length, inFlight: 0, shed: 0 });
  });

  it('open model: Poisson arrivals at 300/s average within 15% over 2 s (seeded)', async () => {
    const server = await backend();
    const r = await run(server.port, { rate: 300, model: 'open' }, 2000, { random: seededRandom(42) });
    expect(r.sent.length).toBeGreaterThanOrEqual(510);
    expect(r.sent.length).toBeLessThanOrEqual(690);
    expect(r.failures).toEqual([]);
  });

  it('closed model never exceeds its concurrency and keeps sending after replies', async () => {
    const server = await backend(5);
    const r = await run(server.port, { rate: 1, model: 'closed', concurrency: 4, thinkMs: 0 }, 500);
    expect(r.maxInFlight).toBe(4);
    expect(r.sent.length).toBeGreaterThan(40);
    expect(r.failures).toEqual([]);
  });

  it('closed model think time spaces each user', async () => {
    const server = await backend();
    const r = await run(server.port, { rate: 1, model: 'closed', concurrency: 2, thinkMs: 100 }, 450);
    // Each user: send at ~0, 100, 200, 300, 400 → about 5 each.
    expect(r.sent.length).toBeGreaterThanOrEqual(6);
    expect(r.sent.length).toBeLessThanOrEqual(12);
  });

  it('caps messages in flight: excess arrivals are shed, not queued', async () => {
    const server = await backend(300);
    const r = await run(server.port, { rate: 500 }, 300, { maxInFlight: 10 });
    expect(r.maxInFlight).toBeLessThanOrEqual(10);
    expect(r.shed).toBeGreaterThan(50);
    expect(r.generator.counters.shed).toBe(r.shed);
    expect(r.failures).toEqual([]);
  });

  it('bursts add messages on top of the rate', async () => {
    const server = await backend();
    const r = await run(server.port, { rate: 1, burst: { size: 25, everyMs: 100 } }, 450);
    // One steady message at 0 plus bursts of 25 at 100, 200, 300, 400 ms (at least two even on a busy machine).
    expect(r.sent.length).toBeGreaterThanOrEqual(51);
    expect((r.sent.length - 1) % 25).toBe(0);
    expect(r.failures).toEqual([]);
  });

  it('persistent mode: replies arrive in order over one connection per client, padded to size', async () => {
    const server = await backend();
    const r = await run(server.port, { rate: 200, connection: 'persistent', size: 100, clients: 2 }, 400);
    expect(r.failures).toEqual([]);
    expect(r.replies).toHaveLength(r.sent.length);
    for (const text of r.sent) expect(Buffer.byteLength(text)).toBe(100);
    // Both clients' replies come back in their send order.
    for (const reply of r.replies) expect(reply).toMatch(/^\[Server b\] You said: 'hello #\d+\.+'$/);
    const numbers = r.replies.map((reply) => Number(/#(\d+)/.exec(reply)![1]));
    const odd = numbers.filter((n) => n % 2 === 1);
    expect(odd).toEqual([...odd].sort((a, b) => a - b));
    // Stopping closed both persistent connections gracefully.
    await waitFor(async () => (await server.getConnections()) === 0, { label: 'server side closed' });
  });

  it('reports a refused target as failures, not exceptions', async () => {
    const server = await backend();
    const port = server.port;
    await server.kill();
    const r = await run(port, { rate: 50 }, 200);
    expect(r.sent.length).toBeGreaterThan(3);
    expect(r.failures.length).toBe(r.sent.length);
    expect(r.failures[0]).toMatch(/refused/);
    const p = await run(port, { rate: 50, connection: 'persistent' }, 200);
    expect(p.failures.length).toBe(p.sent.length);
  });
});
