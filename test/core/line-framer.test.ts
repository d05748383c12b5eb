import { describe, expect, it } from 'vitest';
import { LineFramer } from '../../src/main/core/line-framer';

function collect(idleMs = 20): { framer: LineFramer; messages: string[]; next: () => Promise<string> } {
  const messages: string[] = [];
  const waiters: Array<(m: string) => void> = [];
  const framer = new LineFramer(
    (m) => {
      messages.push(m);
      waiters.shift()?.(m);
    },
    { idleMs },
  );
  return { framer, messages, next: () => new Promise((resolve) => waiters.push(resolve)) };
}

describe('LineFramer', () => {
  it('joins a line split across chunks', () => {
    const { framer, messages } = collect();
    framer.push(Buffer.from('hel'));
    framer.push(Buffer.from('lo wor'));
    framer.push(Buffer.from('ld\n'));
    expect(messages).toEqual(['hello world']);
    framer.dispose();
  });

  it('splits many lines in one chunk and strips CRLF', () => {
    const { framer, messages } = collect();
    framer.push(Buffer.from('a\nb\r\n\nc\n'));
    expect(messages).toEqual(['a', 'b', '', 'c']);
    framer.dispose();
  });

  it('keeps a multi-byte character split across chunks intact', () => {
    const { framer, messages } = collect();
    const bytes = Buffer.from('héllo €\n');
    framer.push(bytes.subarray(0, 2));
    framer.push(bytes.subarray(2, 7));
    framer.push(bytes.subarray(7));
    expect(messages).toEqual(['héllo €']);
    framer.dispose();
  });

  it('delivers a bare message after a short silence', async () => {
    const { framer, messages, next } = collect(20);
    const started = performance.now();
    framer.push(Buffer.from('hel'));
    framer.push(Buffer.from('lo'));
    expect(messages).toEqual([]);
    expect(await next()).toBe('hello');
    expect(performance.now() - started).toBeGreaterThanOrEqual(15);
    framer.dispose();
  });

  it('delivers a bare message at end of stream, without waiting', () => {
    const { framer, messages } = collect(10_000);
    framer.push(Buffer.from('one\ntwo'));
    expect(messages).toEqual(['one']);
    framer.end();
    expect(messages).toEqual(['one', 'two']);
    framer.dispose();
  });

  it('delivers nothing after dispose', async () => {
    const { framer, messages } = collect(1);
    framer.push(Buffer.from('x'));
    framer.dispose();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(messages).toEqual([]);
  });
});
