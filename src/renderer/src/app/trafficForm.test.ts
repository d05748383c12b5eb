import { describe, expect, it } from 'vitest';
import { buildTrafficCommand, defaultTrafficForm, supportedTrafficFields, trafficErrorField } from './trafficForm';

describe('traffic form → traffic.start', () => {
  it('builds a steady per-message command from the defaults', () => {
    expect(buildTrafficCommand(defaultTrafficForm(), 'hello')).toEqual({
      ok: true,
      command: { type: 'traffic.start', rate: 5, clients: 1, text: 'hello', model: 'steady', connection: 'per-message' },
    });
  });

  it('sends closed-model settings only for the closed model, and bursts as one object', () => {
    const closed = buildTrafficCommand({
      ...defaultTrafficForm(),
      model: 'closed',
      concurrency: '50',
      thinkMs: '20',
      persistent: true,
      size: '256',
      burstSize: '100',
      burstEveryMs: '1000',
    });
    expect(closed).toEqual({
      ok: true,
      command: {
        type: 'traffic.start',
        rate: 5,
        clients: 1,
        model: 'closed',
        concurrency: 50,
        thinkMs: 20,
        connection: 'persistent',
        size: 256,
        burst: { size: 100, everyMs: 1000 },
      },
    });
    const open = buildTrafficCommand({ ...defaultTrafficForm(), model: 'open', concurrency: 'junk' });
    expect(open.ok && open.command).toMatchObject({ model: 'open' });
    expect(open.ok && 'concurrency' in open.command).toBe(false);
  });

  it('reports each bad field with the shared schema’s message', () => {
    const result = buildTrafficCommand({
      ...defaultTrafficForm(),
      rate: '50000',
      clients: '0',
      model: 'closed',
      concurrency: '1.5',
      size: '9999',
      burstSize: '10',
    });
    expect(result).toEqual({
      ok: false,
      errors: { burstEveryMs: 'set how often the burst comes' },
    });
    const schema = buildTrafficCommand({
      ...defaultTrafficForm(),
      rate: '50000',
      clients: '0',
      model: 'closed',
      concurrency: '1.5',
      size: '9999',
      burstSize: '10',
      burstEveryMs: '5',
    });
    expect(schema).toEqual({
      ok: false,
      errors: {
        rate: 'rate must be at most 20000 per second',
        clients: 'clients must be between 1 and 200',
        concurrency: 'concurrency must be a whole number',
        size: 'size must be between 1 and 4096 bytes',
        burstEveryMs: 'burst interval must be between 50 and 600000 ms',
      },
    });
    expect(buildTrafficCommand({ ...defaultTrafficForm(), rate: '' })).toEqual({
      ok: false,
      errors: { rate: 'rate must be a number' },
    });
    expect(buildTrafficCommand({ ...defaultTrafficForm(), rate: 'abc' })).toMatchObject({ ok: false });
  });

  it('shows every generator field the schema has, and routes Lab errors to fields', () => {
    expect(supportedTrafficFields().map((f) => f.label)).toEqual([
      'Traffic model',
      'Concurrency',
      'Think time (ms)',
      'Persistent connections',
      'Message size (bytes)',
      'Burst size',
      'Burst every (ms)',
    ]);
    expect(trafficErrorField('burst.everyMs: too small')).toBe('burstEveryMs');
    expect(trafficErrorField('concurrency: must be whole')).toBe('concurrency');
    expect(trafficErrorField('the Lab is shutting down')).toBe('form');
  });
});
