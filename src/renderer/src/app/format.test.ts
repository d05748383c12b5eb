import { describe, expect, it } from 'vitest';
import { actionEnabled } from '../components/BackendList';
import { addBackendErrorField, formatLatency } from './format';

describe('formatting', () => {
  it('shows sub-10 ms latency with one decimal', () => {
    expect(formatLatency(0.84)).toBe('0.8 ms');
    expect(formatLatency(12.6)).toBe('13 ms');
  });

  it('routes Lab errors to the add-backend field they concern', () => {
    expect(addBackendErrorField('port 5001 is already in use')).toBe('add.port');
    expect(addBackendErrorField('backend 1 already exists')).toBe('add.id');
    expect(addBackendErrorField('the Lab is shutting down')).toBe('add');
  });
});

describe('backend actions', () => {
  it('enables only what applies to the state', () => {
    const up = { state: 'up', managed: true } as const;
    const killed = { state: 'killed', managed: true } as const;
    const external = { state: 'external', managed: false } as const;
    expect(['stop', 'kill', 'restart', 'remove'].map((a) => actionEnabled(up, a as 'stop'))).toEqual([
      true,
      true,
      false,
      true,
    ]);
    expect(['stop', 'kill', 'restart', 'remove'].map((a) => actionEnabled(killed, a as 'stop'))).toEqual([
      false,
      false,
      true,
      true,
    ]);
    expect(['stop', 'kill', 'restart', 'remove'].map((a) => actionEnabled(external, a as 'stop'))).toEqual([
      false,
      false,
      false,
      true,
    ]);
  });
});
