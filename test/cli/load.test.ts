/** `balancer-lab client --rate`: the shared traffic generator from the command line, run in-process. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clientCommand } from '../../src/main/cli/client';
import { formatLoadSummary, runLoad } from '../../src/main/cli/load';
import { createSeedLab, type Lab } from '../../src/main/core/lab';
import { resolveTrafficSettings } from '../../src/main/core/traffic';

const labs: Lab[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const lab of labs.splice(0)) await lab.close();
});

async function seedLab(): Promise<{ lab: Lab; port: number }> {
  const lab = await createSeedLab({ balancerPort: 0, backendPorts: [0, 0] });
  labs.push(lab);
  return { lab, port: lab.balancerAddress.port };
}

describe('client --rate', () => {
  it('runs the generator against a balancer and summarises it', async () => {
    const { lab, port } = await seedLab();
    const addresses = new Set<string>();
    lab.onEvent((e) => {
      if (e.type === 'conn.opened') addresses.add(e.clientAddress);
    });
    const settings = resolveTrafficSettings({ rate: 200, clients: 2 });
    const summary = await runLoad({ host: '127.0.0.1', port, settings, durationMs: 500, replyTimeoutMs: 5000 });
    expect(summary.counters.failed).toBe(0);
    expect(summary.counters.replied).toBe(summary.counters.sent);
    expect(summary.counters.sent).toBeGreaterThanOrEqual(85);
    expect(summary.counters.sent).toBeLessThanOrEqual(115);
    expect(summary.achievedRate).toBeGreaterThan(150);
    expect(summary.p50).toBeGreaterThan(0);
    expect(summary.p99).toBeGreaterThanOrEqual(summary.p50!);
    expect([...addresses].sort()).toEqual(['127.0.0.2', '127.0.0.3']);
    const text = formatLoadSummary(summary, settings);
    expect(text).toMatch(/^sent \d+, replied \d+, failed 0, shed 0 in 0\.\d\d s\nachieved [\d.]+ replies\/s \(target 200\/s\)\nlatency p50 [\d.]+ ms, p95 [\d.]+ ms, p99 [\d.]+ ms\n$/);
  });

  it('prints the summary and exits 0 from the subcommand (closed model, persistent)', async () => {
    const { port } = await seedLab();
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    const argv = ['--port', String(port), '--rate', '1', '--duration', '0.3', '--model', 'closed'];
    const code = await clientCommand.run([...argv, '--concurrency', '3', '--persistent', '--size', '32']);
    expect(code).toBe(0);
    expect(out.join('')).toMatch(/failed 0,[^\n]*\nachieved [\d.]+ replies\/s \(closed loop, 3 users\)\nlatency p50/);
  });

  it('exits 1 with a counted reason when the balancer is not there', async () => {
    const { lab, port } = await seedLab();
    await lab.close();
    const err: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      err.push(String(chunk));
      return true;
    });
    expect(await clientCommand.run(['--port', String(port), '--rate', '20', '--duration', '0.2'])).toBe(1);
    expect(err.join('')).toMatch(/^balancer-lab client: \d+ × cannot connect to 127\.0\.0\.1:\d+ \(connection refused\)\n$/);
  });

  it.each([
    [['--rate', '0'], /^--rate: must be between 0\.1 and 20000$/],
    [['--rate', 'fast'], /^--rate: must be a number$/],
    [['--rate', '10', '--model', 'bursty'], /^--model: unknown model 'bursty' \(choose one of: steady, open, closed\)$/],
    [['--rate', '10', '--size', '5000'], /^--size: must be between 1 and 4096$/],
    [['--rate', '10', '--clients', '201'], /^--clients: must be between 1 and 200$/],
    [['--rate', '10', '--count', '2'], /^--count and --source do not apply with --rate/],
    [['--duration', '5'], /^--duration needs --rate$/],
    [['--persistent'], /^--persistent needs --rate$/],
  ])('%j is a usage error', async (argv, expected) => {
    await expect(clientCommand.run(argv)).rejects.toThrow(expected);
  });
});
