import { parseCommand, type CommandResult } from '../../shared/protocol';

/** Anything that runs validated commands (the Lab, or a fake in tests). */
export interface CommandRunner {
  execute(command: unknown): Promise<CommandResult>;
}

/** Largest command a host accepts, measured as JSON; the biggest legal one (a 4 KiB message) fits easily. */
export const MAX_COMMAND_BYTES = 16 * 1024;

/** Longest error line a host sends back; a runaway message must not become a megabyte reply. */
const MAX_ERROR_CHARS = 300;

/** Squash any error text to one bounded line. */
export function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim() || 'unknown error';
  return line.length > MAX_ERROR_CHARS ? `${line.slice(0, MAX_ERROR_CHARS - 1)}…` : line;
}

function sizeError(payload: unknown): string | null {
  let json: string | undefined;
  try {
    json = JSON.stringify(payload);
  } catch {
    // Cycles and BigInts cannot have come from a legitimate JSON or IPC client.
    return 'command must be plain JSON data';
  }
  if (json === undefined) return 'command must be an object';
  if (Buffer.byteLength(json, 'utf8') > MAX_COMMAND_BYTES) return `command is larger than ${MAX_COMMAND_BYTES} bytes`;
  return null;
}

/**
 * The one place a host turns an untrusted payload into a CommandResult: size limit, schema validation,
 * execution, and a catch-all so a transport never sees a rejection or a multi-line error.
 */
export async function runCommand(lab: CommandRunner, payload: unknown): Promise<CommandResult> {
  try {
    const tooBig = sizeError(payload);
    if (tooBig) return { ok: false, error: tooBig };
    const parsed = parseCommand(payload);
    if (!parsed.ok) return { ok: false, error: oneLine(parsed.error) };
    const result = await lab.execute(parsed.command);
    if (!result || typeof result !== 'object' || typeof result.ok !== 'boolean') {
      return { ok: false, error: 'internal error: the Lab returned no result' };
    }
    return result.ok ? result : { ok: false, error: oneLine(String(result.error)) };
  } catch (error) {
    return { ok: false, error: oneLine(`internal error: ${error instanceof Error ? error.message : String(error)}`) };
  }
}
