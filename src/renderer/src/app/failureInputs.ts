import { z } from 'zod';
import {
  CommandSchema,
  type BalancerPolicy,
  type Command,
  type FaultSide,
  type Faults,
  type HealthView,
} from '../../../shared/protocol';

/** Field-by-field errors, keyed by the form's field names. */
export type FieldErrors = Record<string, string>;

/** A form checked client-side: the command to send, or an error per bad field. */
export type FormResult = { ok: true; command: Command } | { ok: false; errors: FieldErrors };

/** What the health check form holds (numbers as typed). */
export interface HealthCheckDraft {
  enabled: boolean;
  intervalMs: string;
  timeoutMs: string;
  rise: string;
  fall: string;
}

/** What the limits form holds. */
export interface LimitsDraft {
  maxConnections: string;
  queueSize: string;
  queueTimeoutMs: string;
}

/** What the faults editor holds for one side; an empty number means 0 (off). */
export interface FaultsDraft {
  latencyMs: string;
  jitterMs: string;
  bandwidthKBps: string;
  resetProbability: string;
  refuse: boolean;
  blackHole: boolean;
  slowCloseMs: string;
}

/** What the failure policy form holds. */
export interface PolicyDraft {
  retries: string;
  connectTimeoutMs: string;
  idleTimeoutMs: string;
  ejectionEnabled: boolean;
  consecutiveFailures: string;
  ejectionBaseMs: string;
  ejectionMaxMs: string;
  panicThresholdPercent: string;
  closeOnDown: boolean;
}

/** Parsed numbers so far, or the fields that are not numbers at all. */
class NumberReader {
  readonly errors: FieldErrors = {};
  read(field: string, text: string, emptyAs?: number): number {
    const trimmed = text.trim();
    if (trimmed === '' && emptyAs !== undefined) return emptyAs;
    const value = trimmed === '' ? Number.NaN : Number(trimmed);
    if (!Number.isFinite(value)) this.errors[field] = 'must be a number';
    return value;
  }
  get ok(): boolean {
    return Object.keys(this.errors).length === 0;
  }
}

/** Zod's default wording made short and human; the schema's own messages pass through. */
export function issueMessage(issue: z.core.$ZodIssue): string {
  const { message } = issue;
  if (issue.code === 'too_small' && /^too small/i.test(message)) return `must be at least ${String(issue.minimum)}`;
  if (issue.code === 'too_big' && /^too big/i.test(message)) return `must be at most ${String(issue.maximum)}`;
  if (issue.code === 'invalid_type' && issue.expected === 'int') return 'must be a whole number';
  if (/^invalid input/i.test(message)) return 'is not valid';
  return message;
}

/**
 * Validate a built command with the shared schema and map each issue to a form field via `fieldOf`
 * (which receives the issue's path), so the same rules the Lab applies run before sending.
 */
function check(command: unknown, fieldOf: (path: readonly PropertyKey[]) => string): FormResult {
  const parsed = CommandSchema.safeParse(command);
  if (parsed.success) return { ok: true, command: parsed.data };
  const errors: FieldErrors = {};
  for (const issue of parsed.error.issues) {
    const field = fieldOf(issue.path);
    errors[field] ??= issueMessage(issue);
  }
  return { ok: false, errors };
}

const lastKey = (path: readonly PropertyKey[]): string => String(path[path.length - 1] ?? 'form');

/** backend.setHealthCheck from the form; errors keyed intervalMs, timeoutMs, rise, fall. */
export function healthCheckCommand(id: string, draft: HealthCheckDraft): FormResult {
  const n = new NumberReader();
  const check_ = {
    enabled: draft.enabled,
    intervalMs: n.read('intervalMs', draft.intervalMs),
    timeoutMs: n.read('timeoutMs', draft.timeoutMs),
    rise: n.read('rise', draft.rise),
    fall: n.read('fall', draft.fall),
  };
  if (!n.ok) return { ok: false, errors: n.errors };
  return check({ type: 'backend.setHealthCheck', id, check: check_ }, lastKey);
}

/** backend.setLimits from the form (0 max = unlimited); errors keyed by field. */
export function limitsCommand(id: string, draft: LimitsDraft): FormResult {
  const n = new NumberReader();
  const command = {
    type: 'backend.setLimits',
    id,
    maxConnections: n.read('maxConnections', draft.maxConnections, 0),
    queueSize: n.read('queueSize', draft.queueSize, 0),
    queueTimeoutMs: n.read('queueTimeoutMs', draft.queueTimeoutMs),
  };
  if (!n.ok) return { ok: false, errors: n.errors };
  return check(command, lastKey);
}

/** backend.setDelay from the "Delay (ms)" field; the error is keyed delayMs. */
export function delayCommand(id: string, text: string): FormResult {
  const n = new NumberReader();
  const delayMs = n.read('delayMs', text, 0);
  if (!n.ok) return { ok: false, errors: n.errors };
  return check({ type: 'backend.setDelay', id, delayMs }, lastKey);
}

/** The faults object a draft describes: every field present, so applying replaces what was there. */
export function faultsCommand(id: string, side: FaultSide, draft: FaultsDraft): FormResult {
  const n = new NumberReader();
  const faults = {
    latencyMs: n.read('latencyMs', draft.latencyMs, 0),
    jitterMs: n.read('jitterMs', draft.jitterMs, 0),
    bandwidthKBps: n.read('bandwidthKBps', draft.bandwidthKBps, 0),
    resetProbability: n.read('resetProbability', draft.resetProbability, 0),
    refuse: draft.refuse,
    blackHole: draft.blackHole,
    slowCloseMs: n.read('slowCloseMs', draft.slowCloseMs, 0),
  };
  if (!n.ok) return { ok: false, errors: n.errors };
  return check({ type: 'backend.setFaults', id, side, faults }, lastKey);
}

/** The form's text for faults already in force (0/false for unset). */
export function faultsDraft(faults: Faults | undefined): FaultsDraft {
  const num = (value: number | undefined): string => (value ? String(value) : '');
  return {
    latencyMs: num(faults?.latencyMs),
    jitterMs: num(faults?.jitterMs),
    bandwidthKBps: num(faults?.bandwidthKBps),
    resetProbability: num(faults?.resetProbability),
    refuse: faults?.refuse ?? false,
    blackHole: faults?.blackHole ?? false,
    slowCloseMs: num(faults?.slowCloseMs),
  };
}

const POLICY_FIELDS: Record<string, keyof PolicyDraft> = {
  retries: 'retries',
  connectTimeoutMs: 'connectTimeoutMs',
  idleTimeoutMs: 'idleTimeoutMs',
  'ejection.enabled': 'ejectionEnabled',
  'ejection.consecutiveFailures': 'consecutiveFailures',
  'ejection.baseMs': 'ejectionBaseMs',
  'ejection.maxMs': 'ejectionMaxMs',
  panicThresholdPercent: 'panicThresholdPercent',
  closeOnDown: 'closeOnDown',
};

/** balancer.setPolicy from the form; errors keyed by PolicyDraft field names. */
export function policyCommand(draft: PolicyDraft): FormResult {
  const n = new NumberReader();
  const policy = {
    retries: n.read('retries', draft.retries),
    connectTimeoutMs: n.read('connectTimeoutMs', draft.connectTimeoutMs),
    idleTimeoutMs: n.read('idleTimeoutMs', draft.idleTimeoutMs, 0),
    ejection: {
      enabled: draft.ejectionEnabled,
      consecutiveFailures: n.read('consecutiveFailures', draft.consecutiveFailures),
      baseMs: n.read('ejectionBaseMs', draft.ejectionBaseMs),
      maxMs: n.read('ejectionMaxMs', draft.ejectionMaxMs),
    },
    panicThresholdPercent: n.read('panicThresholdPercent', draft.panicThresholdPercent),
    closeOnDown: draft.closeOnDown,
  };
  if (!n.ok) return { ok: false, errors: n.errors };
  const result = check({ type: 'balancer.setPolicy', policy }, (path) => {
    const key = path.slice(1).map(String).join('.');
    return POLICY_FIELDS[key] ?? 'form';
  });
  if (result.ok && policy.ejection.maxMs < policy.ejection.baseMs) {
    return { ok: false, errors: { ejectionMaxMs: 'must be at least the ejection base' } };
  }
  return result;
}

/** The form's text for a policy in force (or the engine's defaults when the Lab sends none). */
export function policyDraft(policy: BalancerPolicy | undefined): PolicyDraft {
  return {
    retries: String(policy?.retries ?? 2),
    connectTimeoutMs: String(policy?.connectTimeoutMs ?? 1000),
    idleTimeoutMs: String(policy?.idleTimeoutMs ?? 60_000),
    ejectionEnabled: policy?.ejection.enabled ?? true,
    consecutiveFailures: String(policy?.ejection.consecutiveFailures ?? 5),
    ejectionBaseMs: String(policy?.ejection.baseMs ?? 30_000),
    ejectionMaxMs: String(policy?.ejection.maxMs ?? 300_000),
    panicThresholdPercent: String(policy?.panicThresholdPercent ?? 50),
    closeOnDown: policy?.closeOnDown ?? false,
  };
}

// ---------------------------------------------------------------- display text

/** "2 s" from 2000, "1.5 s" from 1500, "500 ms" below a second. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}

/** Short chips for one side's faults, e.g. ["+200±50 ms", "128 KiB/s", "reset 10%", "refuse"]. */
export function faultChips(faults: Faults | undefined): string[] {
  if (!faults) return [];
  const chips: string[] = [];
  const latency = faults.latencyMs ?? 0;
  const jitter = faults.jitterMs ?? 0;
  if (latency > 0 || jitter > 0) chips.push(jitter > 0 ? `+${latency}±${jitter} ms` : `+${latency} ms`);
  if (faults.bandwidthKBps) chips.push(`${faults.bandwidthKBps} KiB/s`);
  if (faults.resetProbability) {
    const percent = Math.round(faults.resetProbability * 1000) / 10;
    chips.push(`reset ${percent}%`);
  }
  if (faults.refuse) chips.push('refuse');
  if (faults.blackHole) chips.push('black-hole');
  if (faults.slowCloseMs) chips.push(`slow close ${formatDuration(faults.slowCloseMs)}`);
  return chips;
}

/** Chips for both sides, prefixed "backend:" / "balancer:". */
export function sideFaultChips(faults: { backend: Faults; balancer: Faults } | undefined): string[] {
  if (!faults) return [];
  return [
    ...faultChips(faults.backend).map((chip) => `backend: ${chip}`),
    ...faultChips(faults.balancer).map((chip) => `balancer: ${chip}`),
  ];
}

/** The last check as text: "ok 3 ms" or "failed 1000 ms: ECONNREFUSED". */
export function lastCheckText(last: HealthView['last']): string {
  if (!last) return 'no check yet';
  const ms = last.ms < 10 ? last.ms.toFixed(1) : String(Math.round(last.ms));
  return last.ok ? `ok ${ms} ms` : `failed ${ms} ms${last.error ? `: ${last.error}` : ''}`;
}

/** How far a backend is towards changing state: "rise 1/2" while coming up, "fall 2/3" while failing. */
export function riseFallText(health: Pick<HealthView, 'status' | 'check' | 'successes' | 'failures'>): string {
  const { status, check, successes, failures } = health;
  if (status === 'disabled') return '';
  if (status === 'healthy') return failures > 0 ? `fall ${Math.min(failures, check.fall)}/${check.fall}` : '';
  if (status === 'unhealthy') return `rise ${Math.min(successes, check.rise)}/${check.rise}`;
  return successes > 0
    ? `rise ${Math.min(successes, check.rise)}/${check.rise}`
    : failures > 0
      ? `fall ${Math.min(failures, check.fall)}/${check.fall}`
      : '';
}

/** "queue 3/10" (or "queue 3" when the size is unknown); empty when no queue can form. */
export function queueText(length: number, limits: { maxConnections: number; queueSize: number } | undefined): string {
  if (limits) {
    if (limits.maxConnections === 0 && length === 0) return '';
    return `queue ${length}/${limits.queueSize}`;
  }
  return length > 0 ? `queue ${length}` : '';
}
