import type { TrafficBurst, TrafficConnection, TrafficModel } from '../../../shared/protocol';

/** Everything a traffic run is configured with, defaults filled in. */
export interface TrafficSettings {
  /** Messages per second (steady, open); ignored by the closed model. */
  rate: number;
  text: string;
  model: TrafficModel;
  /** Closed model: virtual users. */
  concurrency: number;
  /** Closed model: pause after each reply, ms. */
  thinkMs: number;
  connection: TrafficConnection;
  /** Pad each message to this many bytes; undefined = no padding. */
  size: number | undefined;
  burst: TrafficBurst | null;
  /** Distinct clients (source addresses when the target is IPv4 loopback). */
  clients: number;
}

export const DEFAULT_TRAFFIC_TEXT = 'hello';
export const DEFAULT_CONCURRENCY = 10;
/** Largest message the line protocol accepts. */
export const MAX_MESSAGE_BYTES = 4096;

/** Fill in defaults for a partially given configuration. */
export function resolveTrafficSettings(input: Partial<TrafficSettings> & { rate: number }): TrafficSettings {
  return {
    rate: input.rate,
    text: input.text ?? DEFAULT_TRAFFIC_TEXT,
    model: input.model ?? 'steady',
    concurrency: input.concurrency ?? DEFAULT_CONCURRENCY,
    thinkMs: input.thinkMs ?? 0,
    connection: input.connection ?? 'per-message',
    size: input.size === undefined ? undefined : Math.min(MAX_MESSAGE_BYTES, Math.max(1, Math.floor(input.size))),
    burst: input.burst ?? null,
    clients: Math.max(1, Math.floor(input.clients ?? 1)),
  };
}

/**
 * Source addresses for `count` clients: none (the OS default) for one client, else 127.0.0.2, 127.0.0.3, …
 * — only when the target is IPv4 loopback, since Linux routes all of 127/8 to lo and a bound 127.0.0.x
 * cannot reach another host. Elsewhere the clients share the default address.
 */
export function clientAddresses(count: number, targetHost: string): Array<string | undefined> {
  if (count <= 1 || !/^127\.\d+\.\d+\.\d+$/.test(targetHost)) return new Array<string | undefined>(count).fill(undefined);
  return Array.from({ length: count }, (_, i) => `127.0.${Math.floor((i + 2) / 256)}.${(i + 2) % 256}`);
}

/** `text` padded with dots to `size` UTF-8 bytes (never cut: longer text stays as it is). */
export function padMessage(text: string, size: number | undefined): string {
  if (size === undefined) return text;
  const bytes = Buffer.byteLength(text, 'utf8');
  return bytes >= size ? text : text + '.'.repeat(size - bytes);
}
