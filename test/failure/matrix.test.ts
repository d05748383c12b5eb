/** Every fault kind × every algorithm under live traffic: no unhandled errors, and the Lab still answers. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ALGORITHMS, type Faults } from '../../src/shared/protocol';
import { closeLabs, exchange, makeLab, pause } from './helpers';

const FAULTS: Array<[string, Faults]> = [
  ['latency', { latencyMs: 20, jitterMs: 10 }],
  ['bandwidth', { bandwidthKBps: 8 }],
  ['reset', { resetProbability: 0.5 }],
  ['refuse', { refuse: true }],
  ['black hole', { blackHole: true }],
  ['slow close', { slowCloseMs: 50 }],
];

const unexpected: unknown[] = [];
const onError = (error: unknown): void => {
  unexpected.push(error);
};
beforeAll(() => {
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
});
afterAll(() => {
  process.off('uncaughtException', onError);
  process.off('unhandledRejection', onError);
});
afterEach(closeLabs);

describe('fault × algorithm matrix', () => {
  it('survives every combination on both sides', async () => {
    const t = await makeLab({ backends: ['1', '2', '3'], healthChecks: true });
    await t.ok({
      type: 'balancer.setPolicy',
      policy: {
        healthCheck: { enabled: true, intervalMs: 100, timeoutMs: 100, rise: 1, fall: 1 },
        connectTimeoutMs: 200,
        idleTimeoutMs: 400,
      },
    });
    await t.ok({ type: 'backend.setLimits', id: '3', maxConnections: 2, queueSize: 2, queueTimeoutMs: 100 });
    await t.ok({ type: 'traffic.start', rate: 60, clients: 4 });
    for (const algorithm of ALGORITHMS) {
      await t.ok({ type: 'balancer.setAlgorithm', algorithm });
      for (const [, faults] of FAULTS) {
        await t.ok({ type: 'backend.setFaults', id: '1', side: 'balancer', faults });
        await t.ok({ type: 'backend.setFaults', id: '2', side: 'backend', faults });
        await pause(150);
        await t.ok({ type: 'backend.setFaults', id: '1', side: 'balancer', faults: {} });
        await t.ok({ type: 'backend.setFaults', id: '2', side: 'backend', faults: {} });
      }
    }
    await t.ok({ type: 'traffic.stop' });
    expect(unexpected).toEqual([]);
    const reply = await exchange(t.port, 'still here\n');
    expect(reply.data).toMatch(/You said: 'still here'/);
    expect(t.of('error')).toEqual([]);
    expect(t.of('conn.opened').length).toBeGreaterThan(100);
  }, 60_000);
});
