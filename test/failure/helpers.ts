/** Helpers for the failure-handling tests: a Lab with an event log, raw exchanges, a listener that never accepts. */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import type { Socket } from 'node:net';
import type { LabEvent } from '../../src/shared/protocol';
import { Lab, type LabOptions } from '../../src/main/core/lab';
import { connect, within } from '../core/helpers';

export type Of<T extends LabEvent['type']> = Extract<LabEvent, { type: T }>;

/** A Lab on an ephemeral port with every event recorded. */
export interface TestLab {
  lab: Lab;
  events: LabEvent[];
  port: number;
  of<T extends LabEvent['type']>(type: T): Array<Of<T>>;
  /** The first event (already seen or future) of this type matching the predicate, bounded in time. */
  next<T extends LabEvent['type']>(type: T, match?: (e: Of<T>) => boolean, timeoutMs?: number): Promise<Of<T>>;
  /** Run a command that must succeed. */
  ok(command: unknown): Promise<void>;
}

const labs: Lab[] = [];

/** Close every Lab made by makeLab (call in afterEach). */
export async function closeLabs(): Promise<void> {
  for (const lab of labs.splice(0)) await lab.close();
}

/** A Lab with managed backends (ids given, ephemeral ports) and health checks off unless asked. */
export async function makeLab(
  options: LabOptions & { backends?: string[]; healthChecks?: boolean } = {},
): Promise<TestLab> {
  const lab = await Lab.create({ balancerPort: 0, ...options });
  labs.push(lab);
  const events: LabEvent[] = [];
  const waiters = new Set<() => void>();
  lab.onEvent((e) => {
    events.push(e);
    for (const wake of [...waiters]) wake();
  });
  const t: TestLab = {
    lab,
    events,
    port: lab.balancerAddress.port,
    of: (type) => events.filter((e) => e.type === type) as never,
    next: (type, match = () => true, timeoutMs = 5000) =>
      within(
        new Promise((resolve) => {
          const check = (): void => {
            const found = events.find((e) => e.type === type && match(e as never));
            if (found) {
              waiters.delete(check);
              resolve(found as never);
            }
          };
          waiters.add(check);
          check();
        }),
        timeoutMs,
        `event ${type}`,
      ),
    ok: async (command) => {
      const result = await lab.execute(command);
      if (!result.ok) throw new Error(`command failed: ${result.error} (${JSON.stringify(command)})`);
    },
  };
  if (!options.healthChecks)
    await t.ok({
      type: 'balancer.setPolicy',
      policy: { healthCheck: { enabled: false, intervalMs: 1000, timeoutMs: 1000, rise: 2, fall: 2 } },
    });
  for (const id of options.backends ?? []) await lab.addManagedBackend({ id, port: 0 });
  return t;
}

/** What a raw exchange saw. */
export interface Exchange {
  data: string;
  raw: Buffer;
  /** Error code/message when the connection ended in an error (e.g. ECONNRESET). */
  error: string | null;
  /** From connect to close, ms. */
  ms: number;
  /** First byte received, ms after connect (null if none). */
  firstByteMs: number | null;
}

/** Connect, write payload, half-close (unless keepOpen), collect everything until close. */
export function exchange(port: number, payload: string | Buffer, timeoutMs = 5000): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const chunks: Buffer[] = [];
    let firstByteMs: number | null = null;
    let error: string | null = null;
    const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`exchange did not finish within ${timeoutMs} ms; got ${Buffer.concat(chunks).length} bytes`));
    }, timeoutMs);
    socket.on('connect', () => socket.end(payload));
    socket.on('data', (chunk: Buffer) => {
      firstByteMs ??= performance.now() - startedAt;
      chunks.push(chunk);
    });
    socket.on('end', () => socket.destroy());
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    socket.on('close', () => {
      clearTimeout(timer);
      const raw = Buffer.concat(chunks);
      resolve({ data: raw.toString(), raw, error, ms: performance.now() - startedAt, firstByteMs });
    });
  });
}

/** Connect (with an error listener) and resolve once connected. */
export const open = connect;

/** Read one reply line from a socket (bounded). */
export function readLine(socket: Socket, timeoutMs = 3000): Promise<string> {
  return within(
    new Promise<string>((resolve, reject) => {
      let text = '';
      const onData = (chunk: Buffer): void => {
        text += chunk.toString();
        const nl = text.indexOf('\n');
        if (nl !== -1) {
          socket.removeListener('data', onData);
          resolve(text.slice(0, nl));
        }
      };
      socket.on('data', onData);
      socket.once('close', () => reject(new Error(`closed before a line; got ${JSON.stringify(text)}`)));
    }),
    timeoutMs,
    'reply line',
  );
}

/**
 * A listener that never accepts: a child process listens with backlog 1 and is stopped (SIGSTOP), and
 * its accept queue is filled, so further SYNs are dropped and connects hang until they time out.
 */
export async function stalledListener(): Promise<{ port: number; release: () => Promise<void> }> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '-e',
      "require('net').createServer().listen({port:0,host:'127.0.0.1',backlog:1},function(){process.stdout.write(this.address().port+'\\n')})",
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  child.on('error', () => undefined);
  const port = await within(
    new Promise<number>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim())))),
    5000,
    'stalled listener start',
  );
  child.kill('SIGSTOP');
  const fillers: Socket[] = [];
  // Fill the accept queue: connects that complete now; once one hangs the queue is full.
  for (let i = 0; i < 8; i++) {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    fillers.push(socket);
    const connected = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 150);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!connected) break;
  }
  return {
    port,
    release: async () => {
      for (const s of fillers) s.destroy();
      child.kill('SIGKILL');
      await new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
    },
  };
}

/** Resolve after ms (only for measuring a bounded window, never for correctness). */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
