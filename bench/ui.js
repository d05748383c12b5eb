#!/usr/bin/env node
// UI benchmark: how smoothly the renderer draws, and how much the balancer keeps doing, while a browser watches
// the Lab under 1k, 5k and 20k messages/s — compared with the same traffic and no page connected.
// Usage: npm run bench:ui -- [--rates 1000,5000,20000] [--seconds 8] [--warmup 2] [--clients 8] [--per-message]
// Needs `npm run build` first (it serves out/renderer). 127.0.0.1 only; every child is killed on exit.
// Prints a table; writes bench/results/ui-latest.json.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import WebSocket from 'ws';

/* global requestAnimationFrame -- used inside page.evaluate, which runs in the browser */

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const CHROMIUM = '/usr/bin/chromium';
const START_TIMEOUT_MS = 20_000;
const COMMAND_TIMEOUT_MS = 10_000;
/** A frame slower than 1.5 × a 60 Hz frame counts as dropped. */
const DROPPED_FRAME_MS = 1.5 * (1000 / 60);

const { values } = parseArgs({
  options: {
    rates: { type: 'string', default: '1000,5000,20000' },
    seconds: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '2' },
    clients: { type: 'string', default: '8' },
    'per-message': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
});
if (values.help) {
  process.stdout.write(
    'Usage: node bench/ui.js [--rates 1000,5000,20000] [--seconds 8] [--warmup 2] [--clients 8] [--per-message]\n',
  );
  process.exit(0);
}
const rates = values.rates.split(',').map(Number);
const seconds = Number(values.seconds);
const warmup = Number(values.warmup);
const clients = Number(values.clients);
const persistent = !values['per-message'];
if (!rates.every((r) => r >= 1 && r <= 20_000)) fail('--rates must be numbers between 1 and 20000');
if (!(seconds >= 1 && seconds <= 60)) fail('--seconds must be between 1 and 60');
if (!(warmup >= 0 && warmup <= 30)) fail('--warmup must be between 0 and 30');
if (!(Number.isInteger(clients) && clients >= 1 && clients <= 200)) fail('--clients must be 1..200');
if (!existsSync(join(root, 'out', 'renderer', 'index.html')) || !existsSync(join(root, 'out', 'main'))) {
  fail('out/ is missing: run `npm run build` first (bench:ui builds nothing)');
}
if (!existsSync(CHROMIUM)) fail(`Chromium not found at ${CHROMIUM}`);

/** @type {Set<import('node:child_process').ChildProcess>} */
const children = new Set();
/** @type {import('@playwright/test').Browser | null} */
let browser = null;

function fail(message) {
  process.stderr.write(`bench:ui: ${message}\n`);
  process.exit(2);
}

function killAll() {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

/** Start `balancer-lab web` on ephemeral ports; resolves with its URL and a count of its "slow client" notes. */
function startHost() {
  const child = spawn(
    process.execPath,
    ['bin/balancer-lab.js', 'web', '--port', '0', '--balancer-port', '0', '--backend-ports', '0,0'],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.add(child);
  child.on('exit', () => children.delete(child));
  const host = { child, url: '', slowNotes: 0 };
  const note = (chunk) => {
    host.slowNotes += (String(chunk).match(/is slow; dropping/g) ?? []).length;
  };
  child.stderr.setEncoding('utf8').on('data', note);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('balancer-lab web printed no URL in time')), START_TIMEOUT_MS);
    child.on('error', (error) => reject(error));
    child.on('exit', (code) => reject(new Error(`balancer-lab web exited early (${code})`)));
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      note(chunk);
      out += chunk;
      const match = /open (http:\/\/\S+)/.exec(out);
      if (!match || host.url) return;
      clearTimeout(timer);
      host.url = match[1];
      resolve(host);
    });
  });
}

async function stopHost(host) {
  const { child } = host;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/**
 * A WebSocket client of our own on the host (no rendering): invokes commands and keeps the newest metrics
 * sample, from which the balancer's replied-message totals are read.
 */
function observe(url) {
  const page = new URL(url);
  const wsUrl = `ws://${page.host}/ws?token=${page.searchParams.get('token') ?? ''}`;
  const ws = new WebSocket(wsUrl, { origin: `http://${page.host}`, perMessageDeflate: false });
  let nextId = 1;
  const pending = new Map();
  /** @type {{ t: number, total: number }[]} */
  const samples = [];
  ws.on('message', (data) => {
    let frame;
    try {
      frame = JSON.parse(String(data));
    } catch {
      return;
    }
    if (frame.kind === 'result') {
      pending.get(frame.id)?.(frame.result);
      pending.delete(frame.id);
    } else if (frame.kind === 'events') {
      for (const event of frame.events) {
        if (event.type === 'metrics') samples.push({ t: performance.now(), total: event.sample.balancer.messagesTotal });
      }
    }
  });
  const opened = new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  ws.on('error', () => {});
  return {
    opened,
    samples,
    invoke(command) {
      const id = nextId++;
      ws.send(JSON.stringify({ kind: 'invoke', id, command }));
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve({ ok: false, error: 'timeout' }), COMMAND_TIMEOUT_MS);
        pending.set(id, (result) => {
          clearTimeout(timer);
          resolve(result);
        });
      });
    },
    close() {
      ws.terminate();
    },
  };
}

/** Replied messages per second between two wall times, from the metrics samples' running totals. */
function achievedRate(samples, from, to) {
  const inWindow = samples.filter((s) => s.t >= from && s.t <= to);
  const first = inWindow[0];
  const last = inWindow[inWindow.length - 1];
  if (!first || !last || last.t <= first.t) return null;
  return ((last.total - first.total) * 1000) / (last.t - first.t);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function trafficCommand(rate) {
  return {
    type: 'traffic.start',
    rate,
    clients,
    model: 'steady',
    connection: persistent ? 'persistent' : 'per-message',
  };
}

/** The same traffic with no page connected: the host serves only our observer. */
async function runHeadless(rate) {
  const host = await startHost();
  const obs = observe(host.url);
  try {
    await obs.opened;
    const started = await obs.invoke(trafficCommand(rate));
    if (!started.ok) throw new Error(`traffic.start failed: ${started.error}`);
    await sleep(warmup * 1000);
    const from = performance.now();
    await sleep(seconds * 1000);
    const to = performance.now();
    await obs.invoke({ type: 'traffic.stop' });
    return { achieved: achievedRate(obs.samples, from, to) };
  } finally {
    obs.close();
    await stopHost(host);
  }
}

/** The same traffic started from the UI (Rate field + Start traffic), measuring frames in the page. */
async function runWithUi(rate) {
  const host = await startHost();
  const obs = observe(host.url);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  try {
    await obs.opened;
    const page = await context.newPage();
    await page.goto(host.url);
    await page.getByRole('status', { name: 'Connection status' }).filter({ hasText: 'Connected' }).waitFor();
    await page.getByLabel('Rate (messages/s)').fill(String(rate));
    await page.getByLabel('Clients').fill(String(clients));
    const persistentBox = page.getByLabel('Persistent connections');
    if ((await persistentBox.count()) > 0) await persistentBox.setChecked(persistent);
    await page.getByRole('button', { name: 'Start traffic' }).click();
    await sleep(warmup * 1000);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const from = performance.now();
    const frames = await page.evaluate(
      (ms) =>
        new Promise((resolve) => {
          const deltas = [];
          let last = performance.now();
          const end = last + ms;
          const step = (now) => {
            deltas.push(now - last);
            last = now;
            if (now < end && deltas.length < 100_000) requestAnimationFrame(step);
            else resolve(deltas);
          };
          requestAnimationFrame(step);
        }),
      seconds * 1000,
    );
    const to = performance.now();
    const { metrics } = await cdp.send('Performance.getMetrics');
    const heap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? null;
    await obs.invoke({ type: 'traffic.stop' });
    const sorted = [...frames].sort((a, b) => a - b);
    const pick = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? null;
    return {
      achieved: achievedRate(obs.samples, from, to),
      frames: frames.length,
      fps: (frames.length * 1000) / (seconds * 1000),
      p50: pick(0.5),
      p95: pick(0.95),
      max: sorted[sorted.length - 1] ?? null,
      dropped: frames.filter((d) => d > DROPPED_FRAME_MS).length,
      heapMiB: heap === null ? null : heap / 1024 / 1024,
      slowClientNotes: host.slowNotes,
    };
  } finally {
    obs.close();
    await context.close();
    await stopHost(host);
  }
}

const fmt = (v, digits = 0) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));

async function main() {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const rows = [];
  try {
    for (const rate of rates) {
      process.stderr.write(`rate ${rate}/s: with UI…\n`);
      const ui = await runWithUi(rate);
      process.stderr.write(`rate ${rate}/s: headless…\n`);
      const headless = await runHeadless(rate);
      rows.push({ rate, ui, headless });
    }
  } finally {
    await browser.close();
  }

  const header = ['target/s', 'frames', 'p50 ms', 'p95 ms', 'max ms', 'dropped', 'heap MiB', 'ui msg/s', 'headless msg/s', 'ui/headless'];
  const table = rows.map(({ rate, ui, headless }) => [
    String(rate),
    String(ui.frames),
    fmt(ui.p50, 1),
    fmt(ui.p95, 1),
    fmt(ui.max, 1),
    `${ui.dropped} (${fmt((100 * ui.dropped) / Math.max(1, ui.frames), 1)}%)`,
    fmt(ui.heapMiB, 1),
    fmt(ui.achieved),
    fmt(headless.achieved),
    ui.achieved && headless.achieved ? fmt(ui.achieved / headless.achieved, 2) : '–',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
  process.stdout.write(`${line(header)}\n${table.map(line).join('\n')}\n`);
  process.stdout.write(
    `traffic: steady, ${persistent ? 'persistent' : 'per-message'} connections, ${clients} clients; ${warmup} s warm-up, ${seconds} s measured; dropped = frames > ${DROPPED_FRAME_MS.toFixed(1)} ms\n`,
  );

  const outDir = join(here, 'results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    join(outDir, 'ui-latest.json'),
    `${JSON.stringify({ at: new Date().toISOString(), seconds, warmup, clients, persistent, rows }, null, 2)}\n`,
  );
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`bench:ui failed: ${error instanceof Error ? error.message : String(error)}\n`);
    killAll();
    process.exit(1);
  },
);
