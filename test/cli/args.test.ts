/** The CLI's argument parsers, in-process. */
import { describe, expect, it } from 'vitest';
import {
  UsageError,
  parseBackendSpec,
  parsePort,
  parsePortList,
  parseAlgorithm,
  parseCommandLine,
} from '../../src/main/cli/args';
import { describeSendError } from '../../src/main/cli/client';

describe('parseBackendSpec', () => {
  it('reads HOST:PORT with an optional weight', () => {
    expect(parseBackendSpec('127.0.0.1:5001', '--backend')).toEqual({
      id: '127.0.0.1:5001',
      host: '127.0.0.1',
      port: 5001,
    });
    expect(parseBackendSpec('localhost:5002,weight=3', '--backend')).toEqual({
      id: 'localhost:5002',
      host: 'localhost',
      port: 5002,
      weight: 3,
    });
    expect(parseBackendSpec('[::1]:5003,weight=0', '--backend')).toEqual({
      id: '::1:5003',
      host: '::1',
      port: 5003,
      weight: 0,
    });
  });

  it.each([
    ['127.0.0.1', /is not HOST:PORT/],
    [':5001', /host must not be empty/],
    ['h:', /port must be a number/],
    ['h:0', /port must be between 1 and 65535/],
    ['h:1.5', /port must be a whole number/],
    ['h:1,weight=', /weight must be/],
    ['h:1,weight=2,weight=3', /weight given twice/],
    ['h:1,weight=-1', /weight must be between 0 and 256/],
    ['::1:5001', /is not HOST:PORT/],
  ])('rejects %s', (text, message) => {
    expect(() => parseBackendSpec(text, '--backend')).toThrow(UsageError);
    expect(() => parseBackendSpec(text, '--backend')).toThrow(message);
  });
});

describe('ports, lists and algorithms', () => {
  it('accepts 0 only for listeners', () => {
    expect(parsePort('0', '--port', true)).toBe(0);
    expect(() => parsePort('0', '--port')).toThrow('--port: port must be between 1 and 65535');
    expect(parsePortList('5001,0', '--backend-ports', true)).toEqual([5001, 0]);
  });

  it('names every algorithm when one is unknown', () => {
    expect(parseAlgorithm('random', '--algorithm')).toBe('random');
    expect(() => parseAlgorithm('nope', '--algorithm')).toThrow(/choose one of: round-robin, weighted-round-robin/);
  });

  it('rephrases parseArgs errors as one line', () => {
    const options = { port: { type: 'string' as const } };
    expect(() => parseCommandLine(['--nope'], options, false)).toThrow(/^unknown option --nope$/);
    expect(() => parseCommandLine(['--port'], options, false)).toThrow(/^--port needs a value$/);
    expect(() => parseCommandLine(['x'], options, false)).toThrow(/^unexpected argument 'x'$/);
  });
});

describe('describeSendError', () => {
  it('names refusals, resets and timeouts', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5000'), { code: 'ECONNREFUSED' });
    expect(describeSendError(refused, '127.0.0.1', 5000)).toBe('cannot connect to 127.0.0.1:5000 (connection refused)');
    expect(describeSendError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), '::1', 5000)).toBe(
      '[::1]:5000 reset the connection',
    );
    expect(describeSendError(new Error('timed out after 10000 ms'), 'h', 1)).toBe('no reply from h:1 (timed out)');
  });
});
