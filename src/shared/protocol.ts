/**
 * The one contract between the Lab (engine) and every face (Electron IPC, WebSocket, CLI):
 * commands the UI may send, their results, and the events the engine emits.
 * Types are inferred from zod schemas so every boundary validates with the same definitions.
 */
import { z } from 'zod';

/** TCP port a user may name (0 is never accepted from users; the Lab picks ephemeral ports itself). */
export const PortSchema = z
  .number({ error: 'port must be a number' })
  .int('port must be a whole number')
  .min(1, 'port must be between 1 and 65535')
  .max(65535, 'port must be between 1 and 65535');

/** Listen host: loopback by default; any IPv4/IPv6 literal or "localhost" accepted. */
export const HostSchema = z
  .string()
  .min(1, 'host must not be empty')
  .max(255)
  .regex(/^[A-Za-z0-9.:_-]+$/, 'host must be an IP address or a host name');

/** A backend's id as shown in its replies: "[Server <id>]". */
export const BackendIdSchema = z
  .string()
  .min(1, 'server id must not be empty')
  .max(40, 'server id must be at most 40 characters')
  .regex(/^[^\s'[\]]+$/, 'server id must have no spaces, quotes or brackets');

export const WeightSchema = z
  .number()
  .int('weight must be a whole number')
  .min(0, 'weight must be between 0 and 256')
  .max(256, 'weight must be between 0 and 256');

export const ALGORITHMS = [
  'round-robin',
  'weighted-round-robin',
  'least-connections',
  'power-of-two',
  'random',
  'source-hash',
  'consistent-hash',
  'peak-ewma',
] as const;
export const AlgorithmNameSchema = z.enum(ALGORITHMS, {
  error: `algorithm must be one of: ${ALGORITHMS.join(', ')}`,
});
export type AlgorithmName = z.infer<typeof AlgorithmNameSchema>;

/** What a message may contain: one line of text (the line protocol forbids newlines). */
export const MessageTextSchema = z
  .string()
  .min(1, 'message must not be empty')
  .max(4096, 'message must be at most 4096 characters')
  .regex(/^[^\r\n]*$/, 'message must be a single line');

// ---------------------------------------------------------------- commands

export const CommandSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('backend.add'),
    id: BackendIdSchema,
    port: PortSchema,
    host: HostSchema.optional(),
    delayMs: z.number().int().min(0).max(60_000).optional(),
    weight: WeightSchema.optional(),
  }),
  /** Register a backend the Lab does not run (e.g. the seed's backend.py). */
  z.object({
    type: z.literal('backend.addExternal'),
    id: BackendIdSchema,
    host: HostSchema,
    port: PortSchema,
    weight: WeightSchema.optional(),
  }),
  z.object({ type: z.literal('backend.remove'), id: BackendIdSchema }),
  z.object({ type: z.literal('backend.stop'), id: BackendIdSchema }),
  z.object({ type: z.literal('backend.kill'), id: BackendIdSchema }),
  z.object({ type: z.literal('backend.restart'), id: BackendIdSchema }),
  z.object({ type: z.literal('backend.setWeight'), id: BackendIdSchema, weight: WeightSchema }),
  z.object({ type: z.literal('backend.setDelay'), id: BackendIdSchema, delayMs: z.number().int().min(0).max(60_000) }),
  z.object({ type: z.literal('balancer.setAlgorithm'), algorithm: AlgorithmNameSchema }),
  z.object({
    type: z.literal('message.send'),
    text: MessageTextSchema,
    /** Which client sends it; defaults to the first client. */
    clientId: z.string().min(1).max(40).optional(),
  }),
  z.object({
    type: z.literal('traffic.start'),
    /** Messages per second, spread evenly. */
    rate: z.number().min(0.1, 'rate must be at least 0.1 per second').max(20_000, 'rate must be at most 20000 per second'),
    text: MessageTextSchema.optional(),
    /** Distinct clients, each with its own source address (127.0.0.2, 127.0.0.3, …), so hashing spreads. */
    clients: z.number().int('clients must be a whole number').min(1, 'clients must be between 1 and 200').max(200, 'clients must be between 1 and 200').optional(),
  }),
  z.object({ type: z.literal('traffic.stop') }),
  z.object({ type: z.literal('lab.snapshot') }),
]);
export type Command = z.infer<typeof CommandSchema>;
export type CommandType = Command['type'];

// ---------------------------------------------------------------- state

export const BACKEND_STATES = ['starting', 'up', 'stopping', 'stopped', 'killed', 'external'] as const;
export type BackendState = (typeof BACKEND_STATES)[number];

/** A backend as the UI shows it. */
export interface BackendView {
  id: string;
  host: string;
  port: number;
  /** True when the Lab runs this server; false for an external server it only balances to. */
  managed: boolean;
  state: BackendState;
  weight: number;
  delayMs: number;
  /** Connections the balancer has open to it right now. */
  activeConnections: number;
  /** Connections the balancer has ever opened to it. */
  totalConnections: number;
  /** Messages this backend answered (managed backends count their own replies). */
  messagesServed: number;
}

export interface BalancerView {
  host: string;
  port: number;
  listening: boolean;
  algorithm: AlgorithmName;
  activeConnections: number;
  totalConnections: number;
  /** Clients closed because no backend could be reached. */
  failedConnections: number;
}

export interface ClientView {
  id: string;
  /** Source address the client binds (127.0.0.X), or undefined for the OS default. */
  sourceAddress?: string;
}

export interface TrafficView {
  running: boolean;
  rate: number;
  text: string;
  /** Distinct source addresses the stream uses (1 = the OS default address). */
  clients?: number;
}

/** A client key on a hash ring and the backend it maps to now. */
export interface RingClient {
  /** Source address (the hash key). */
  address: string;
  /** 32-bit hash of the address. */
  hash: number;
  backendId: string | null;
  /** The backend it mapped to before the last pool change, when that differs. */
  movedFrom?: string | null;
}

/** What a hash algorithm's ring (consistent-hash) or table (source-hash) looks like now. */
export interface RingView {
  algorithm: 'consistent-hash' | 'source-hash';
  /** Sampled ring points or table slots, hash in [0, 2^32), sorted by hash. */
  points: { hash: number; backendId: string }[];
  /** Every client key the Lab knows of (its clients' source addresses and addresses seen by the balancer). */
  clients: RingClient[];
  /** Clients that changed backend at the last pool change, and how many clients were known then. */
  moved: number;
  total: number;
}

/** Everything the UI needs to draw the Lab from scratch; later events fold onto it. */
export interface LabSnapshot {
  /** Sequence number of the last event included in this snapshot. */
  seq: number;
  /** Lab clock (ms) at the moment of the snapshot. */
  t: number;
  balancer: BalancerView;
  backends: BackendView[];
  clients: ClientView[];
  traffic: TrafficView;
  /** The hash ring/table when a hash algorithm is selected, else null. */
  ring?: RingView | null;
}

// ---------------------------------------------------------------- events

/** A candidate as an algorithm saw it when it picked. */
export interface DecisionCandidate {
  backendId: string;
  /** The number the algorithm compared (open connections, weight, hash slot...), as display text. */
  score: string;
}

/** Why a backend was chosen: the algorithm, the candidates and a one-line human reason. */
export interface Decision {
  algorithm: AlgorithmName;
  backendId: string;
  reason: string;
  candidates: DecisionCandidate[];
}

export type CloseReason =
  | 'completed' // both sides closed cleanly (FIN both ways)
  | 'client-reset'
  | 'backend-reset'
  | 'no-backend' // every backend refused or timed out, or none is available
  | 'backend-removed'
  | 'balancer-stopped'
  | 'error';

interface EventBase {
  /** Strictly increasing per Lab. */
  seq: number;
  /** Monotonic Lab clock in ms. */
  t: number;
}

export type LabEvent = EventBase &
  (
    | { type: 'backend.state'; backend: BackendView }
    | { type: 'backend.removed'; backendId: string }
    | { type: 'balancer.state'; balancer: BalancerView }
    | { type: 'traffic.state'; traffic: TrafficView }
    | { type: 'balancer.ring'; ring: RingView | null }
    | {
        type: 'conn.opened';
        connId: number;
        clientAddress: string;
        clientPort: number;
        backendId: string;
        decision: Decision;
        /** Backends tried first that refused or timed out. */
        retried: string[];
      }
    | {
        /** A connect attempt to a backend failed; the balancer moves on to another. */
        type: 'conn.retry';
        connId: number;
        backendId: string;
        error: string;
      }
    | {
        /** Bytes forwarded since the last such event for this connection (coalesced). */
        type: 'conn.bytes';
        connId: number;
        up: number;
        down: number;
      }
    | {
        type: 'conn.closed';
        connId: number;
        backendId: string | null;
        reason: CloseReason;
        bytesUp: number;
        bytesDown: number;
        durationMs: number;
      }
    | { type: 'message.sent'; msgId: number; clientId: string; text: string }
    | {
        type: 'message.replied';
        msgId: number;
        clientId: string;
        connId: number | null;
        backendId: string | null;
        reply: string;
        latencyMs: number;
      }
    | { type: 'message.failed'; msgId: number; clientId: string; connId: number | null; backendId: string | null; error: string }
    | { type: 'error'; message: string }
  );
export type LabEventType = LabEvent['type'];

// ---------------------------------------------------------------- results

export type CommandResult = { ok: true; snapshot?: LabSnapshot } | { ok: false; error: string };

/** Validate an untrusted command; returns a one-line error on failure. */
export function parseCommand(input: unknown): { ok: true; command: Command } | { ok: false; error: string } {
  const result = CommandSchema.safeParse(input);
  if (result.success) return { ok: true, command: result.data };
  return { ok: false, error: formatZodError(result.error) };
}

/** One line naming the first problem, e.g. "port: port must be between 1 and 65535". */
export function formatZodError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid command';
  const path = issue.path.length ? `${issue.path.join('.')}: ` : '';
  return `${path}${issue.message}`.replace(/\s+/g, ' ');
}
