/** `balancer-lab balancer`: the seed's load_balancer.py, on the Lab's balancer, with external backends. */
import { Lab } from '../core';
import type { AlgorithmName, LabEvent } from '../../shared/protocol';
import {
  RuntimeFailure,
  UsageError,
  formatAddress,
  parseAlgorithm,
  parseBackendSpec,
  parseCommandLine,
  parseHost,
  parsePort,
  type BackendSpec,
} from './args';
import type { Subcommand } from './command';
import {
  FAILURE_OPTIONS,
  FAILURE_USAGE,
  applyFailureLimits,
  applyFailurePolicy,
  parseFailureFlags,
} from './failure-flags';
import { eventLine } from './event-line';
import { LineWriter } from './line-writer';
import { exitOnSignal } from './shutdown';

/** The tutorial's pool: BACKEND_SERVERS = [("127.0.0.1", 5001), ("127.0.0.1", 5002)]. */
const SEED_BACKENDS = ['127.0.0.1:5001', '127.0.0.1:5002'];

/** How long event lines may wait to be coalesced into one stdout write. */
const FLUSH_INTERVAL_MS = 10;

const usage = `Usage: balancer-lab balancer [--port PORT] [--host HOST] [--backend HOST:PORT[,weight=N]]...
                             [--algorithm NAME] [--events] [failure options]

Run the load balancer, like the tutorial's \`python load_balancer.py\`: it accepts clients and
bridges each one to a backend it picks. The backends are separate processes (balancer-lab backend,
or the tutorial's backend.py).

Options:
  --port PORT          port to listen on (default 5000; 0 picks a free one)
  --host HOST          address to listen on (default 127.0.0.1)
  --backend SPEC       a backend, HOST:PORT[,weight=N] (weight 0-256); repeat for each one;
                       IPv6 as [::1]:5001. Default: 127.0.0.1:5001 and 127.0.0.1:5002
  --algorithm NAME     round-robin (default), weighted-round-robin, least-connections,
                       power-of-two, random, source-hash, consistent-hash, peak-ewma
  --events             write every Lab event as one JSON line to stdout (NDJSON);
                       the "listening on" line then goes to stderr
  -h, --help           show this help

${FAILURE_USAGE}
Prints "listening on HOST:PORT" when ready, then one line per connection; Ctrl-C stops it.
`;

/** The balancer subcommand. */
export const balancerCommand: Subcommand = {
  name: 'balancer',
  summary: 'run the load balancer (the seed load_balancer.py)',
  usage,
  async run(argv) {
    const { values } = parseCommandLine(
      argv,
      {
        port: { type: 'string' },
        host: { type: 'string' },
        backend: { type: 'string', multiple: true },
        algorithm: { type: 'string' },
        events: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        ...FAILURE_OPTIONS,
      },
      false,
    );
    if (values.help) {
      process.stdout.write(usage);
      return 0;
    }
    const port = values.port === undefined ? 5000 : parsePort(values.port, '--port', true);
    const host = values.host === undefined ? '127.0.0.1' : parseHost(values.host, '--host');
    const algorithm: AlgorithmName =
      values.algorithm === undefined ? 'round-robin' : parseAlgorithm(values.algorithm, '--algorithm');
    const backends = parseBackends(values.backend ?? SEED_BACKENDS);
    const events = values.events === true;
    const failureFlags = parseFailureFlags(values);

    let lab: Lab;
    try {
      lab = await Lab.create({ balancerHost: host, balancerPort: port, algorithm });
    } catch (error) {
      throw new RuntimeFailure(error instanceof Error ? error.message : String(error));
    }

    const out = new LineWriter(process.stdout, {
      // A short timer rather than one write per event-loop turn: under connection churn every turn has a
      // few events, and one pipe write per turn cost ~10% of the balancer's CPU (cpu-prof, bench `conn`).
      schedule: (flush) => setTimeout(flush, FLUSH_INTERVAL_MS),
      onDropped: (count) =>
        process.stderr.write(`balancer-lab balancer: stdout is not keeping up; dropped ${count} lines\n`),
    });
    const unsubscribe = lab.onEvent(
      events ? (event) => out.push(eventLine(event)) : (event) => logEvent(out, event),
    );
    const shutdown = async (): Promise<void> => {
      await lab.close();
      unsubscribe();
      await out.close();
    };
    // `balancer --events | head` : the reader went away, so stop like any Unix filter would.
    process.stdout.on('error', () => {
      void shutdown().finally(() => process.exit(0));
    });

    try {
      await applyFailurePolicy(lab, failureFlags);
    } catch (error) {
      await lab.close();
      throw error;
    }
    for (const backend of backends) {
      const result = await lab.execute({
        type: 'backend.addExternal',
        id: backend.id,
        host: backend.host,
        port: backend.port,
        weight: backend.weight,
      });
      if (!result.ok) {
        await lab.close();
        throw new UsageError(`--backend ${backend.id}: ${result.error}`);
      }
    }
    try {
      await applyFailureLimits(lab, failureFlags, backends.map((b) => b.id));
    } catch (error) {
      await lab.close();
      throw error;
    }
    exitOnSignal(shutdown);
    const address = lab.balancerAddress;
    const ready = `listening on ${formatAddress(address.host, address.port)}\n`;
    if (events) process.stderr.write(ready);
    else out.push(ready.trimEnd());
    return 'running';
  },
};

function parseBackends(specs: string[]): BackendSpec[] {
  const seen = new Set<string>();
  return specs.map((text) => {
    const spec = parseBackendSpec(text, '--backend');
    if (seen.has(spec.id)) throw new UsageError(`--backend: ${spec.id} is given twice`);
    seen.add(spec.id);
    return spec;
  });
}

/** Human log without --events: one line per connection decision or failure, like load_balancer.py's prints. */
function logEvent(out: LineWriter, event: LabEvent): void {
  switch (event.type) {
    case 'conn.opened':
      out.push(
        `${formatAddress(event.clientAddress, event.clientPort)} -> ${event.backendId} (${event.decision.reason})`,
      );
      break;
    case 'conn.retry':
      out.push(`connection ${event.connId}: ${event.backendId} failed (${event.error}); trying another`);
      break;
    case 'conn.closed':
      if (event.reason === 'no-backend')
        out.push(`connection ${event.connId}: no backend could be reached; client closed`);
      break;
    case 'error':
      out.push(`error: ${event.message}`);
      break;
    default:
      break;
  }
}
