/**
 * The balancer-lab command line (built to out/main/cli.js, run by bin/balancer-lab.js).
 * Bad input exits 2 with one line on stderr; runtime failures (port in use, connection refused) exit 1
 * with one line; a stack trace is shown only with BALANCER_LAB_DEBUG=1.
 */
import { version } from '../../../package.json';
import { EXIT_FAILURE, EXIT_USAGE, UsageError } from './args';
import { backendCommand } from './backend';
import { balancerCommand } from './balancer';
import { clientCommand } from './client';
import type { Subcommand } from './command';
import { webCommand } from './web';

const COMMANDS: readonly Subcommand[] = [backendCommand, balancerCommand, clientCommand, webCommand];

const usage = `Usage: balancer-lab <command> [options]

See, and try for real, how a TCP load balancer spreads traffic over servers.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join('\n')}

The tutorial's four terminals:
  balancer-lab backend 5001 1
  balancer-lab backend 5002 2
  balancer-lab balancer
  balancer-lab client --message hello

Options:
  -h, --help       show this help (or \`balancer-lab <command> --help\`)
  --version        print the version

Exit status: 0 success (or stopped by Ctrl-C/SIGTERM), 1 runtime failure (port in use,
connection refused), 2 bad command line.
`;

const debug = process.env.BALANCER_LAB_DEBUG === '1';

/** Print one line for a failure and choose its exit code. */
/** Error lines echo what the user typed; keep them one readable line however long the input was. */
function clip(line: string, max = 300): string {
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function fail(prefix: string, error: unknown): number {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${prefix}: ${clip(message.split('\n')[0] ?? '')}\n`);
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return error instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
}

async function main(argv: string[]): Promise<number | 'running'> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    process.stderr.write(usage);
    return EXIT_USAGE;
  }
  if (name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(usage);
    return 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${version}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    const what = name.startsWith('-') ? `unknown option ${name}` : `unknown command '${name}'`;
    return fail(
      'balancer-lab',
      new UsageError(`${what} (commands: ${COMMANDS.map((c) => c.name).join(', ')}; try --help)`),
    );
  }
  const prefix = `balancer-lab ${command.name}`;
  // Anything thrown later (an engine bug) still ends as one line, never a trace.
  const onFatal = (error: unknown): void => process.exit(fail(prefix, error));
  process.on('uncaughtException', onFatal);
  process.on('unhandledRejection', onFatal);
  try {
    return await command.run(rest);
  } catch (error) {
    return fail(prefix, error);
  }
}

void main(process.argv.slice(2)).then((outcome) => {
  if (outcome === 'running') return;
  // Exit once stdout has taken everything: a finished command must not linger on stdin or timers,
  // and process.exit alone could cut short a pending write to a pipe.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(outcome)));
});
