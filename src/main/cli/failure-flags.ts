/**
 * The balancer subcommand's failure-handling flags (retries, timeouts, health checks, limits, ejection,
 * panic, closeOnDown): their parseArgs options, help lines, validation with the shared schemas, and
 * how they are applied to a Lab. Kept apart so balancer.ts only wires them in.
 */
import {
  BalancerPolicySchema,
  HealthCheckSchema,
  formatZodError,
  parseCommand,
  type BalancerPolicy,
} from '../../shared/protocol';
import type { Lab } from '../core';
import { DEFAULT_LIMITS, DEFAULT_POLICY } from '../core/policy-defaults';
import { UsageError, parseSchemaInteger } from './args';

/** parseArgs options for the failure flags. */
export const FAILURE_OPTIONS = {
  retries: { type: 'string' },
  'connect-timeout': { type: 'string' },
  'idle-timeout': { type: 'string' },
  'health-interval': { type: 'string' },
  'health-timeout': { type: 'string' },
  rise: { type: 'string' },
  fall: { type: 'string' },
  'health-checks': { type: 'boolean' },
  'no-health-checks': { type: 'boolean' },
  maxconn: { type: 'string' },
  queue: { type: 'string' },
  'queue-timeout': { type: 'string' },
  'eject-after': { type: 'string' },
  'eject-base': { type: 'string' },
  'eject-max': { type: 'string' },
  'panic-threshold': { type: 'string' },
  'close-on-down': { type: 'boolean' },
} as const;

const P = DEFAULT_POLICY;
const H = P.healthCheck;
const E = P.ejection;

/** Help lines for the failure flags (defaults from policy-defaults.ts). */
export const FAILURE_USAGE = `Failure handling:
  --retries N          other backends tried after a refused or timed-out connect (default ${P.retries})
  --connect-timeout MS give up connecting to a backend after MS (default ${P.connectTimeoutMs})
  --idle-timeout MS    close a connection silent both ways for MS; 0 = off (default ${P.idleTimeoutMs})
  --health-checks      active TCP health checks (off by default, as in the tutorial's balancer;
                       any --health-*, --rise or --fall flag turns them on)
  --health-interval MS TCP health check every MS (default ${H.intervalMs})
  --health-timeout MS  a check fails after MS (default ${H.timeoutMs})
  --rise N / --fall N  checks in a row to mark a backend up / down (default ${H.rise} / ${H.fall})
  --no-health-checks   no active health checks, even with the flags above
  --maxconn N          connections per backend; 0 = unlimited (default ${DEFAULT_LIMITS.maxConnections})
  --queue N            connections that may wait for a full backend (default ${DEFAULT_LIMITS.queueSize})
  --queue-timeout MS   close a waiting connection after MS (default ${DEFAULT_LIMITS.queueTimeoutMs})
  --eject-after N      eject a backend after N connect failures in a row (default ${E.consecutiveFailures})
  --eject-base MS      ejection time, × the ejection count (default ${E.baseMs})
  --eject-max MS       longest ejection (default ${E.maxMs})
  --panic-threshold PCT below PCT % healthy backends, use them all (default ${P.panicThresholdPercent})
  --close-on-down      close a backend's connections when its health checks mark it down
`;

/** What the failure flags ask for. */
export interface FailureFlags {
  policy: BalancerPolicy;
  /** Set when any limit flag was given. */
  limits: { maxConnections: number; queueSize: number; queueTimeoutMs: number } | null;
}

type Values = Partial<Record<keyof typeof FAILURE_OPTIONS, string | boolean>>;

/** Validate the failure flags; throws UsageError (one line, exit 2). */
export function parseFailureFlags(values: Values): FailureFlags {
  const policyShape = BalancerPolicySchema.shape;
  const ejectionShape = policyShape.ejection.shape;
  const healthShape = HealthCheckSchema.shape;
  const int = (
    name: keyof typeof FAILURE_OPTIONS,
    fallback: number,
    schema: Parameters<typeof parseSchemaInteger>[2],
  ) => {
    const text = values[name];
    return typeof text === 'string' ? parseSchemaInteger(text, `--${name}`, schema) : fallback;
  };
  const policy: BalancerPolicy = {
    retries: int('retries', P.retries, policyShape.retries),
    connectTimeoutMs: int('connect-timeout', P.connectTimeoutMs, policyShape.connectTimeoutMs),
    idleTimeoutMs: int('idle-timeout', P.idleTimeoutMs, policyShape.idleTimeoutMs),
    ejection: {
      enabled: E.enabled,
      consecutiveFailures: int('eject-after', E.consecutiveFailures, ejectionShape.consecutiveFailures),
      baseMs: int('eject-base', E.baseMs, ejectionShape.baseMs),
      maxMs: int('eject-max', E.maxMs, ejectionShape.maxMs),
    },
    panicThresholdPercent: int('panic-threshold', P.panicThresholdPercent, policyShape.panicThresholdPercent),
    closeOnDown: values['close-on-down'] === true,
    healthCheck: {
      // Off unless asked for: the tutorial's balancer never probes its backends, and a probe every second
      // would show up in a Python backend's terminal.
      enabled:
        values['no-health-checks'] !== true &&
        (values['health-checks'] === true ||
          (['health-interval', 'health-timeout', 'rise', 'fall'] as const).some((flag) => values[flag] !== undefined)),
      intervalMs: int('health-interval', H.intervalMs, healthShape.intervalMs),
      timeoutMs: int('health-timeout', H.timeoutMs, healthShape.timeoutMs),
      rise: int('rise', H.rise, healthShape.rise),
      fall: int('fall', H.fall, healthShape.fall),
    },
  };
  if (policy.ejection.maxMs < policy.ejection.baseMs)
    throw new UsageError(`--eject-max: must be at least the ejection base (${policy.ejection.baseMs} ms)`);
  const checked = BalancerPolicySchema.safeParse(policy);
  if (!checked.success) throw new UsageError(formatZodError(checked.error));

  let limits: FailureFlags['limits'] = null;
  if (values.maxconn !== undefined || values.queue !== undefined || values['queue-timeout'] !== undefined) {
    limits = { ...DEFAULT_LIMITS };
    const labels: Record<string, string> = {
      maxConnections: '--maxconn',
      queueSize: '--queue',
      queueTimeoutMs: '--queue-timeout',
    };
    const fields: Array<[keyof typeof limits, 'maxconn' | 'queue' | 'queue-timeout']> = [
      ['maxConnections', 'maxconn'],
      ['queueSize', 'queue'],
      ['queueTimeoutMs', 'queue-timeout'],
    ];
    for (const [key, flag] of fields) {
      const text = values[flag];
      if (typeof text !== 'string') continue;
      if (!/^\s*\d+\s*$/.test(text)) throw new UsageError(`--${flag}: must be a whole number`);
      limits[key] = Number(text);
    }
    // The setLimits command's own schema decides what is valid.
    const parsed = parseCommand({ type: 'backend.setLimits', id: 'x', ...limits });
    if (!parsed.ok) {
      const [path = '', ...rest] = parsed.error.split(': ');
      throw new UsageError(`${labels[path] ?? path}: ${rest.join(': ') || parsed.error}`);
    }
  }
  return { policy, limits };
}

/** Apply the balancer-wide policy (before backends are added, so their checks start with it). */
export async function applyFailurePolicy(lab: Lab, flags: FailureFlags): Promise<void> {
  const result = await lab.execute({ type: 'balancer.setPolicy', policy: flags.policy });
  if (!result.ok) throw new UsageError(result.error);
}

/** Apply per-backend limits to every backend given on the command line. */
export async function applyFailureLimits(lab: Lab, flags: FailureFlags, backendIds: string[]): Promise<void> {
  if (!flags.limits) return;
  for (const id of backendIds) {
    const result = await lab.execute({ type: 'backend.setLimits', id, ...flags.limits });
    if (!result.ok) throw new UsageError(`${id}: ${result.error}`);
  }
}
