import { describe, expect, it } from 'vitest';
import { MAX_COMMAND_BYTES, oneLine, runCommand, type CommandRunner } from '../../src/main/host/command-gate';
import type { CommandResult } from '../../src/shared/protocol';
import { FakeLab } from './fake-lab';

function expectOneLineError(result: CommandResult, pattern: RegExp): void {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error).toMatch(pattern);
  expect(result.error).not.toMatch(/\n/);
}

describe('runCommand (the command gate)', () => {
  it('passes a valid command to the Lab and returns its result', async () => {
    const lab = new FakeLab();
    const result = await runCommand(lab, { type: 'lab.snapshot' });
    expect(result.ok).toBe(true);
    expect(result.ok && result.snapshot?.clients).toEqual([{ id: 'client-1' }]);
    expect(lab.executed).toEqual([{ type: 'lab.snapshot' }]);
  });

  it.each([
    ['null', null, /./],
    ['a string', 'lab.snapshot', /./],
    ['an unknown type', { type: 'lab.explode' }, /type/],
    ['a bad port', { type: 'backend.add', id: 'x', port: 70000 }, /^port: port must be between 1 and 65535$/],
    ['a multi-line message', { type: 'message.send', text: 'a\nb' }, /^text: message must be a single line$/],
    ['a missing field', { type: 'backend.setWeight', id: '1' }, /^weight: /],
  ])('rejects %s with one line and never reaches the Lab', async (_name, payload, pattern) => {
    const lab = new FakeLab();
    expectOneLineError(await runCommand(lab, payload), pattern);
    expect(lab.executed).toEqual([]);
  });

  it('rejects oversized, cyclic and BigInt payloads before validating them', async () => {
    const lab = new FakeLab();
    const huge = { type: 'message.send', text: 'x'.repeat(MAX_COMMAND_BYTES) };
    expectOneLineError(await runCommand(lab, huge), /larger than 16384 bytes/);
    const cyclic: Record<string, unknown> = { type: 'lab.snapshot' };
    cyclic.self = cyclic;
    expectOneLineError(await runCommand(lab, cyclic), /plain JSON/);
    expectOneLineError(await runCommand(lab, { type: 'lab.snapshot', n: 1n }), /plain JSON/);
    expectOneLineError(await runCommand(lab, undefined), /must be an object/);
    expect(lab.executed).toEqual([]);
  });

  it('turns a throwing or misbehaving Lab into a one-line error', async () => {
    const throwing: CommandRunner = {
      execute: async () => {
        throw new Error('socket\nexploded');
      },
    };
    expectOneLineError(await runCommand(throwing, { type: 'traffic.stop' }), /^internal error: socket exploded$/);
    const silent = { execute: async () => undefined } as unknown as CommandRunner;
    expectOneLineError(await runCommand(silent, { type: 'traffic.stop' }), /no result/);
    const chatty: CommandRunner = { execute: async () => ({ ok: false, error: 'line one\nline two' }) };
    expectOneLineError(await runCommand(chatty, { type: 'traffic.stop' }), /^line one line two$/);
  });

  it('bounds error lines', () => {
    expect(oneLine('a'.repeat(1000)).length).toBeLessThanOrEqual(300);
    expect(oneLine('  \n ')).toBe('unknown error');
  });
});
