/**
 * Command-line parsing shared by every subcommand: node:util parseArgs in strict mode, values validated
 * with the shared zod schemas, and every problem turned into a one-line UsageError (exit code 2).
 */
import { isIP } from 'node:net';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { z } from 'zod';
import {
  ALGORITHMS,
  AlgorithmNameSchema,
  HostSchema,
  MessageTextSchema,
  PortSchema,
  WeightSchema,
  type AlgorithmName,
} from '../../shared/protocol';

/** Exit codes: documented in the top-level usage text. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Bad input from the user: printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A runtime failure the user can act on (port in use, connection refused): one line, exit code 1. */
export class RuntimeFailure extends Error {
  override readonly name = 'RuntimeFailure';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs in strict mode, its errors rephrased as one short line. */
export function parseCommandLine<O extends Options>(argv: string[], options: O, allowPositionals: boolean) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals, allowNegative: false });
  } catch (error) {
    throw new UsageError(describeParseError(error));
  }
}

function describeParseError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const option = /'(-[^' ]+)/.exec(message)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option ?? message}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': {
      const arg = /'([^']*)'/.exec(message)?.[1];
      return `unexpected argument '${arg ?? ''}'`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/argument missing/.test(message)) return `${option ?? 'option'} needs a value`;
      if (/ambiguous/.test(message))
        return `${option ?? 'option'} needs a value (use ${option ?? '--option'}=-VALUE for one starting with '-')`;
      if (/does not take an argument/.test(message)) return `${option ?? 'option'} takes no value`;
      return message.split('\n')[0] ?? message;
    default:
      return message.split('\n')[0] ?? message;
  }
}

/** Run a zod schema and turn its first issue into "<label>: <message>". */
function check<T>(schema: z.ZodType<T>, value: unknown, label: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new UsageError(`${label}: ${(issue?.message ?? 'invalid value').replace(/\s+/g, ' ')}`);
}

/** Decimal text to a number; anything else becomes NaN so the schemas report "must be a number". */
function toNumber(text: string): number {
  return /^[+-]?\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : Number.NaN;
}

/** A port to connect to or listen on (1..65535); `allowZero` accepts 0 = "pick a free port" for listeners. */
export function parsePort(text: string, label: string, allowZero = false): number {
  const value = toNumber(text);
  if (allowZero && value === 0) return 0;
  return check(PortSchema, value, label);
}

/** A host name or IP literal. */
export function parseHost(text: string, label: string): string {
  return check(HostSchema, text, label);
}

/** An IP address to bind a client's source to. */
export function parseSourceAddress(text: string, label: string): string {
  if (isIP(text) === 0) throw new UsageError(`${label}: source must be an IPv4 or IPv6 address`);
  return text;
}

/** A whole number in [min, max]. */
export function parseInteger(text: string, label: string, min: number, max: number): number {
  const value = toNumber(text);
  if (!Number.isInteger(value)) throw new UsageError(`${label}: must be a whole number`);
  if (value < min || value > max) throw new UsageError(`${label}: must be between ${min} and ${max}`);
  return value;
}

/** A decimal number in [min, max] (fractions allowed). */
export function parseDecimal(text: string, label: string, min: number, max: number): number {
  const value = toNumber(text);
  if (Number.isNaN(value)) throw new UsageError(`${label}: must be a number`);
  if (value < min || value > max) throw new UsageError(`${label}: must be between ${min} and ${max}`);
  return value;
}

/** A whole number checked against a shared zod number schema; the error names its bounds. */
export function parseSchemaInteger(text: string, label: string, schema: z.ZodNumber): number {
  const value = toNumber(text);
  if (!Number.isInteger(value)) throw new UsageError(`${label}: must be a whole number`);
  if (!schema.safeParse(value).success) {
    const { minValue, maxValue } = schema;
    throw new UsageError(`${label}: must be between ${minValue ?? '-∞'} and ${maxValue ?? '∞'}`);
  }
  return value;
}

/** One line of message text (the line protocol forbids newlines). */
export function parseMessage(text: string, label: string): string {
  return check(MessageTextSchema, text, label);
}

/** A balancing algorithm name; the error lists the valid ones. */
export function parseAlgorithm(text: string, label: string): AlgorithmName {
  const result = AlgorithmNameSchema.safeParse(text);
  if (result.success) return result.data;
  throw new UsageError(`${label}: unknown algorithm '${text}' (choose one of: ${ALGORITHMS.join(', ')})`);
}

/** A backend named on the command line: `HOST:PORT[,weight=N]`. */
export interface BackendSpec {
  /** The id the Lab shows, e.g. "127.0.0.1:5001". */
  id: string;
  host: string;
  port: number;
  weight?: number;
}

/** Parse `HOST:PORT[,weight=N]`; IPv6 hosts go in brackets: `[::1]:5001`. */
export function parseBackendSpec(text: string, label: string): BackendSpec {
  const [address = '', ...params] = text.split(',');
  const bracketed = /^\[([^\]]+)\]:([^:]*)$/.exec(address);
  const plain = /^([^:[\]]*):([^:]*)$/.exec(address);
  const match = bracketed ?? plain;
  if (!match) throw new UsageError(`${label}: '${text}' is not HOST:PORT[,weight=N]`);
  const host = parseHost(match[1] ?? '', `${label} ${text}`);
  const port = parsePort(match[2] ?? '', `${label} ${text}`);
  const spec: BackendSpec = { id: `${host}:${port}`, host, port };
  for (const param of params) {
    const [key, value, ...extra] = param.split('=');
    if (key !== 'weight' || value === undefined || extra.length > 0) {
      throw new UsageError(`${label} ${text}: unknown setting '${param}' (only weight=N is allowed)`);
    }
    if (spec.weight !== undefined) throw new UsageError(`${label} ${text}: weight given twice`);
    const weight = toNumber(value);
    if (Number.isNaN(weight)) throw new UsageError(`${label} ${text}: weight must be a number`);
    spec.weight = check(WeightSchema, weight, `${label} ${text}`);
  }
  return spec;
}

/** A comma-separated list of ports, e.g. "5001,5002" (0 allowed where `allowZero`). */
export function parsePortList(text: string, label: string, allowZero = false): number[] {
  const parts = text.split(',');
  if (parts.length > 16) throw new UsageError(`${label}: at most 16 ports`);
  return parts.map((part) => parsePort(part, label, allowZero));
}

/** Format host:port with brackets for IPv6. */
export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
