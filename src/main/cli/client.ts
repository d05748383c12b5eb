/** `balancer-lab client`: the seed's client.py — one connection per message, replies printed as received. */
import { createInterface } from 'node:readline';
import {
  EXIT_FAILURE,
  formatAddress,
  parseCommandLine,
  parseHost,
  parseInteger,
  parseMessage,
  parsePort,
  parseSourceAddress,
} from './args';
import type { Subcommand } from './command';
import { exchangeLikeSeedClient } from './seed-exchange';

const usage = `Usage: balancer-lab client [--host HOST] [--port PORT] [--message TEXT]... [--count N]
                           [--source ADDR]

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

Exit status: 0 when every message got a reply, 1 when one failed (e.g. connection refused).
`;

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
