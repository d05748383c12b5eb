/** The tutorial's four terminals, played with our CLI: two backends, the balancer, the client. */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LabEvent } from '../../src/shared/protocol';
import { canListen, ensureBuilt, freePort, killAll, occupyPort, runCli, startCli, type Proc } from './helpers';

beforeAll(ensureBuilt, 300_000);
afterEach(killAll);

/** Start `backend 0 <id>` and return its port from the ready line. */
async function startBackend(id: string): Promise<{ proc: Proc; port: number }> {
  const proc = startCli(['backend', '0', id]);
  const match = await proc.waitForLine(new RegExp(`^Server ${id} listening on 127\\.0\\.0\\.1:(\\d+)$`));
  return { proc, port: Number(match[1]) };
}

async function startBalancer(
  args: string[],
  readyOn: 'stdout' | 'stderr' = 'stdout',
): Promise<{ proc: Proc; port: number }> {
  const proc = startCli(['balancer', '--port', '0', ...args]);
  const match = await proc.waitForLine(/^listening on 127\.0\.0\.1:(\d+)$/, { stream: readyOn });
  return { proc, port: Number(match[1]) };
}

describe('the four-terminal tutorial with balancer-lab', () => {
  it('alternates Server 1 and Server 2 across four client runs', async () => {
    const [b1, b2] = await Promise.all([startBackend('1'), startBackend('2')]);
    const lb = await startBalancer(['--backend', `127.0.0.1:${b1.port}`, '--backend', `127.0.0.1:${b2.port}`]);

    const replies: string[] = [];
    for (let i = 0; i < 4; i++) {
      const run = await runCli(['client', '--port', String(lb.port), '--message', 'hello']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      replies.push(run.stdout);
    }
    expect(replies).toEqual([
      "[Server 1] You said: 'hello'\n",
      "[Server 2] You said: 'hello'\n",
      "[Server 1] You said: 'hello'\n",
      "[Server 2] You said: 'hello'\n",
    ]);
    // Without --events the balancer logs one human line per connection.
    const logged = await lb.proc.waitForLines('stdout', 5);
    expect(logged.slice(1).map((line) => line.split(' -> ')[1]?.split(' ')[0])).toEqual([
      `127.0.0.1:${b1.port}`,
      `127.0.0.1:${b2.port}`,
      `127.0.0.1:${b1.port}`,
      `127.0.0.1:${b2.port}`,
    ]);
  });

  it('sends repeated messages and stdin lines, one connection each', async () => {
    const [b1, b2] = await Promise.all([startBackend('1'), startBackend('2')]);
    const lb = await startBalancer(['--backend', `127.0.0.1:${b1.port}`, '--backend', `127.0.0.1:${b2.port}`]);

    const repeated = await runCli([
      'client',
      '--port',
      String(lb.port),
      '--message',
      'a',
      '--message',
      'b c',
      '--count',
      '2',
    ]);
    expect(repeated.code).toBe(0);
    expect(repeated.stdout).toBe(
      "[Server 1] You said: 'a'\n[Server 2] You said: 'a'\n[Server 1] You said: 'b c'\n[Server 2] You said: 'b c'\n",
    );

    const piped = await runCli(['client', '--port', String(lb.port)], { input: 'first\n\nsecond line\n' });
    expect(piped.code).toBe(0);
    expect(piped.stdout).toBe("[Server 1] You said: 'first'\n[Server 2] You said: 'second line'\n");
  });

  it('--events writes pure NDJSON with conn.opened and its decision', async () => {
    const [b1, b2] = await Promise.all([startBackend('1'), startBackend('2')]);
    const lb = await startBalancer(
      ['--backend', `127.0.0.1:${b1.port}`, '--backend', `127.0.0.1:${b2.port},weight=3`, '--events'],
      'stderr',
    );

    for (let i = 0; i < 2; i++)
      expect((await runCli(['client', '--port', String(lb.port), '--message', `m${i}`])).code).toBe(0);
    await lb.proc.waitUntil(
      'stdout',
      (lines) => lines.filter((line) => line.includes('"type":"conn.closed"')).length >= 2,
    );

    const events = lb.proc.lines.stdout.map((line) => JSON.parse(line) as LabEvent);
    const seqs = events.map((event) => event.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const opened = events.filter(
      (event): event is Extract<LabEvent, { type: 'conn.opened' }> => event.type === 'conn.opened',
    );
    expect(opened.map((event) => event.backendId)).toEqual([`127.0.0.1:${b1.port}`, `127.0.0.1:${b2.port}`]);
    expect(opened[0]?.decision.algorithm).toBe('round-robin');
    expect(opened[0]?.decision.reason.length).toBeGreaterThan(0);
    expect(opened[0]?.decision.candidates.map((c) => c.backendId)).toContain(`127.0.0.1:${b1.port}`);
    expect(events.some((event) => event.type === 'conn.closed')).toBe(true);
    const added = events.filter((event) => event.type === 'backend.state');
    expect(added.length).toBeGreaterThanOrEqual(2);
  });

  it('picks by --algorithm', async () => {
    const [b1, b2] = await Promise.all([startBackend('1'), startBackend('2')]);
    const lb = await startBalancer([
      '--backend',
      `127.0.0.1:${b1.port},weight=0`,
      '--backend',
      `127.0.0.1:${b2.port}`,
      '--algorithm',
      'least-connections',
    ]);
    const run = await runCli(['client', '--port', String(lb.port), '--message', 'x', '--count', '3']);
    expect(run.stdout).toBe("[Server 2] You said: 'x'\n".repeat(3));
  });

  it('SIGTERM and SIGINT exit 0 and free the ports', async () => {
    const [b1, b2] = await Promise.all([startBackend('1'), startBackend('2')]);
    const lb = await startBalancer(['--backend', `127.0.0.1:${b1.port}`, '--backend', `127.0.0.1:${b2.port}`]);
    expect((await runCli(['client', '--port', String(lb.port), '--message', 'bye'])).code).toBe(0);

    const [lbExit, b1Exit, b2Exit] = await Promise.all([
      lb.proc.stop('SIGTERM'),
      b1.proc.stop('SIGINT'),
      b2.proc.stop('SIGTERM'),
    ]);
    for (const exit of [lbExit, b1Exit, b2Exit]) {
      expect(exit.signal).toBeNull();
      expect(exit.code).toBe(0);
    }
    expect(await canListen(lb.port)).toBe(true);
    expect(await canListen(b1.port)).toBe(true);
    expect(await canListen(b2.port)).toBe(true);
  });

  it('closes an open client connection on SIGTERM instead of hanging', async () => {
    const b1 = await startBackend('1');
    const lb = await startBalancer(['--backend', `127.0.0.1:${b1.port}`]);
    const { connect } = await import('node:net');
    const socket = connect({ host: '127.0.0.1', port: lb.port });
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const exit = await lb.proc.stop('SIGTERM');
    expect(exit.code).toBe(0);
    await closed;
  });
});

describe('web', () => {
  it('prints "open URL", serves it, and exits 0 on SIGTERM', async () => {
    const proc = startCli(['web', '--port', '0', '--balancer-port', '0', '--backend-ports', '0,0']);
    const match = await proc.waitForLine(/^open (http:\/\/127\.0\.0\.1:\d+\S*)$/, { timeoutMs: 15_000 });
    const response = await fetch(match[1] ?? '');
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    const exit = await proc.stop('SIGTERM');
    expect(exit.code).toBe(0);
  });
});

describe('runtime failures', () => {
  it('client: connection refused is one line and exit 1', async () => {
    const port = await freePort();
    const run = await runCli(['client', '--port', String(port), '--message', 'hello']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`balancer-lab client: cannot connect to 127.0.0.1:${port} (connection refused)\n`);
  });

  it.each([['balancer'], ['backend']])('%s: a port in use is one line and exit 1', async (command) => {
    const held = await occupyPort();
    try {
      const args =
        command === 'balancer' ? ['balancer', '--port', String(held.port)] : ['backend', String(held.port), '1'];
      const run = await runCli(args);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(new RegExp(`^balancer-lab ${command}: .*${held.port}.*in use.*\\n$`));
      expect(run.stderr.split('\n')).toHaveLength(2);
    } finally {
      await held.release();
    }
  });
});
