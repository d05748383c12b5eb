import { afterEach, describe, expect, it } from 'vitest';
import { closeLabs, makeLab } from './helpers';

afterEach(closeLabs);

describe('balancer.setPolicy', () => {
  it('changes only the nested fields it names', async () => {
    const t = await makeLab({ backends: ['1'] });
    const before = t.lab.snapshot().balancer.policy!;
    await t.ok({ type: 'balancer.setPolicy', policy: { ejection: { enabled: false }, healthCheck: { rise: 4 } } });
    const after = t.lab.snapshot().balancer.policy!;
    expect(after.ejection).toEqual({ ...before.ejection, enabled: false });
    expect(after.healthCheck).toEqual({ ...before.healthCheck, rise: 4 });
    expect(after.retries).toBe(before.retries);
  });

  it('refuses a nested value out of range with one line', async () => {
    const t = await makeLab({ backends: ['1'] });
    const result = await t.lab.execute({ type: 'balancer.setPolicy', policy: { ejection: { baseMs: 1 } } });
    expect(result).toMatchObject({ ok: false });
    expect(result.ok ? '' : result.error).toMatch(/^policy\.ejection\.baseMs: /);
  });
});

describe('ids', () => {
  it('refuse control characters and formula-like punctuation', async () => {
    const t = await makeLab({ backends: ['1'] });
    for (const id of ['nul\u0000x', 'bell\u0007', '\u200b', '=cmd', 'a b']) {
      const result = await t.lab.execute({ type: 'backend.add', id, port: 1 });
      expect(result.ok ? '' : result.error, JSON.stringify(id)).toMatch(/^id: server id may only hold/);
    }
  });
});
