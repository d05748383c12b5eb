import { describe, expect, it } from 'vitest';
import { parseClients, parseWeight, weightLabel } from './inputs';

describe('weight input', () => {
  it('accepts whole numbers 0..256', () => {
    expect(parseWeight('0')).toEqual({ ok: true, weight: 0 });
    expect(parseWeight(' 5 ')).toEqual({ ok: true, weight: 5 });
    expect(parseWeight('256')).toEqual({ ok: true, weight: 256 });
  });

  it('rejects out-of-range, fractional, empty and non-numeric values with a one-line reason', () => {
    expect(parseWeight('257')).toEqual({ ok: false, error: 'weight must be between 0 and 256' });
    expect(parseWeight('-1')).toEqual({ ok: false, error: 'weight must be between 0 and 256' });
    expect(parseWeight('1.5')).toEqual({ ok: false, error: 'weight must be a whole number' });
    expect(parseWeight('')).toMatchObject({ ok: false });
    expect(parseWeight('abc')).toMatchObject({ ok: false });
    expect(parseWeight('Infinity')).toMatchObject({ ok: false });
  });

  it('labels weight 0 as taking no new connections', () => {
    expect(weightLabel(0)).toBe('w 0 · no new connections');
    expect(weightLabel(5)).toBe('w 5');
  });
});

describe('clients input', () => {
  it('accepts 1..200 whole clients', () => {
    expect(parseClients('1')).toEqual({ ok: true, clients: 1 });
    expect(parseClients('200')).toEqual({ ok: true, clients: 200 });
    for (const bad of ['0', '201', '2.5', '', 'x']) expect(parseClients(bad).ok).toBe(false);
  });
});
