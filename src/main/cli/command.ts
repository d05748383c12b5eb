/** The shape every subcommand module exports. */
export interface Subcommand {
  name: string;
  /** One line for the top-level usage. */
  summary: string;
  /** The full `--help` text. */
  usage: string;
  /**
   * Run with the arguments after the subcommand name. Resolves to an exit code when done, or to
   * 'running' for a server that keeps the process alive until a signal.
   */
  run(argv: string[]): Promise<number | 'running'>;
}
