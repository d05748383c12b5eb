/** `balancer-lab client`: the seed's client.py — one connection per message, replies printed as received. */
import { createInterface } from 'node:readline';
import {
  EXIT_FAILURE,
  formatAddress,
  parseCommandLine,
  parseDecimal,
  parseHost,
  parseInteger,
  parseMessage,
  parsePort,
  parseSourceAddress,
  UsageError,
} from './args';
import type { Subcommand } from './command';
import { exchangeLikeSeedClient } from './seed-exchange';
import { TRAFFIC_MODELS, type TrafficModel } from '../../shared/protocol';
import { resolveTrafficSettings, type TrafficSettings } from '../core/traffic';
import { formatLoadSummary, runLoad } from './load';

const usage = `Usage: balancer-lab client [--host HOST] [--port PORT] [--message TEXT]... [--count N]
                           [--source ADDR]
       balancer-lab client --rate R [--duration S] [--model steady|open|closed] [--concurrency N]
                           [--think MS] [--persistent] [--size BYTES] [--clients N] [--message TEXT]

Send messages to the load balancer, like the tutorial's \`python client.py\`: one connection per
message, sent bare (no newline) like client.py, and each reply printed exactly as received.

Options:
  --host HOST        where to connect (default 127.0.0.1)
  --port PORT        port to connect to (default 5000)
  --message TEXT     a message to send; repeat for several. Without --message, each line read
                     from stdin is sent (until end of input; empty lines are skipped)
  --count N          send every message N times (1-100000, default 1)
  --source ADDR      local address to connect from, e.g. 127.0.0.2 (source-hash algorithms see it)
  -h, --help         show this help

Load mode (--rate): the Lab's traffic generator, then a summary (sent, replied, failed, shed,
p50/p95/p99 latency, achieved rate). Messages end with a newline; each waits for its reply line.
  --rate R           messages per second (0.1-20000; the closed model ignores it)
  --duration S       how long to send, seconds (default 10)
  --model M          steady (evenly spaced, default), open (Poisson arrivals) or closed
                     (--concurrency users: send, wait for the reply, think, repeat)
  --concurrency N    closed model: virtual users (1-2000, default 10)
  --think MS         closed model: pause after each reply (default 0)
  --persistent       one connection per client, many messages (default: one per message)
  --size BYTES       pad each message to this many bytes (1-4096)
  --clients N        distinct clients; against 127.x they bind 127.0.0.2, 127.0.0.3, ... (1-200)

Exit status: 0 when every message got a reply, 1 when one failed (e.g. connection refused).
`;

const LOAD_OPTIONS = ['duration', 'model', 'concurrency', 'think', 'persistent', 'size', 'clients'] as const;

/** How long one message may wait for its reply. */
const REPLY_TIMEOUT_MS = 10_000;

/** The client subcommand. */
export const clientCommand: Subcommand = {
  name: 'client',
  summary: 'send messages through the balancer (the seed client.py)',
  usage,
  async run(argv) {
    const { values } = parseCommandLine(
      argv,
      {
        host: { type: 'string' },
        port: { type: 'string' },
        message: { type: 'string', multiple: true },
        count: { type: 'string' },
        source: { type: 'string' },
        rate: { type: 'string' },
        duration: { type: 'string' },
        model: { type: 'string' },
        concurrency: { type: 'string' },
        think: { type: 'string' },
        persistent: { type: 'boolean' },
        size: { type: 'string' },
        clients: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      false,
    );
    if (values.help) {
      process.stdout.write(usage);
      return 0;
    }
    const host = values.host === undefined ? '127.0.0.1' : parseHost(values.host, '--host');
    const port = values.port === undefined ? 5000 : parsePort(values.port, '--port');
    const count = values.count === undefined ? 1 : parseInteger(values.count, '--count', 1, 100_000);
    const localAddress = values.source === undefined ? undefined : parseSourceAddress(values.source, '--source');
    const messages = (values.message ?? []).map((text) => parseMessage(text, '--message'));

    if (values.rate !== undefined) {
      if (messages.length > 1) throw new UsageError('--rate sends one message text: give --message at most once');
      if (values.count !== undefined || values.source !== undefined)
        throw new UsageError('--count and --source do not apply with --rate (use --duration and --clients)');
      const settings = resolveTrafficSettings({
        rate: parseDecimal(values.rate, '--rate', 0.1, 20_000),
        text: messages[0],
        model: values.model === undefined ? undefined : parseModel(values.model),
        concurrency: values.concurrency === undefined ? undefined : parseInteger(values.concurrency, '--concurrency', 1, 2000),
        thinkMs: values.think === undefined ? undefined : parseInteger(values.think, '--think', 0, 60_000),
        connection: values.persistent ? 'persistent' : 'per-message',
        size: values.size === undefined ? undefined : parseInteger(values.size, '--size', 1, 4096),
        clients: values.clients === undefined ? undefined : parseInteger(values.clients, '--clients', 1, 200),
      });
      const seconds = values.duration === undefined ? 10 : parseDecimal(values.duration, '--duration', 0.1, 86_400);
      return runLoadCommand(host, port, settings, seconds * 1000);
    }
    for (const name of LOAD_OPTIONS)
      if (values[name] !== undefined) throw new UsageError(`--${name} needs --rate`);

    const send = async (text: string): Promise<boolean> => {
      for (let i = 0; i < count; i++) {
        try {
          // Bare text, no half-close, reply printed as received: byte-compatible with client.py, so it
          // also works against the tutorial's load_balancer.py and backend.py.
          const reply = await exchangeLikeSeedClient({ host, port, text, localAddress, timeoutMs: REPLY_TIMEOUT_MS });
          process.stdout.write(reply.endsWith('\n') ? reply : `${reply}\n`);
        } catch (error) {
          process.stderr.write(`balancer-lab client: ${describeSendError(error, host, port)}\n`);
          return false;
        }
      }
      return true;
    };

    if (messages.length > 0) {
      for (const text of messages) if (!(await send(text))) return EXIT_FAILURE;
      return 0;
    }
    // No --message: send each stdin line (typed at a terminal or piped in), prompt-free, until EOF.
    const lines = createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
    try {
      for await (const line of lines) {
        if (line.length === 0) continue;
        const text = parseMessage(line, 'stdin');
        if (!(await send(text))) return EXIT_FAILURE;
      }
    } finally {
      lines.close();
    }
    return 0;
  },
};

function parseModel(text: string): TrafficModel {
  const model = TRAFFIC_MODELS.find((m) => m === text);
  if (!model) throw new UsageError(`--model: unknown model '${text}' (choose one of: ${TRAFFIC_MODELS.join(', ')})`);
  return model;
}

/** Load mode: run, print the summary; exit 1 when any message failed. Ctrl-C stops early and still reports. */
async function runLoadCommand(host: string, port: number, settings: TrafficSettings, durationMs: number): Promise<number> {
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const summary = await runLoad({ host, port, settings, durationMs, replyTimeoutMs: REPLY_TIMEOUT_MS, signal: abort.signal });
    process.stdout.write(formatLoadSummary(summary, settings));
    for (const [error, count] of summary.topErrors)
      process.stderr.write(`balancer-lab client: ${count} × ${describeSendError(new Error(error), host, port)}\n`);
    return summary.counters.failed > 0 ? EXIT_FAILURE : 0;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

/** One line naming why a message failed, e.g. "cannot connect to 127.0.0.1:5000 (connection refused)". */
export function describeSendError(error: unknown, host: string, port: number): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const where = formatAddress(host, port);
  const known: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    EADDRNOTAVAIL: 'source address not available',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host not found',
  };
  if (typeof code === 'string' && known[code]) return `cannot connect to ${where} (${known[code]})`;
  if (/ECONNREFUSED|refused/i.test(message)) return `cannot connect to ${where} (connection refused)`;
  if (code === 'ECONNRESET' || /reset/i.test(message)) return `${where} reset the connection`;
  if (code === 'ETIMEDOUT' || /timed? ?out/i.test(message)) return `no reply from ${where} (timed out)`;
  return `${where}: ${message.split('\n')[0]}`;
}
