/** `balancer-lab web`: the browser face — serves the UI and a WebSocket over a Lab. */
import type { WebApp } from '../web';
import { RuntimeFailure, UsageError, parseCommandLine, parseHost, parsePort, parsePortList } from './args';
import type { Subcommand } from './command';
import { exitOnSignal } from './shutdown';

const usage = `Usage: balancer-lab web [--port PORT] [--host HOST] [--balancer-port PORT]
                        [--backend-ports PORT,PORT] [--open]

Serve Balancer Lab in a browser: the Lab runs its balancer and backends on real ports here.

Options:
  --port PORT              port for the web page (default 0: a free one)
  --host HOST              address for the web page (default 127.0.0.1)
  --balancer-port PORT     the Lab's balancer port (default 5000; 0 picks a free one)
  --backend-ports LIST     the Lab's two backends' ports (default 5001,5002; 0 = free)
  --open                   also open the page in the system browser
  -h, --help               show this help

Prints "open URL" when ready; Ctrl-C stops it.
`;

/** The web subcommand. */
export const webCommand: Subcommand = {
  name: 'web',
  summary: 'serve the Lab to a browser',
  usage,
  async run(argv) {
    const { values } = parseCommandLine(
      argv,
      {
        port: { type: 'string' },
        host: { type: 'string' },
        'balancer-port': { type: 'string' },
        'backend-ports': { type: 'string' },
        open: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      false,
    );
    if (values.help) {
      process.stdout.write(usage);
      return 0;
    }
    const port = values.port === undefined ? 0 : parsePort(values.port, '--port', true);
    const host = values.host === undefined ? '127.0.0.1' : parseHost(values.host, '--host');
    const balancerPort =
      values['balancer-port'] === undefined ? 5000 : parsePort(values['balancer-port'], '--balancer-port', true);
    const backendPorts =
      values['backend-ports'] === undefined
        ? [5001, 5002]
        : parsePortList(values['backend-ports'], '--backend-ports', true);
    if (backendPorts.length !== 2) throw new UsageError('--backend-ports: give two ports, e.g. 5001,5002');
    const [first = 5001, second = 5002] = backendPorts;

    let app: WebApp;
    try {
      // Loaded on demand: the HTTP/WebSocket host is not needed by the other subcommands' quick starts.
      const { startWebApp } = await import('../web');
      app = await startWebApp({ port, host, balancerPort, backendPorts: [first, second], open: values.open === true });
    } catch (error) {
      throw new RuntimeFailure(error instanceof Error ? error.message : String(error));
    }
    exitOnSignal(() => app.close());
    process.stdout.write(`open ${app.url}\n`);
    return 'running';
  },
};
