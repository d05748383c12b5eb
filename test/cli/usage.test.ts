/** Bad input: exit code 2, exactly one stderr line, never a stack trace. And --help / --version. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT, runCli } from './helpers';

beforeAll(ensureBuilt, 300_000);

const BAD_INPUTS: Array<[string[], RegExp]> = [
  [['balancer', '--port', '70000'], /^balancer-lab balancer: --port: port must be between 1 and 65535$/],
  [['balancer', '--port', 'abc'], /^balancer-lab balancer: --port: port must be a number$/],
  [['balancer', '--port', '-1'], /^balancer-lab balancer: --port needs a value/],
  [['balancer', '--port=-1'], /^balancer-lab balancer: --port: port must be between 1 and 65535$/],
  [['balancer', '--port'], /^balancer-lab balancer: --port needs a value$/],
  [
    ['balancer', '--backend', '127.0.0.1'],
    /^balancer-lab balancer: --backend: '127\.0\.0\.1' is not HOST:PORT\[,weight=N\]$/,
  ],
  [
    ['balancer', '--backend', 'x:99999'],
    /^balancer-lab balancer: --backend x:99999: port must be between 1 and 65535$/,
  ],
  [
    ['balancer', '--backend', 'h:1,weight=300'],
    /^balancer-lab balancer: --backend h:1,weight=300: weight must be between 0 and 256$/,
  ],
  [['balancer', '--backend', 'h:1,foo=1'], /^balancer-lab balancer: --backend h:1,foo=1: unknown setting 'foo=1'/],
  [['balancer', '--backend', 'h:1', '--backend', 'h:1'], /^balancer-lab balancer: --backend: h:1 is given twice$/],
  [
    ['balancer', '--algorithm', 'fastest'],
    /^balancer-lab balancer: --algorithm: unknown algorithm 'fastest' \(choose one of: round-robin, .*peak-ewma\)$/,
  ],
  [['balancer', '--bogus'], /^balancer-lab balancer: unknown option --bogus$/],
  [['balancer', 'extra'], /^balancer-lab balancer: unexpected argument 'extra'$/],
  [['balancer', '--events=yes'], /^balancer-lab balancer: --events takes no value$/],
  [['backend'], /^balancer-lab backend: needs <PORT> and <SERVER_ID>/],
  [['backend', 'abc', '1'], /^balancer-lab backend: PORT: port must be a number$/],
  [['backend', '5001', '1', '2'], /^balancer-lab backend: unexpected argument '2'$/],
  [['backend', '5001', 'a b'], /^balancer-lab backend: SERVER_ID: server id may only hold letters, digits and \. _ : # -$/],
  [['backend', '5001', '1', '--delay', '99999999'], /^balancer-lab backend: --delay: must be between 0 and 60000$/],
  [['client', '--port', '0'], /^balancer-lab client: --port: port must be between 1 and 65535$/],
  [['client', '--count', '0', '--message', 'x'], /^balancer-lab client: --count: must be between 1 and 100000$/],
  [['client', '--message', ''], /^balancer-lab client: --message: message must not be empty$/],
  [['client', '--source', 'nowhere'], /^balancer-lab client: --source: source must be an IPv4 or IPv6 address$/],
  [['web', '--port', '99999'], /^balancer-lab web: --port: port must be between 1 and 65535$/],
  [['web', '--backend-ports', '1,2,3'], /^balancer-lab web: --backend-ports: give two ports/],
  [
    ['frobnicate'],
    /^balancer-lab: unknown command 'frobnicate' \(commands: backend, balancer, client, web; try --help\)$/,
  ],
  [['--bogus'], /^balancer-lab: unknown option --bogus/],
];

describe('bad input', () => {
  it.each(BAD_INPUTS)('%j → exit 2 and one line', async (args, expected) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const lines = run.stderr.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('');
    expect(lines[0]).toMatch(expected);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('no command prints the usage on stderr with exit 2', async () => {
    const run = await runCli([]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Usage: balancer-lab <command> [options]');
  });
});

describe('help and version', () => {
  it.each([['--help'], ['-h']])('%s prints the top-level usage', async (flag) => {
    const run = await runCli([flag]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: balancer-lab <command> [options]');
    for (const command of ['backend', 'balancer', 'client', 'web']) expect(run.stdout).toContain(`  ${command} `);
  });

  it.each([['backend'], ['balancer'], ['client'], ['web']])('%s --help prints its usage', async (command) => {
    const run = await runCli([command, '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout.startsWith(`Usage: balancer-lab ${command}`)).toBe(true);
    expect(run.stderr).toBe('');
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const run = await runCli(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${version}\n`);
  });
});
