import { describe, expect, it } from 'vitest';
import {
  delayCommand,
  faultChips,
  faultsCommand,
  faultsDraft,
  healthCheckCommand,
  lastCheckText,
  limitsCommand,
  policyCommand,
  policyDraft,
  queueText,
  riseFallText,
  sideFaultChips,
  type FaultsDraft,
} from './failureInputs';

const noFaults: FaultsDraft = faultsDraft(undefined);

describe('healthCheckCommand', () => {
  it('builds backend.setHealthCheck from good values', () => {
    const result = healthCheckCommand('1', { enabled: true, intervalMs: '500', timeoutMs: '200', rise: '2', fall: '3' });
    expect(result).toEqual({
      ok: true,
      command: {
        type: 'backend.setHealthCheck',
        id: '1',
        check: { enabled: true, intervalMs: 500, timeoutMs: 200, rise: 2, fall: 3 },
      },
    });
  });

  it('names every bad field with the shared schema messages', () => {
    const result = healthCheckCommand('1', { enabled: true, intervalMs: '50', timeoutMs: 'abc', rise: '0', fall: '1.5' });
    expect(result).toEqual({
      ok: false,
      errors: {
        timeoutMs: 'must be a number',
      },
    });
    const again = healthCheckCommand('1', { enabled: true, intervalMs: '50', timeoutMs: '20', rise: '0', fall: '1.5' });
    expect(again).toEqual({
      ok: false,
      errors: {
        intervalMs: 'interval must be at least 100 ms',
        rise: 'rise must be between 1 and 100',
        fall: 'must be a whole number',
      },
    });
  });
});

describe('limitsCommand and delayCommand', () => {
  it('treats empty max/queue as 0 and checks ranges', () => {
    expect(limitsCommand('2', { maxConnections: '', queueSize: '', queueTimeoutMs: '1000' })).toEqual({
      ok: true,
      command: { type: 'backend.setLimits', id: '2', maxConnections: 0, queueSize: 0, queueTimeoutMs: 1000 },
    });
    expect(limitsCommand('2', { maxConnections: '-1', queueSize: '5', queueTimeoutMs: '0' })).toEqual({
      ok: false,
      errors: { maxConnections: 'max connections must be 0 (unlimited) or more', queueTimeoutMs: 'must be at least 1' },
    });
  });

  it('checks the delay', () => {
    expect(delayCommand('1', '250')).toEqual({ ok: true, command: { type: 'backend.setDelay', id: '1', delayMs: 250 } });
    expect(delayCommand('1', '70000')).toEqual({ ok: false, errors: { delayMs: 'must be at most 60000' } });
  });
});

describe('faultsCommand', () => {
  it('sends every field so applying replaces the side', () => {
    const result = faultsCommand('1', 'balancer', { ...noFaults, latencyMs: '200', jitterMs: '50', refuse: true });
    expect(result).toEqual({
      ok: true,
      command: {
        type: 'backend.setFaults',
        id: '1',
        side: 'balancer',
        faults: {
          latencyMs: 200,
          jitterMs: 50,
          bandwidthKBps: 0,
          resetProbability: 0,
          refuse: true,
          blackHole: false,
          slowCloseMs: 0,
        },
      },
    });
  });

  it('rejects a probability outside 0..1 and negative numbers, keeping the field names', () => {
    expect(faultsCommand('1', 'backend', { ...noFaults, resetProbability: '1.5', latencyMs: '-5' })).toEqual({
      ok: false,
      errors: { latencyMs: 'must be at least 0', resetProbability: 'probability must be between 0 and 1' },
    });
  });

  it('round-trips faults in force into the form', () => {
    expect(faultsDraft({ latencyMs: 100, refuse: true })).toMatchObject({ latencyMs: '100', refuse: true, jitterMs: '' });
  });
});

describe('policyCommand', () => {
  it('builds balancer.setPolicy from the defaults', () => {
    const result = policyCommand(policyDraft(undefined));
    expect(result.ok && result.command).toEqual({
      type: 'balancer.setPolicy',
      policy: {
        retries: 2,
        connectTimeoutMs: 1000,
        idleTimeoutMs: 60000,
        ejection: { enabled: true, consecutiveFailures: 5, baseMs: 30000, maxMs: 300000 },
        panicThresholdPercent: 50,
        closeOnDown: false,
      },
    });
  });

  it('maps nested errors to form fields and checks max ≥ base', () => {
    const draft = policyDraft(undefined);
    expect(policyCommand({ ...draft, retries: '11', ejectionBaseMs: '10', panicThresholdPercent: '' })).toEqual({
      ok: false,
      errors: { panicThresholdPercent: 'must be a number' },
    });
    expect(policyCommand({ ...draft, retries: '11', ejectionBaseMs: '10' })).toEqual({
      ok: false,
      errors: { retries: 'must be at most 10', ejectionBaseMs: 'must be at least 100' },
    });
    expect(policyCommand({ ...draft, ejectionBaseMs: '5000', ejectionMaxMs: '1000' })).toEqual({
      ok: false,
      errors: { ejectionMaxMs: 'must be at least the ejection base' },
    });
  });
});

describe('chips and status text', () => {
  it('formats each fault as a short chip', () => {
    expect(
      faultChips({ latencyMs: 200, jitterMs: 50, bandwidthKBps: 128, resetProbability: 0.1, refuse: true, blackHole: true, slowCloseMs: 2000 }),
    ).toEqual(['+200±50 ms', '128 KiB/s', 'reset 10%', 'refuse', 'black-hole', 'slow close 2 s']);
    expect(faultChips({ latencyMs: 30, slowCloseMs: 500, resetProbability: 0.125 })).toEqual([
      '+30 ms',
      'reset 12.5%',
      'slow close 500 ms',
    ]);
    expect(faultChips({ latencyMs: 0, refuse: false })).toEqual([]);
  });

  it('prefixes chips with their side', () => {
    expect(sideFaultChips({ backend: { latencyMs: 5 }, balancer: { refuse: true } })).toEqual([
      'backend: +5 ms',
      'balancer: refuse',
    ]);
    expect(sideFaultChips(undefined)).toEqual([]);
  });

  it('describes the last check and rise/fall progress', () => {
    expect(lastCheckText(undefined)).toBe('no check yet');
    expect(lastCheckText({ t: 1, ok: true, ms: 0.42 })).toBe('ok 0.4 ms');
    expect(lastCheckText({ t: 1, ok: false, ms: 501, error: 'timeout' })).toBe('failed 501 ms: timeout');
    const check = { enabled: true, intervalMs: 1000, timeoutMs: 500, rise: 2, fall: 3 };
    expect(riseFallText({ status: 'unhealthy', check, successes: 1, failures: 0 })).toBe('rise 1/2');
    expect(riseFallText({ status: 'healthy', check, successes: 0, failures: 2 })).toBe('fall 2/3');
    expect(riseFallText({ status: 'healthy', check, successes: 5, failures: 0 })).toBe('');
  });

  it('shows the queue against its size', () => {
    expect(queueText(3, { maxConnections: 1, queueSize: 10 })).toBe('queue 3/10');
    expect(queueText(0, { maxConnections: 0, queueSize: 10 })).toBe('');
    expect(queueText(2, undefined)).toBe('queue 2');
  });
});
