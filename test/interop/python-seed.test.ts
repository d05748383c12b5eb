/**
 * Interop with the tutorial's own scripts (reconstructed in test/fixtures/seed): Python backends behind
 * our balancer, and our backends behind the Python load_balancer.py, with either client.
 */
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SEED_DIR, Proc, ensureBuilt, findPython, killAll, runCli, startCli } from '../cli/helpers';

const python = findPython();
const reason = python ? '' : ' (skipped: python3 is not on PATH)';

/** `python3 -u <script> ...args` from the seed fixtures. */
function startPython(script: string, args: string[]): Proc {
  return new Proc(python ?? 'python3', ['-u', join(SEED_DIR, script), ...args]);
}

async function runPython(
  script: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = startPython(script, args);
  proc.child.stdin?.end();
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 10_000);
  try {
    return await proc.exited;
  } finally {
    clearTimeout(timer);
  }
}

async function pythonBackend(id: string): Promise<number> {
  const proc = startPython('backend.py', ['0', id]);
  const match = await proc.waitForLine(new RegExp(`^\\[Server ${id}\\] Listening on 127\\.0\\.0\\.1:(\\d+)$`));
  return Number(match[1]);
}

async function ourBackend(id: string): Promise<number> {
  const proc = startCli(['backend', '0', id]);
  const match = await proc.waitForLine(new RegExp(`^Server ${id} listening on 127\\.0\\.0\\.1:(\\d+)$`));
  return Number(match[1]);
}

async function ourBalancer(backendPorts: number[]): Promise<number> {
  const proc = startCli([
    'balancer',
    '--port',
    '0',
    ...backendPorts.flatMap((port) => ['--backend', `127.0.0.1:${port}`]),
  ]);
  const match = await proc.waitForLine(/^listening on 127\.0\.0\.1:(\d+)$/);
  return Number(match[1]);
}

async function pythonBalancer(backendPorts: number[]): Promise<number> {
  const proc = startPython('load_balancer.py', ['0', ...backendPorts.map(String)]);
  const match = await proc.waitForLine(/^\[LB\] Load Balancer Listening on 127\.0\.0\.1:(\d+)$/);
  return Number(match[1]);
}

const ALTERNATING = (text: string): string[] => [1, 2, 1, 2].map((id) => `[Server ${id}] You said: '${text}'\n`);

describe.skipIf(!python)(`interop with the tutorial's Python scripts${reason}`, () => {
  beforeAll(ensureBuilt, 300_000);
  afterEach(killAll);

  type Side = 'ours' | 'python';
  const backends: Record<Side, (id: string) => Promise<number>> = { ours: ourBackend, python: pythonBackend };
  const balancers: Record<Side, (ports: number[]) => Promise<number>> = { ours: ourBalancer, python: pythonBalancer };
  const clients: Record<Side, (port: number, text: string) => Promise<{ stdout: string; stderr: string }>> = {
    ours: (port, text) => runCli(['client', '--port', String(port), '--message', text]),
    python: (port, text) => runPython('client.py', ['--port', String(port), text]),
  };
  const cases: Array<{ backend: Side; balancer: Side; client: Side; text: string }> = [
    { backend: 'python', balancer: 'ours', client: 'ours', text: 'hello' },
    { backend: 'python', balancer: 'ours', client: 'python', text: 'hi there' },
    { backend: 'ours', balancer: 'python', client: 'python', text: 'hello' },
    { backend: 'ours', balancer: 'python', client: 'ours', text: 'hello' },
  ];

  for (const { backend, balancer, client, text } of cases) {
    it(`${backend} backends behind the ${balancer} balancer, with the ${client} client: exact alternating bytes`, async () => {
      const ports = [await backends[backend]('1'), await backends[backend]('2')];
      const lb = await balancers[balancer](ports);
      const replies: string[] = [];
      for (let i = 0; i < 4; i++) {
        const run = await clients[client](lb, text);
        expect(run.stderr).toBe('');
        replies.push(run.stdout);
      }
      expect(replies).toEqual(ALTERNATING(text));
    });
  }

  it('our backend answers a bare message (no newline, no half-close) through load_balancer.py byte for byte', async () => {
    const ports = [await ourBackend('7'), await ourBackend('8')];
    const lb = await pythonBalancer(ports);
    // The backend closes after its reply (as backend.py does) or keeps waiting; either way the reply bytes must match.
    const first = await exchangeUntilNewline(lb, 'bytes?');
    expect(first).toBe("[Server 7] You said: 'bytes?'\n");
  });
});

/** Send a bare message like client.py and read to the reply's newline. */
async function exchangeUntilNewline(port: number, text: string): Promise<string> {
  const { connect } = await import('node:net');
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no reply line within 5 s; got ${JSON.stringify(received)}`));
    }, 5000);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(text));
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (received.includes('\n')) {
        clearTimeout(timer);
        socket.destroy();
        resolve(received);
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
  });
}
