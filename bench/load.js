#!/usr/bin/env node
// Load generator for one target and one workload; prints one JSON line and exits.
// Usage: node bench/load.js --target HOST:PORT --mode conn|rr|bulk [--seconds 4] [--concurrency N] [--size BYTES]
//   conn: open, send SIZE (64) bytes, read them back, close       -> connections/s   (32 at once)
//   rr:   persistent connection, SIZE (64) byte ping-pong          -> round trips/s, p50/p99 ms (32 at once)
//   bulk: persistent connection, stream SIZE (64 KiB) chunks       -> MB/s echoed back (8 at once)
import net from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    target: { type: 'string' },
    mode: { type: 'string', default: 'rr' },
    seconds: { type: 'string', default: '4' },
    concurrency: { type: 'string' },
    size: { type: 'string' },
  },
  strict: true,
});
const mode = values.mode;
if (!['conn', 'rr', 'bulk'].includes(mode)) throw new Error(`unknown mode ${mode}`);
const [host, portText] = (values.target ?? '').split(':');
const port = Number(portText);
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency ?? (mode === 'bulk' ? 8 : 32));
const size = Number(values.size ?? (mode === 'bulk' ? 65536 : 64));
const payload = Buffer.alloc(size, 'x');

const startedAt = performance.now();
const cpuAtStart = process.cpuUsage();
const deadline = startedAt + seconds * 1000;
const latencies = [];
let operations = 0;
let bytesEchoed = 0;
let errors = 0;
const stopped = () => performance.now() >= deadline;

/** Connect, resolving with the socket (rejecting on error). */
function open() {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, noDelay: true });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Write the payload and resolve once as many bytes have come back. */
function echoOnce(socket) {
  return new Promise((resolve, reject) => {
    let received = 0;
    const onData = (chunk) => {
      received += chunk.length;
      if (received >= size) done(null);
    };
    const onError = (error) => done(error);
    const onEnd = () => done(new Error('closed before the echo'));
    const done = (error) => {
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('end', onEnd);
      if (error) reject(error);
      else resolve();
    };
    socket.on('data', onData);
    socket.once('error', onError);
    socket.once('end', onEnd);
    socket.write(payload);
  });
}

async function connWorker() {
  while (!stopped()) {
    const began = performance.now();
    let socket;
    try {
      socket = await open();
      await echoOnce(socket);
      socket.end();
      socket.destroy();
      latencies.push(performance.now() - began);
      operations++;
    } catch {
      socket?.destroy();
      errors++;
      // A refused or reset connection would otherwise spin: back off a little (bounded by the deadline).
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }
}

async function rrWorker() {
  let socket;
  try {
    socket = await open();
    socket.on('error', () => undefined);
  } catch {
    errors++;
    return;
  }
  while (!stopped()) {
    const began = performance.now();
    try {
      await echoOnce(socket);
      latencies.push(performance.now() - began);
      operations++;
    } catch {
      errors++;
      break;
    }
  }
  socket.destroy();
}

async function bulkWorker() {
  let socket;
  try {
    socket = await open();
  } catch {
    errors++;
    return;
  }
  await new Promise((resolve) => {
    const finish = () => {
      clearInterval(watch);
      socket.destroy();
      resolve();
    };
    socket.on('data', (chunk) => {
      if (!stopped()) bytesEchoed += chunk.length;
    });
    socket.on('error', () => {
      errors++;
      finish();
    });
    socket.on('close', finish);
    const pump = () => {
      while (!stopped() && socket.write(payload)) operations++;
    };
    socket.on('drain', pump);
    const watch = setInterval(() => {
      if (stopped()) finish();
    }, 25);
    pump();
  });
}

const worker = { conn: connWorker, rr: rrWorker, bulk: bulkWorker }[mode];
await Promise.all(Array.from({ length: concurrency }, () => worker()));
const elapsed = (Math.min(performance.now(), deadline) - startedAt) / 1000;
const cpu = process.cpuUsage(cpuAtStart);
// Near 100 means the generator itself is the limit (it is single-threaded), not the target.
const cpuPct = ((cpu.user + cpu.system) / 1e3 / (performance.now() - startedAt)) * 100;
latencies.sort((a, b) => a - b);
const percentile = (p) =>
  latencies.length
    ? Number(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))].toFixed(3))
    : null;
process.stdout.write(
  `${JSON.stringify({
    target: values.target,
    mode,
    concurrency,
    size,
    seconds: Number(elapsed.toFixed(2)),
    opsPerSec: mode === 'bulk' ? null : Math.round(operations / elapsed),
    mbPerSec: Number((bytesEchoed / elapsed / 1e6).toFixed(1)),
    p50Ms: percentile(0.5),
    p99Ms: percentile(0.99),
    errors,
    cpuPct: Number(cpuPct.toFixed(1)),
  })}\n`,
);
process.exit(0);
