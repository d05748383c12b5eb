/**
 * Soak: many short connections (default 50,000; SOAK_CONNECTIONS) at concurrency 64 with random faults
 * switched on and off, bounded by a hard time limit (SOAK_SECONDS, default 120). Afterwards the balancer
 * holds nothing: no connections, no queues, no relayed sockets, handle counts and heap back near baseline.
 */
import net from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import type { Faults } from '../../src/shared/protocol';
import { seededRandom } from '../../src/main/core/algorithms/seeded-random';
import { waitFor } from '../core/helpers';
import { closeLabs, makeLab, pause } from './helpers';

const TARGET = Number(process.env.SOAK_CONNECTIONS ?? 50_000);
const LIMIT_MS = Number(process.env.SOAK_SECONDS ?? 120) * 1000;
const CONCURRENCY = 64;

afterEach(closeLabs);

/** One message exchange that never rejects and never outlives timeoutMs. */
function shortExchange(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    let got = 0;
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('connect', () => socket.end('soak\n'));
    socket.on('data', (c: Buffer) => (got += c.length));
    socket.on('end', () => socket.destroy());
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(got > 0);
    });
  });
}

// A real collection before each heap reading, so the comparison measures what is retained, not garbage.
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

/** The test helper records every event for assertions; drop that record so only the Lab's own heap counts. */
function settledHeap(recorded: unknown[]): number {
  recorded.length = 0;
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

function resourceCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

function randomFaults(random: () => number): Faults {
  const roll = random();
  if (roll < 0.3) return {};
  if (roll < 0.5) return { latencyMs: Math.floor(random() * 3), jitterMs: 2 };
  if (roll < 0.65) return { resetProbability: 0.05 };
  if (roll < 0.75) return { refuse: true };
  if (roll < 0.8) return { blackHole: true };
  if (roll < 0.9) return { slowCloseMs: 5 };
  return { bandwidthKBps: 512 };
}

describe('soak', () => {
  it(
    `${TARGET} connections with random faults leave nothing behind`,
    async () => {
      const random = seededRandom(42);
      const t = await makeLab({ backends: ['1', '2', '3'], random });
      await t.ok({
        type: 'balancer.setPolicy',
        policy: {
          connectTimeoutMs: 300,
          idleTimeoutMs: 300,
          ejection: { enabled: true, consecutiveFailures: 5, baseMs: 200, maxMs: 1000 },
        },
      });
      await t.ok({ type: 'backend.setLimits', id: '3', maxConnections: 16, queueSize: 32, queueTimeoutMs: 200 });
      // Warm up (JIT, relay listener) before the baseline.
      await t.ok({ type: 'backend.setFaults', id: '1', side: 'balancer', faults: { latencyMs: 1 } });
      for (let i = 0; i < 50; i++) await shortExchange(t.port, 1000);
      await t.ok({ type: 'backend.setFaults', id: '1', side: 'balancer', faults: {} });
      await waitFor(() => t.lab.snapshot().balancer.activeConnections === 0, { label: 'warm-up idle' });
      await pause(50);
      const baseline = resourceCounts();
      const heapBefore = settledHeap(t.events);

      const startedAt = performance.now();
      let started = 0;
      let replied = 0;
      const faultTimer = setInterval(() => {
        const id = String(1 + Math.floor(random() * 3));
        const side = random() < 0.5 ? 'balancer' : 'backend';
        void t.lab.execute({ type: 'backend.setFaults', id, side, faults: randomFaults(random) });
      }, 200);
      const worker = async (): Promise<void> => {
        while (started < TARGET && performance.now() - startedAt < LIMIT_MS) {
          started++;
          if (await shortExchange(t.port, 1500)) replied++;
        }
      };
      try {
        await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      } finally {
        clearInterval(faultTimer);
      }
      const elapsedMs = performance.now() - startedAt;
      for (const id of ['1', '2', '3'])
        for (const side of ['balancer', 'backend'] as const)
          await t.ok({ type: 'backend.setFaults', id, side, faults: {} });

      await waitFor(() => t.lab.snapshot().balancer.activeConnections === 0, {
        timeoutMs: 5000,
        label: 'balancer idle',
      });
      await waitFor(async () => (await t.lab['balancer'].getConnections()) === 0, {
        timeoutMs: 5000,
        label: 'listener idle',
      });
      const balancer = t.lab['balancer'];
      expect(balancer.queuedConnections).toBe(0);
      await waitFor(() => balancer.relayedConnections === 0, { timeoutMs: 5000, label: 'relay idle' });
      for (const b of t.lab.snapshot().backends) {
        expect(b.activeConnections).toBe(0);
        expect(b.queueLength).toBe(0);
      }
      await pause(100);
      const after = resourceCounts();
      const heapAfter = settledHeap(t.events);
      const report = {
        connections: started,
        replied,
        elapsedMs: Math.round(elapsedMs),
        perSecond: Math.round((started / elapsedMs) * 1000),
        baseline,
        after,
        heapBeforeMB: +(heapBefore / 2 ** 20).toFixed(1),
        heapAfterMB: +(heapAfter / 2 ** 20).toFixed(1),
      };
      console.log(`soak: ${JSON.stringify(report)}`);
      expect(started).toBeGreaterThan(Math.min(TARGET, 1000));
      expect(replied).toBeGreaterThan(started * 0.3);
      for (const type of new Set([...Object.keys(baseline), ...Object.keys(after)]))
        expect(Math.abs((after[type] ?? 0) - (baseline[type] ?? 0)), type).toBeLessThanOrEqual(4);
      // Retained heap back near its baseline: a leak of even a few hundred bytes per connection would exceed this.
      expect(heapAfter - heapBefore).toBeLessThan(8 * 2 ** 20);
    },
    LIMIT_MS + 60_000,
  );
});
