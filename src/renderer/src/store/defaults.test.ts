import { describe, expect, it } from 'vitest';
import { nextBackendId, nextBackendPort } from './defaults';

describe('add-backend defaults', () => {
  it('picks the port after the highest one', () => {
    expect(nextBackendPort([])).toBe(5001);
    expect(nextBackendPort([{ port: 5001 }, { port: 5007 }, { port: 5002 }])).toBe(5008);
    expect(nextBackendPort([{ port: 65535 }])).toBe(65535);
  });

  it('picks the numeric id after the highest numeric id', () => {
    expect(nextBackendId([])).toBe('1');
    expect(nextBackendId([{ id: '1' }, { id: 'api' }, { id: '4' }])).toBe('5');
  });
});
