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
  // Letters, digits and . _ : # - only: ids appear in replies, terminals, CSV exports and the canvas.
  .regex(/^[\p{L}\p{N}._:#-]+$/u, 'server id may only hold letters, digits and . _ : # -');

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

// ---------------------------------------------------------------- failure handling settings

/** Active TCP health check, HAProxy-style (inter, timeout, rise, fall). */
export const HealthCheckSchema = z.object({
  enabled: z.boolean(),
  intervalMs: z.number().int().min(100, 'interval must be at least 100 ms').max(600_000),
  timeoutMs: z.number().int().min(10, 'timeout must be at least 10 ms').max(600_000),
  rise: z.number().int().min(1, 'rise must be between 1 and 100').max(100, 'rise must be between 1 and 100'),
  fall: z.number().int().min(1, 'fall must be between 1 and 100').max(100, 'fall must be between 1 and 100'),
});
export type HealthCheck = z.infer<typeof HealthCheckSchema>;

/** Which side injects a fault: inside our backend server, or in the balancer on the path to the backend. */
export const FaultSideSchema = z.enum(['backend', 'balancer'], { error: "side must be 'backend' or 'balancer'" });
export type FaultSide = z.infer<typeof FaultSideSchema>;

/** Toxiproxy-style faults; every field optional, an empty object clears all faults on that side. */
export const FaultsSchema = z
  .object({
    /** Added latency per chunk/reply: fixed plus uniform jitter, ms. */
    latencyMs: z.number().int().min(0).max(60_000),
    jitterMs: z.number().int().min(0).max(60_000),
    /** Bandwidth cap in KiB/s (0 = off). */
    bandwidthKBps: z.number().int().min(0).max(10_000_000),
    /** Probability in [0,1] that a new connection is reset mid-way. */
    resetProbability: z.number().min(0, 'probability must be between 0 and 1').max(1, 'probability must be between 0 and 1'),
    /** Refuse new connections (connection refused). */
    refuse: z.boolean(),
    /** Accept and never answer. */
    blackHole: z.boolean(),
    /** Delay before closing our side after the peer closed, ms. */
    slowCloseMs: z.number().int().min(0).max(600_000),
  })
  .partial();
export type Faults = z.infer<typeof FaultsSchema>;

/** Balancer-wide failure policy (defaults as in the README: retries 2, connect 1 s, idle 60 s). */
export const BalancerPolicySchema = z.object({
  /** Extra backends tried after a connect failure or timeout, unseen by the client. */
  retries: z.number().int().min(0).max(10),
  connectTimeoutMs: z.number().int().min(10).max(600_000),
  /** 0 = off. Fires on silence in both directions, never on a slow trickle. */
  idleTimeoutMs: z.number().int().min(0).max(86_400_000),
  /** Passive ejection: consecutive connect failures eject for base × count (capped). */
  ejection: z.object({
    enabled: z.boolean(),
    consecutiveFailures: z.number().int().min(1).max(100),
    baseMs: z.number().int().min(100).max(600_000),
    maxMs: z.number().int().min(100).max(3_600_000),
  }),
  /** Below this share of healthy backends, balance across all (panic mode). Percent. */
  panicThresholdPercent: z.number().int().min(0).max(100),
  /** Close open connections of a backend when it is marked down. */
  closeOnDown: z.boolean(),
  /** Defaults for backends without their own health check. */
  healthCheck: HealthCheckSchema,
});
export type BalancerPolicy = z.infer<typeof BalancerPolicySchema>;

// ---------------------------------------------------------------- traffic settings

export const TRAFFIC_MODELS = ['steady', 'open', 'closed'] as const;
export const TrafficModelSchema = z.enum(TRAFFIC_MODELS, { error: "model must be 'steady', 'open' or 'closed'" });
export type TrafficModel = z.infer<typeof TrafficModelSchema>;
export const TrafficConnectionSchema = z.enum(['per-message', 'persistent'], {
  error: "connection must be 'per-message' or 'persistent'",
});
export type TrafficConnection = z.infer<typeof TrafficConnectionSchema>;
export const TrafficBurstSchema = z.object({
  size: z.number().int('burst size must be a whole number').min(1, 'burst size must be between 1 and 2000').max(2000, 'burst size must be between 1 and 2000'),
  everyMs: z.number().int('burst interval must be a whole number').min(50, 'burst interval must be between 50 and 600000 ms').max(600_000, 'burst interval must be between 50 and 600000 ms'),
});
export type TrafficBurst = z.infer<typeof TrafficBurstSchema>;

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
    clientId: BackendIdSchema.optional(),
  }),
  z.object({
    type: z.literal('traffic.start'),
    /** Messages per second, spread evenly. */
    rate: z.number().min(0.1, 'rate must be at least 0.1 per second').max(20_000, 'rate must be at most 20000 per second'),
    text: MessageTextSchema.optional(),
    /** Distinct clients, each with its own source address (127.0.0.2, 127.0.0.3, …), so hashing spreads. */
    clients: z.number().int('clients must be a whole number').min(1, 'clients must be between 1 and 200').max(200, 'clients must be between 1 and 200').optional(),
    /** steady: evenly spaced at rate; open: Poisson arrivals at rate; closed: `concurrency` users send, await, think. */
    model: TrafficModelSchema.optional(),
    /** Closed model: virtual users (default 10). */
    concurrency: z.number().int('concurrency must be a whole number').min(1, 'concurrency must be between 1 and 2000').max(2000, 'concurrency must be between 1 and 2000').optional(),
    /** Closed model: pause after each reply before the next send, ms (default 0). */
    thinkMs: z.number().int('think time must be a whole number').min(0, 'think time must be between 0 and 60000 ms').max(60_000, 'think time must be between 0 and 60000 ms').optional(),
    /** per-message: a new connection per message (the seed's client); persistent: one connection per client. */
    connection: TrafficConnectionSchema.optional(),
    /** Pad each message to this many bytes (never truncated). */
    size: z.number().int('size must be a whole number').min(1, 'size must be between 1 and 4096 bytes').max(4096, 'size must be between 1 and 4096 bytes').optional(),
    /** Extra bursts of `size` messages every `everyMs`, on top of the rate. */
    burst: TrafficBurstSchema.optional(),
  }),
  z.object({ type: z.literal('traffic.stop') }),
  z.object({ type: z.literal('lab.snapshot') }),
  // ---- failure handling (health, ejection, retries, timeouts, limits, lifecycle, faults)
  z.object({
    type: z.literal('backend.setHealthCheck'),
    id: BackendIdSchema,
    check: HealthCheckSchema.partial(),
  }),
  z.object({
    type: z.literal('backend.setLimits'),
    id: BackendIdSchema,
    /** 0 = unlimited. */
    maxConnections: z.number().int().min(0, 'max connections must be 0 (unlimited) or more').max(100_000),
    /** How many connections may wait for a slot; 0 = no queue (refuse at once when full). */
    queueSize: z.number().int().min(0).max(100_000).optional(),
    queueTimeoutMs: z.number().int().min(1).max(600_000).optional(),
  }),
  /** ready: normal; drain: no new connections, open ones finish; maint: no traffic, no checks. */
  z.object({ type: z.literal('backend.setAdmin'), id: BackendIdSchema, admin: z.enum(['ready', 'drain', 'maint']) }),
  z.object({ type: z.literal('backend.setFaults'), id: BackendIdSchema, side: FaultSideSchema, faults: FaultsSchema }),
  z.object({
    type: z.literal('balancer.setPolicy'),
    // Any subset, nested ones too: {ejection: {enabled: true}} changes only that.
    policy: BalancerPolicySchema.extend({
      ejection: BalancerPolicySchema.shape.ejection.partial(),
      healthCheck: HealthCheckSchema.partial(),
    }).partial(),
  }),
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
  /** Operator state: ready, drain (no new connections) or maint (no traffic, no checks). */
  admin?: 'ready' | 'drain' | 'maint';
  health?: HealthView;
  /** Set while passive ejection keeps the backend out of the pool. */
  ejection?: { untilT: number; count: number } | null;
  /** Per-backend connection limit (0 = unlimited) and its queue. */
  limits?: { maxConnections: number; queueSize: number; queueTimeoutMs: number };
  queueLength?: number;
  faults?: { backend: Faults; balancer: Faults };
}

/** A backend's health as the active checks see it. */
export interface HealthView {
  status: 'healthy' | 'unhealthy' | 'unknown' | 'disabled';
  check: HealthCheck;
  /** Consecutive successes / failures so far (for rise / fall). */
  successes: number;
  failures: number;
  last?: { t: number; ok: boolean; ms: number; error?: string };
  /** Latest transitions, newest last (at most 20). */
  history: { t: number; status: HealthView['status']; reason: string }[];
}

// ---- metrics (HAProxy's vocabulary: scur, smax, stot, bin, bout, econ, eresp, wretr, qcur)

/** Latency percentiles over the sliding window, ms. */
export interface LatencySummary {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  count: number;
}

/** Counters for one backend, or for the whole balancer (backendId null). */
export interface MetricsRow {
  backendId: string | null;
  /** scur / smax / stot: current, max and total connections. */
  current: number;
  max: number;
  total: number;
  /** bin / bout: bytes from clients, bytes to clients. */
  bytesIn: number;
  bytesOut: number;
  /** Messages replied per second over the window. */
  messagesPerSecond: number;
  messagesTotal: number;
  /** econ / eresp: errors by kind, totals. */
  errors: { refused: number; reset: number; timeout: number };
  /** wretr: retries; qcur: queued now. */
  retries: number;
  queue: number;
  latency: LatencySummary;
}

/** One metrics sample, emitted at most ~10 times a second while anything changes. */
export interface MetricsSample {
  t: number;
  windowMs: number;
  balancer: MetricsRow;
  backends: MetricsRow[];
  /** The traffic generator's counters, when traffic ran since the Lab started. */
  traffic?: TrafficCounters;
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
  policy?: BalancerPolicy;
  /** True while fewer than the panic threshold of backends are healthy: balancing across all. */
  panic?: boolean;
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
  /** Generator settings as last started (defaults filled in). */
  model?: TrafficModel;
  concurrency?: number;
  thinkMs?: number;
  connection?: TrafficConnection;
  /** Message size in bytes when padding is on, else undefined. */
  size?: number;
  burst?: TrafficBurst | null;
  /** Source addresses the clients bind (empty = the OS default). */
  addresses?: string[];
  /** Messages not sent because too many were in flight (since the last traffic.start). */
  shed?: number;
}

/** The traffic generator's counters since the last traffic.start. */
export interface TrafficCounters {
  sent: number;
  replied: number;
  failed: number;
  /** Dropped instead of sent: the in-flight cap was reached or the generator fell behind. */
  shed: number;
  inFlight: number;
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
  /** source-hash only: the table slot it hashes to (hash mod slots). */
  slot?: number;
}

/** What a hash algorithm's ring (consistent-hash) or table (source-hash) looks like now. */
export interface RingView {
  algorithm: 'consistent-hash' | 'source-hash';
  /**
   * Sampled ring points or table slots, hash in [0, 2^32), sorted by hash. A source-hash table slot i of
   * `slots` is drawn at i·2^32/slots (equal sectors); its clients are those with hash mod slots = i.
   */
  points: { hash: number; backendId: string }[];
  /** source-hash only: the table size (sum of weights). */
  slots?: number;
  /** consistent-hash only: virtual nodes on the whole ring (points may be a sample). */
  totalPoints?: number;
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
  | 'idle-timeout'
  | 'queue-timeout'
  | 'fault-reset' // an injected reset
  | 'backend-down' // closed because its backend was marked down (closeOnDown)
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
    | { type: 'health.check'; backendId: string; ok: boolean; ms: number; error?: string; status: HealthView['status'] }
    | { type: 'backend.ejected'; backendId: string; untilT: number; count: number; reason: string }
    | { type: 'conn.queued'; connId: number; backendId: string; position: number }
    | {
        type: 'conn.dequeued';
        connId: number;
        backendId: string;
        waitedMs: number;
        /** connected: got a slot; timeout: closed 'queue-timeout'; redispatched: its backend left the pool, picked again; closed: closed while waiting. */
        outcome: 'connected' | 'timeout' | 'redispatched' | 'closed';
      }
    | { type: 'metrics'; sample: MetricsSample }
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
