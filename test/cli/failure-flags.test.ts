/** The balancer's failure-handling flags: bad values exit 2 with one line; good ones reach the Lab. */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, freePort, killAll, runCli, startCli } from './helpers';

beforeAll(ensureBuilt, 300_000);
afterEach(killAll);

const BAD: Array<[string[], RegExp]> = [
  [['--retries', '11'], /^balancer-lab balancer: --retries: must be between 0 and 10$/],
  [['--retries', 'two'], /^balancer-lab balancer: --retries: must be a whole number$/],
  [['--connect-timeout', '5'], /^balancer-lab balancer: --connect-timeout: must be between 10 and 600000$/],
  [['--idle-timeout', '1.5'], /^balancer-lab balancer: --idle-timeout: must be a whole number$/],
  [['--health-interval', '50'], /^balancer-lab balancer: --health-interval: must be between 100 and 600000$/],
  [['--health-timeout', '0'], /^balancer-lab balancer: --health-timeout: must be between 10 and 600000$/],
  [['--rise', '0'], /^balancer-lab balancer: --rise: must be between 1 and 100$/],
  [['--fall', '101'], /^balancer-lab balancer: --fall: must be between 1 and 100$/],
  [['--maxconn', '-1'], /^balancer-lab balancer: --maxconn needs a value/],
  [['--maxconn=-1'], /^balancer-lab balancer: --maxconn: must be a whole number$/],
  [['--maxconn', '100001'], /^balancer-lab balancer: --maxconn: .*100000/],
  [['--queue', 'x'], /^balancer-lab balancer: --queue: must be a whole number$/],
  [['--queue-timeout', '0'], /^balancer-lab balancer: --queue-timeout: /],
  [['--eject-after', '0'], /^balancer-lab balancer: --eject-after: must be between 1 and 100$/],
  [['--eject-base', '50'], /^balancer-lab balancer: --eject-base: must be between 100 and 600000$/],
  [['--eject-base', '5000', '--eject-max', '1000'], /^balancer-lab balancer: --eject-max: must be at least/],
  [['--panic-threshold', '101'], /^balancer-lab balancer: --panic-threshold: must be between 0 and 100$/],
  [['--close-on-down=yes'], /^balancer-lab balancer: --close-on-down takes no value$/],
  [['--no-health-checks=1'], /^balancer-lab balancer: --no-health-checks takes no value$/],
];

describe('failure flags', () => {
  it.each(BAD)('balancer %j → exit 2 and one line', async (args, expected) => {
    const run = await runCli(['balancer', ...args]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const lines = run.stderr.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(expected);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("health checks are off unless asked for, as in the tutorial's balancer", async () => {
    const policyOf = async (flags: string[]): Promise<{ healthCheck: { enabled: boolean; rise: number } }> => {
      const proc = startCli([
        'balancer',
        '--port',
        '0',
        '--backend',
        `127.0.0.1:${await freePort()}`,
        '--events',
        ...flags,
      ]);
      const line = await proc.waitForLine(/"type":"balancer\.state".*"policy"/);
      await proc.stop('SIGINT');
      return (JSON.parse(line.input!) as { balancer: { policy: { healthCheck: { enabled: boolean; rise: number } } } })
        .balancer.policy;
    };
    expect((await policyOf([])).healthCheck.enabled).toBe(false);
    expect((await policyOf(['--health-checks'])).healthCheck.enabled).toBe(true);
    expect((await policyOf(['--rise', '4'])).healthCheck).toMatchObject({ enabled: true, rise: 4 });
  });

  it('--help lists them', async () => {
    const run = await runCli(['balancer', '--help']);
    expect(run.code).toBe(0);
    for (const flag of [
      '--retries',
      '--idle-timeout',
      '--no-health-checks',
      '--maxconn',
      '--eject-max',
      '--close-on-down',
    ])
      expect(run.stdout).toContain(flag);
  });

  it('good values reach the Lab (policy and per-backend limits in the event stream)', async () => {
    const backendPort = await freePort();
    const proc = startCli([
      'balancer',
      '--port',
      '0',
      '--backend',
      `127.0.0.1:${backendPort}`,
      '--events',
      '--retries',
      '1',
      '--idle-timeout',
      '0',
      '--no-health-checks',
      '--rise',
      '3',
      '--maxconn',
      '7',
      '--queue',
      '2',
      '--panic-threshold',
      '30',
      '--close-on-down',
    ]);
    await proc.waitForLine(/^listening on /, { stream: 'stderr' });
    const policyLine = await proc.waitForLine(/"type":"balancer\.state".*"policy"/);
    const policy = (JSON.parse(policyLine.input!) as { balancer: { policy: Record<string, unknown> } }).balancer.policy;
    expect(policy).toMatchObject({
      retries: 1,
      idleTimeoutMs: 0,
      panicThresholdPercent: 30,
      closeOnDown: true,
      healthCheck: { enabled: false, rise: 3 },
    });
    const limitsLine = await proc.waitForLine(/"type":"backend\.state".*"maxConnections":7/);
    expect(limitsLine.input).toContain('"queueSize":2');
    expect(limitsLine.input).toContain('"status":"disabled"');
    const done = await proc.stop('SIGINT');
    expect(done.code === 0 || done.signal === 'SIGINT').toBe(true);
  });
});
