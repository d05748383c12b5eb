#!/usr/bin/env node
// Side-by-side TCP balancer benchmark on 127.0.0.1: direct echo (the limit), HAProxy and nginx stream
// (the peers, when installed) and our balancer with its event stream on, under the same load, in one run.
// Usage: npm run bench -- [--seconds 4] [--modes "conn rr bulk"] [--lb-command 'CMD {port} {backends}']
//                         [--targets "direct haproxy nginx ours"] [--rounds N] [--warmup S] [--alt-command CMD]
// Prints a table and "ratio MODE ours/haproxy=X ours/nginx=Y ours/direct=Z"; writes bench/results/latest.json.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const NGINX_STREAM_MODULE = '/usr/lib/nginx/modules/ngx_stream_module.so';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '4' },
    modes: { type: 'string', default: 'conn rr bulk' },
    'lb-command': { type: 'string' },
    'alt-command': { type: 'string' },
    targets: { type: 'string', default: 'direct haproxy nginx ours' },
    rounds: { type: 'string', default: '1' },
    warmup: { type: 'string', default: '1' },
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
});
if (values.help) {
  process.stdout.write(
    `Usage: node bench/run.js [--seconds S] [--modes "conn rr bulk"] [--lb-command 'CMD {port} {backends}'] [--targets "direct haproxy nginx ours"] [--rounds N] [--warmup S] [--alt-command CMD]\n`,
  );
  process.exit(0);
}
const seconds = Number(values.seconds);
if (!(seconds > 0 && seconds <= 120)) fail('--seconds must be between 0 and 120');
const rounds = Number(values.rounds);
if (!(Number.isInteger(rounds) && rounds >= 1 && rounds <= 10)) fail('--rounds must be an integer from 1 to 10');
const warmup = Number(values.warmup);
if (!(warmup >= 0 && warmup <= 30)) fail('--warmup must be between 0 and 30');
const modes = values.modes.split(/[\s,]+/).filter(Boolean);
for (const mode of modes) if (!['conn', 'rr', 'bulk'].includes(mode)) fail(`unknown mode '${mode}' (conn, rr, bulk)`);
const wanted = new Set(values.targets.split(/[\s,]+/).filter(Boolean));
for (const name of wanted)
  if (!['direct', 'haproxy', 'nginx', 'ours'].includes(name))
    fail(`unknown target '${name}' (direct, haproxy, nginx, ours)`);

function fail(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

// ------------------------------------------------------------------ children, always cleaned up
const children = new Set();
const scratch = mkdtempSync(join(tmpdir(), 'balancer-lab-bench-'));
let cleaned = false;
function cleanup() {
  if (cleaned) return;
  cleaned = true;
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    // SIGTERM first: an nginx master killed outright leaves its worker orphaned.
    void stopGracefully(2000).finally(() => {
      cleanup();
      process.exit(130);
    });
  });
}

/** SIGTERM every child and wait (bounded) so e.g. `node --cpu-prof` can write its profile; then cleanup() kills the rest. */
async function stopGracefully(timeoutMs = 5000) {
  const alive = [...children].filter((child) => child.exitCode === null && child.signalCode === null);
  await Promise.race([
    Promise.all(
      alive.map(
        (child) =>
          new Promise((resolve) => {
            child.once('exit', resolve);
            child.kill('SIGTERM');
          }),
      ),
    ),
    new Promise((resolve) => setTimeout(resolve, timeoutMs)),
  ]);
}

/** Spawn a long-lived child that dies with us; stdout/stderr are piped so we can read them. */
function start(command, args, options = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  child.on('error', () => undefined);
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

/** Resolve with the first match of `pattern` on the child's stream (bounded). */
function waitForLine(child, stream, pattern, timeoutMs = 10_000) {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child[stream] });
    const timer = setTimeout(() => finish(new Error(`timed out waiting for ${pattern}`)), timeoutMs);
    const onExit = () => finish(new Error(`exited (code ${child.exitCode}) before printing ${pattern}`));
    const finish = (error, value) => {
      clearTimeout(timer);
      lines.off('line', onLine);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(value);
    };
    const onLine = (line) => {
      const match = pattern.exec(line);
      if (match) finish(null, match);
    };
    lines.on('line', onLine);
    child.once('exit', onExit);
  });
}

/** A free loopback port (listen on 0, close); the small race is acceptable for a benchmark. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Resolve once 127.0.0.1:port accepts a connection (for peers that print nothing when ready). */
async function waitForPort(port, child, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    const ok = await new Promise((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`127.0.0.1:${port} did not accept connections within ${timeoutMs} ms`);
}

function which(command) {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin']) {
    if (dir && existsSync(join(dir, command))) return join(dir, command);
  }
  return null;
}

// ------------------------------------------------------------------ CPU accounting (Linux /proc)
/** utime+stime (clock ticks) of a process, or 0 when it is gone or /proc is unavailable. */
function processTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** CPU ticks of a process and all its live descendants (nginx master + worker, bash -> node). */
function treeTicks(rootPid) {
  if (!rootPid) return 0;
  const parents = new Map();
  try {
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      } catch {
        // The process exited while we listed /proc.
      }
    }
  } catch {
    return processTicks(rootPid);
  }
  let ticks = 0;
  for (const pid of parents.keys()) {
    for (let p = pid, hops = 0; p > 1 && hops < 16; p = parents.get(p) ?? 0, hops++) {
      if (p === rootPid) {
        ticks += processTicks(pid);
        break;
      }
    }
  }
  return ticks;
}
/** Linux USER_HZ; the value every mainstream kernel exports to /proc. */
const TICKS_PER_SECOND = 100;

// ------------------------------------------------------------------ targets
async function startEcho() {
  const child = start(process.execPath, [join(here, 'echo-backend.js'), '0']);
  const match = await waitForLine(child, 'stdout', /^echo listening on 127\.0\.0\.1:(\d+)$/);
  return { port: Number(match[1]), pid: child.pid };
}

async function startHaproxy(backends) {
  const haproxy = which('haproxy');
  if (!haproxy) return { skipped: 'haproxy not on PATH' };
  const port = await freePort();
  const config = join(scratch, 'haproxy.cfg');
  writeFileSync(
    config,
    [
      'global',
      '  maxconn 8000',
      '  nbthread 1',
      'defaults',
      '  mode tcp',
      '  timeout connect 2s',
      '  timeout client 30s',
      '  timeout server 30s',
      'frontend bench',
      `  bind 127.0.0.1:${port}`,
      '  default_backend pool',
      'backend pool',
      '  balance roundrobin',
      ...backends.map((p, i) => `  server s${i + 1} 127.0.0.1:${p}`),
      '',
    ].join('\n'),
  );
  const child = start(haproxy, ['-f', config, '-db']);
  await waitForPort(port, child);
  return { port, pid: child.pid };
}

async function startNginx(backends) {
  const nginx = which('nginx');
  if (!nginx) return { skipped: 'nginx not on PATH' };
  if (!existsSync(NGINX_STREAM_MODULE)) return { skipped: `${NGINX_STREAM_MODULE} missing` };
  const port = await freePort();
  const config = join(scratch, 'nginx.conf');
  writeFileSync(
    config,
    [
      `load_module ${NGINX_STREAM_MODULE};`,
      'worker_processes 1;',
      'daemon off;',
      `pid ${join(scratch, 'nginx.pid')};`,
      `error_log ${join(scratch, 'nginx.err')};`,
      'events { worker_connections 8000; }',
      'stream {',
      `  upstream pool { ${backends.map((p) => `server 127.0.0.1:${p};`).join(' ')} }`,
      `  server { listen 127.0.0.1:${port}; proxy_pass pool; proxy_half_close on; }`,
      '}',
      '',
    ].join('\n'),
  );
  const child = start(nginx, ['-c', config, '-p', scratch]);
  await waitForPort(port, child);
  return { port, pid: child.pid };
}

/** Ours (or --lb-command, or `template`): {port} and {backends} substituted; stdout drained like a /dev/null consumer. */
async function startOurs(backends, template = values['lb-command']) {
  const port = await freePort();
  const backendArgs = backends.map((p) => `--backend 127.0.0.1:${p}`).join(' ');
  template ??= `${JSON.stringify(process.execPath)} ${join(root, 'bin', 'balancer-lab.js')} balancer --port {port} {backends} --events`;
  const command = template.replaceAll('{port}', String(port)).replaceAll('{backends}', backendArgs);
  const child = start('bash', ['-c', `exec ${command}`], { cwd: root });
  const stream = { bytes: 0, lines: 0 };
  child.stdout.on('data', (chunk) => {
    stream.bytes += chunk.length;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) stream.lines++;
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  try {
    await waitForPort(port, child, 15_000);
  } catch (error) {
    throw new Error(`${error.message}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`, { cause: error });
  }
  return { port, pid: child.pid, command, stream };
}

/** Run the load generator in its own process (async, so we keep draining our balancer's event stream). */
function runLoad(port, mode, forSeconds = seconds) {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [join(here, 'load.js'), '--target', `127.0.0.1:${port}`, '--mode', mode, '--seconds', String(forSeconds)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), (forSeconds + 30) * 1000);
    child.on('error', (error) => (stderr += error.message));
    child.on('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
      if (code !== 0) return resolve({ error: (stderr || `exit ${code}`).trim().split('\n').pop() });
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop()));
      } catch {
        resolve({ error: `unreadable output: ${stdout.slice(0, 200)}` });
      }
    });
  });
}

// ------------------------------------------------------------------ run
const echoes = [await startEcho(), await startEcho()];
const backends = echoes.map((echo) => echo.port);
const targets = wanted.has('direct') ? [{ name: 'direct', port: backends[0], pid: echoes[0].pid }] : [];
for (const [name, starter] of [
  ['haproxy', startHaproxy],
  ['nginx', startNginx],
]) {
  if (!wanted.has(name)) continue;
  try {
    const started = await starter(backends);
    if (started.skipped) process.stderr.write(`bench: ${name} skipped (${started.skipped})\n`);
    else targets.push({ name, port: started.port, pid: started.pid });
  } catch (error) {
    process.stderr.write(`bench: ${name} skipped (${error.message})\n`);
  }
}
let ours = null;
if (wanted.has('ours')) {
  ours = await startOurs(backends);
  targets.push({ name: 'ours', port: ours.port, pid: ours.pid });
}
// --alt-command: a second build or variant measured in the same run ("alt"), for A/B comparisons.
let alt = null;
if (values['alt-command']) {
  alt = await startOurs(backends, values['alt-command']);
  targets.push({ name: 'alt', port: alt.port, pid: alt.pid });
}

const rows = [];
const echoTicks = () => echoes.reduce((sum, echo) => sum + treeTicks(echo.pid), 0);
for (const mode of modes) {
  // Rounds run the targets in turn (rotating who goes first), so slow drifts in machine load hit all alike.
  const runs = new Map(targets.map((target) => [target.name, []]));
  // An unmeasured warm-up per target: a JIT-compiled balancer is otherwise measured partly cold in its
  // first workload, while HAProxy and nginx have nothing to warm up.
  if (warmup > 0) for (const target of targets) await runLoad(target.port, mode, warmup);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < targets.length; i++) {
      const target = targets[(i + round) % targets.length];
      const stream = target.name === 'ours' ? ours?.stream : target.name === 'alt' ? alt?.stream : undefined;
      const linesBefore = stream?.lines ?? 0;
      // The direct target is an echo itself: count it once, as the echoes.
      const ticksBefore = target.name === 'direct' ? 0 : treeTicks(target.pid);
      const echoBefore = echoTicks();
      const result = await runLoad(target.port, mode);
      const run = { ...result };
      const elapsed = result.seconds || seconds;
      if (target.name !== 'direct')
        run.lbCpuPct = ((treeTicks(target.pid) - ticksBefore) / TICKS_PER_SECOND / elapsed) * 100;
      run.echoCpuPct = ((echoTicks() - echoBefore) / TICKS_PER_SECOND / elapsed) * 100;
      if (stream) run.eventsPerSec = Math.round((stream.lines - linesBefore) / seconds);
      runs.get(target.name).push(run);
      process.stderr.write(`bench: ${mode} ${target.name} round ${round + 1}/${rounds} done\n`);
    }
  }
  for (const target of targets) rows.push({ ...median(runs.get(target.name), mode), target: target.name, mode });
}

/** The run with the median headline figure (ops/s, or MB/s for bulk), marked with how many runs it was chosen from. */
function median(list, mode) {
  const value = (run) => (mode === 'bulk' ? run.mbPerSec : run.opsPerSec) ?? -1;
  const sorted = [...list].sort((a, b) => value(a) - value(b));
  const chosen = sorted[Math.floor((sorted.length - 1) / 2)];
  if (list.length === 1) return chosen;
  // CPU per operation gets its own median across the runs (its noise is not tied to the throughput's).
  const costs = list.map((run) => cpuPerOp(run, mode)).filter((cost) => cost !== null);
  costs.sort((a, b) => a - b);
  const cost = costs.length ? costs[Math.floor((costs.length - 1) / 2)] : null;
  return { ...chosen, runs: list.map(value), usPerOpRuns: costs.map((c) => Number(c.toFixed(1))), usPerOpMedian: cost };
}

/** Microseconds of the target's CPU per operation (per MB for bulk), or null when unknown. */
function cpuPerOp(run, mode) {
  if (run.lbCpuPct === undefined) return null;
  const rate = mode === 'bulk' ? run.mbPerSec : run.opsPerSec;
  return rate ? (run.lbCpuPct / 100 / rate) * 1e6 : null;
}

const metric = (row) => (row.mode === 'bulk' ? row.mbPerSec : row.opsPerSec);
const fmt = (value, digits = 0) => (value === null || value === undefined ? '-' : Number(value).toFixed(digits));
const header = [
  'mode',
  'target',
  'ops/s',
  'MB/s',
  'p50 ms',
  'p99 ms',
  'errors',
  'lb cpu%',
  'us/op',
  'load cpu%',
  'echo cpu%',
  'events/s',
];
// CPU per operation (per MB for bulk) of the target's whole process tree: the cost the balancer itself adds.
const usPerOp = (row) => row.usPerOpMedian ?? (row.mode ? cpuPerOp(row, row.mode) : null);
const table = rows.map((row) => [
  row.mode,
  row.target,
  row.error ? `error: ${row.error}` : fmt(row.opsPerSec),
  fmt(row.mbPerSec, 1),
  fmt(row.p50Ms, 3),
  fmt(row.p99Ms, 3),
  fmt(row.errors),
  fmt(row.lbCpuPct),
  fmt(usPerOp(row), 1),
  fmt(row.cpuPct),
  fmt(row.echoCpuPct),
  row.eventsPerSec === undefined ? '' : String(row.eventsPerSec),
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
const line = (cells) =>
  cells
    .map((c, i) => c.padEnd(widths[i]))
    .join('  ')
    .trimEnd();
process.stdout.write(`${line(header)}\n${table.map(line).join('\n')}\n`);

const ratios = {};
for (const mode of modes) {
  const rowOf = (name) => rows.find((row) => row.mode === mode && row.target === name) ?? {};
  const of = (name) => metric(rowOf(name)) ?? null;
  for (const me of ['ours', 'alt']) {
    const mine = of(me);
    if (mine === null) continue;
    const ratio = (name) => {
      const peer = of(name);
      return peer ? Number((mine / peer).toFixed(2)) : null;
    };
    // CPU spent per operation is far steadier than throughput when other work shares the machine.
    const mineCost = usPerOp(rowOf(me));
    const peerCost = usPerOp(rowOf('haproxy'));
    const costRatio = mineCost && peerCost ? Number((mineCost / peerCost).toFixed(2)) : null;
    const r = {
      haproxy: ratio('haproxy'),
      nginx: ratio('nginx'),
      direct: ratio('direct'),
      cpuPerOpVsHaproxy: costRatio,
    };
    if (me === 'ours') ratios[mode] = r;
    else (ratios.alt ??= {})[mode] = r;
    process.stdout.write(
      `ratio ${mode} ${me}/haproxy=${fmt(r.haproxy, 2)} ${me}/nginx=${fmt(r.nginx, 2)} ${me}/direct=${fmt(r.direct, 2)} cpu-per-op ${me}/haproxy=${fmt(costRatio, 2)}\n`,
    );
  }
}

mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(
  join(here, 'results', 'latest.json'),
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, seconds, rounds, modes, ours: ours?.command ?? null, rows, ratios }, null, 2)}\n`,
);
await stopGracefully();
cleanup();
process.exit(0);
