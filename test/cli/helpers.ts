/** Process and socket helpers for the CLI and interop tests: real children, bounded waits, no sleeps. */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The installed entry point, as users run it. */
export const BIN = join(ROOT, 'bin', 'balancer-lab.js');
const BUILT_CLI = join(ROOT, 'out', 'main', 'cli.js');
/** Sources the built CLI bundles; a newer file here means out/main/cli.js is stale. */
const CLI_SOURCES = ['src/main/cli', 'src/main/core', 'src/main/web', 'src/shared'];

function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (/\.(ts|tsx)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Build with electron-vite when out/main/cli.js is missing or older than its sources.
 * (`npm test` runs vitest before the build; see the CLI report for the ordering this needs.)
 */
export function ensureBuilt(): void {
  const built = existsSync(BUILT_CLI) ? statSync(BUILT_CLI).mtimeMs : 0;
  const sources = Math.max(...CLI_SOURCES.map((dir) => newestMtime(join(ROOT, dir))));
  if (built > 0 && built >= sources) return;
  const result = spawnSync('npx', ['electron-vite', 'build'], { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });
  if (result.status === 0) return;
  const why = `${result.stderr ?? ''}${result.stdout ?? ''}`.trim().split('\n').slice(-15).join('\n');
  if (built === 0) throw new Error(`electron-vite build failed and out/main/cli.js is missing:\n${why}`);
  console.warn(`electron-vite build failed; testing the existing (stale) out/main/cli.js:\n${why}`);
}

/** What a finished process left behind. */
export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

type Stream = 'stdout' | 'stderr';

/** A child process whose output lines can be awaited. */
export class Proc {
  readonly child: ChildProcess;
  readonly lines: Record<Stream, string[]> = { stdout: [], stderr: [] };
  readonly text: Record<Stream, string> = { stdout: '', stderr: '' };
  readonly exited: Promise<Finished>;
  private readonly waiters = new Set<() => void>();
  private done = false;

  constructor(command: string, args: string[], options: SpawnOptions = {}) {
    this.child = spawn(command, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], ...options });
    this.child.on('error', () => undefined);
    for (const stream of ['stdout', 'stderr'] as const) {
      const source = this.child[stream];
      if (!source) continue;
      source.setEncoding('utf8');
      source.on('data', (chunk: string) => {
        this.text[stream] += chunk;
      });
      createInterface({ input: source, crlfDelay: Infinity }).on('line', (line) => {
        this.lines[stream].push(line);
        for (const wake of this.waiters) wake();
      });
    }
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        this.done = true;
        for (const wake of this.waiters) wake();
        resolve({ code, signal, stdout: this.text.stdout, stderr: this.text.stderr });
      });
    });
    running.add(this);
    void this.exited.then(() => running.delete(this));
  }

  /** Resolve with the first line (already seen or future) matching `pattern`; reject on exit or timeout. */
  async waitForLine(pattern: RegExp, options: { stream?: Stream; timeoutMs?: number } = {}): Promise<RegExpMatchArray> {
    const stream = options.stream ?? 'stdout';
    let match: RegExpMatchArray | null = null;
    const found = (lines: string[]): boolean => lines.some((line) => (match = pattern.exec(line)) !== null);
    await this.settleWhen(stream, found, `${stream} matched ${pattern}`, options.timeoutMs ?? 10_000);
    return match!;
  }

  /** Wait until `predicate` holds for the lines seen so far on `stream`; reject on exit or timeout. */
  async waitUntil(stream: Stream, predicate: (lines: string[]) => boolean, timeoutMs = 10_000): Promise<string[]> {
    await this.settleWhen(stream, predicate, `the ${stream} condition held`, timeoutMs);
    return this.lines[stream];
  }

  /** The one waiter both waits above use: checked on every new line, rejected on exit or after timeoutMs. */
  private settleWhen(
    stream: Stream,
    predicate: (lines: string[]) => boolean,
    what: string,
    timeoutMs: number,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (predicate(this.lines[stream])) return finish(resolve);
        if (this.done) finish(() => reject(new Error(`exited before ${what}: ${this.describe()}`)));
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`timed out waiting until ${what}: ${this.describe()}`))),
        timeoutMs,
      );
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        settle();
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Wait for at least `count` lines on `stream` and return the first `count`. */
  async waitForLines(stream: Stream, count: number, timeoutMs = 10_000): Promise<string[]> {
    const lines = await this.waitUntil(stream, (seen) => seen.length >= count, timeoutMs);
    return lines.slice(0, count);
  }

  /** Send a signal and wait for the exit, bounded. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 8000): Promise<Finished> {
    if (!this.done) this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  private describe(): string {
    return `stdout=${JSON.stringify(this.text.stdout.slice(-500))} stderr=${JSON.stringify(this.text.stderr.slice(-500))}`;
  }
}

const running = new Set<Proc>();

/** Kill every child still running (use in afterEach). */
export async function killAll(): Promise<void> {
  await Promise.all([...running].map((proc) => proc.stop('SIGKILL', 3000)));
}

/** Start `node bin/balancer-lab.js ...args`. */
export function startCli(args: string[]): Proc {
  return new Proc(process.execPath, [BIN, ...args]);
}

/** Run the CLI to completion (stdin closed, or fed `input`), bounded by `timeoutMs`. */
export async function runCli(args: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<Finished> {
  const proc = startCli(args);
  proc.child.stdin?.on('error', () => undefined);
  proc.child.stdin?.end(options.input ?? '');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), options.timeoutMs ?? 15_000);
  try {
    return await proc.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** A port that was free a moment ago (for "nothing listens here" checks). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** True when 127.0.0.1:port can be bound right now. */
export function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.on('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Hold 127.0.0.1:<ephemeral> open; returns the port and a release function. */
export function occupyPort(): Promise<{ port: number; release: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => socket.destroy());
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({ port, release: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

/** Send raw bytes, read until the peer closes (or `timeoutMs`), return everything received. */
export function exchangeRaw(port: number, payload: string, timeoutMs = 5000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(
          `no EOF from 127.0.0.1:${port} within ${timeoutMs} ms; got ${JSON.stringify(Buffer.concat(chunks).toString())}`,
        ),
      );
    }, timeoutMs);
    socket.on('connect', () => socket.write(payload));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
  });
}

/** python3 on PATH, or null. */
export function findPython(): string | null {
  const result = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? 'python3' : null;
}

/** The seed scripts' folder. */
export const SEED_DIR = join(ROOT, 'test', 'fixtures', 'seed');
