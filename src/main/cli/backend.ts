/** `balancer-lab backend <PORT> <SERVER_ID>`: the seed's backend.py, on the Lab's BackendServer. */
import { BackendServer } from '../core';
import { BackendIdSchema } from '../../shared/protocol';
import {
  UsageError,
  formatAddress,
  parseCommandLine,
  parseHost,
  parseInteger,
  parsePort,
  RuntimeFailure,
} from './args';
import type { Subcommand } from './command';
import { exitOnSignal } from './shutdown';

const usage = `Usage: balancer-lab backend <PORT> <SERVER_ID> [--host HOST] [--delay MS]

Run one backend server, like the tutorial's \`python backend.py 5001 1\`: it answers each
message with "[Server <SERVER_ID>] You said: '<message>'".

Arguments:
  PORT             port to listen on (1-65535; 0 picks a free one)
  SERVER_ID        the id shown in replies, e.g. 1

Options:
  --host HOST      address to listen on (default 127.0.0.1)
  --delay MS       wait this long before each reply (0-60000, default 0)
  -h, --help       show this help

Prints "Server <SERVER_ID> listening on HOST:PORT" when ready; Ctrl-C stops it.
`;

/** The backend subcommand. */
export const backendCommand: Subcommand = {
  name: 'backend',
  summary: 'run a backend server (the seed backend.py)',
  usage,
  async run(argv) {
    const { values, positionals } = parseCommandLine(
      argv,
      { host: { type: 'string' }, delay: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      true,
    );
    if (values.help) {
      process.stdout.write(usage);
      return 0;
    }
    if (positionals.length < 2) throw new UsageError('needs <PORT> and <SERVER_ID> (e.g. backend 5001 1)');
    if (positionals.length > 2) throw new UsageError(`unexpected argument '${positionals[2]}'`);
    const port = parsePort(positionals[0] ?? '', 'PORT', true);
    const idResult = BackendIdSchema.safeParse(positionals[1]);
    if (!idResult.success) throw new UsageError(`SERVER_ID: ${idResult.error.issues[0]?.message ?? 'invalid id'}`);
    const host = values.host === undefined ? '127.0.0.1' : parseHost(values.host, '--host');
    const delayMs = values.delay === undefined ? 0 : parseInteger(values.delay, '--delay', 0, 60_000);

    const server = new BackendServer({ id: idResult.data, port, host, delayMs });
    let address: { host: string; port: number };
    try {
      address = await server.start();
    } catch (error) {
      throw new RuntimeFailure(error instanceof Error ? error.message : String(error));
    }
    exitOnSignal(() => server.stop());
    process.stdout.write(`Server ${idResult.data} listening on ${formatAddress(address.host, address.port)}\n`);
    return 'running';
  },
};
