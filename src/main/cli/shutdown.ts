/** Graceful exit for the long-running subcommands: SIGINT/SIGTERM close listeners, then exit 0. */

/** How long a graceful close may take before the process exits anyway. */
const CLOSE_TIMEOUT_MS = 3000;

/**
 * On the first SIGINT/SIGTERM run `close` (bounded by a timeout) and exit 0; a second signal exits at once.
 * Returns a function that removes the handlers.
 */
export function exitOnSignal(close: () => Promise<void>): () => void {
  let closing = false;
  const onSignal = (): void => {
    if (closing) process.exit(0);
    closing = true;
    const timer = setTimeout(() => process.exit(0), CLOSE_TIMEOUT_MS);
    close()
      .catch(() => undefined)
      .finally(() => {
        clearTimeout(timer);
        process.exit(0);
      });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

/** Write to a stream and resolve once the data has been handed to the OS (so exit does not lose it). */
export function writeAndFlush(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve) => {
    stream.write(text, () => resolve());
  });
}
