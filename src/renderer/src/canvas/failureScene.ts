import type { BackendView, LabEvent } from '../../../shared/protocol';
import { sideFaultChips } from '../app/failureInputs';
import { ejectionOf, healthOf, queueLengthOf, secondsLeft, type FailuresSlice } from '../store/failures';

/** How long a health check dot takes from balancer to backend (animation ms). */
export const CHECK_PULSE_MS = 420;
/** Retry bounce: out to the failed backend, back to the balancer. */
export const BOUNCE_LEG_MS = 260;
/** After a bounce, the connection's path to the backend that took it. */
export const REROUTE_MS = 320;
const QUEUE_EXIT_MS = 600;
const MAX_BOUNCES = 40;
const MAX_REROUTES = 40;
const MAX_QUEUE_EXITS = 40;

/** A health check on its way to a backend, coloured by its result. */
export interface CheckPulse {
  backendId: string;
  ok: boolean;
  age: number;
}

/** A connect attempt that failed: a red dot out to the backend and back. */
export interface Bounce {
  backendId: string;
  age: number;
}

/** The path a retried connection finally took, drawn after its bounces. */
export interface Reroute {
  backendId: string;
  /** Waits this long (the bounces) before moving. */
  delay: number;
  age: number;
}

/** A connection leaving a backend's queue: into the backend, or a red fade on timeout. */
export interface QueueExit {
  backendId: string;
  ok: boolean;
  age: number;
}

/**
 * The failure-handling animation model (health check pulses, retry bounces, queue exits), fed by real Lab
 * events like Scene. Pure, so it is testable without a canvas.
 */
export class FailureScene {
  /** At most one live pulse per backend: checks are periodic, so the newest result is the one worth showing. */
  checks = new Map<string, CheckPulse>();
  bounces: Bounce[] = [];
  reroutes: Reroute[] = [];
  queueExits: QueueExit[] = [];
  /** Reduced motion: results show as brief static marks instead of moving dots (see draw). */
  reducedMotion = false;
  /** Retries seen per connection in the current batch, to delay its reroute until its bounces end. */
  private pendingRetries = new Map<number, number>();

  /** Turn a drained batch of motion events into pulses and bounces. `ambient` false skips periodic checks. */
  ingest(events: readonly LabEvent[], ambient = true): void {
    for (const event of events) {
      switch (event.type) {
        case 'health.check':
          if (ambient) this.checks.set(event.backendId, { backendId: event.backendId, ok: event.ok, age: 0 });
          break;
        case 'conn.retry': {
          const n = this.pendingRetries.get(event.connId) ?? 0;
          this.pendingRetries.set(event.connId, n + 1);
          if (this.pendingRetries.size > 500) this.pendingRetries.clear();
          if (this.bounces.length < MAX_BOUNCES) this.bounces.push({ backendId: event.backendId, age: -n * BOUNCE_LEG_MS });
          break;
        }
        case 'conn.opened':
          if (event.retried.length > 0) {
            const n = this.pendingRetries.get(event.connId) ?? event.retried.length;
            this.pendingRetries.delete(event.connId);
            if (this.reroutes.length < MAX_REROUTES)
              this.reroutes.push({ backendId: event.backendId, delay: n * BOUNCE_LEG_MS * 2, age: 0 });
          }
          break;
        case 'conn.closed':
          this.pendingRetries.delete(event.connId);
          break;
        case 'conn.dequeued':
          if (this.queueExits.length < MAX_QUEUE_EXITS)
            this.queueExits.push({ backendId: event.backendId, ok: event.outcome === 'connected', age: 0 });
          break;
        case 'backend.removed':
          this.checks.delete(event.backendId);
          this.bounces = this.bounces.filter((b) => b.backendId !== event.backendId);
          this.reroutes = this.reroutes.filter((r) => r.backendId !== event.backendId);
          this.queueExits = this.queueExits.filter((q) => q.backendId !== event.backendId);
          break;
        default:
          break;
      }
    }
  }

  /** Advance by `dt` ms of animation time. */
  advance(dt: number): void {
    if (dt <= 0) return;
    for (const [id, pulse] of this.checks) {
      pulse.age += dt;
      if (pulse.age >= CHECK_PULSE_MS) this.checks.delete(id);
    }
    this.bounces = age(this.bounces, dt, BOUNCE_LEG_MS * 2);
    this.reroutes = this.reroutes.filter((r) => {
      r.age += dt;
      return r.age < r.delay + REROUTE_MS;
    });
    this.queueExits = age(this.queueExits, dt, QUEUE_EXIT_MS);
  }
}

function age<T extends { age: number }>(items: T[], dt: number, lifetime: number): T[] {
  const out: T[] = [];
  for (const item of items) {
    item.age += dt;
    if (item.age < lifetime) out.push(item);
  }
  return out;
}

/** Where along a bounce a dot is: 0 at the balancer, 1 at the backend; null before it starts. */
export function bounceProgress(b: Bounce): number | null {
  if (b.age < 0) return null;
  const leg = b.age / BOUNCE_LEG_MS;
  return leg <= 1 ? leg : Math.max(0, 2 - leg);
}

/** QUEUE_EXIT_MS, exported for drawing. */
export const QUEUE_EXIT_LIFETIME = QUEUE_EXIT_MS;

/** How a backend card looks on the canvas: dimmed, outlined, hatched, labelled. */
export interface BackendCondition {
  /** "down", "ejected 12s", "maint", "drain" or "" (normal). */
  label: string;
  tone: 'down' | 'ejected' | 'maint' | 'drain' | 'normal';
  admin: 'ready' | 'drain' | 'maint';
  /** Health check status when known. */
  health: 'healthy' | 'unhealthy' | 'unknown' | 'disabled' | null;
  queueLength: number;
  queueSize: number | null;
  /** Short fault text for the card ("2 faults" or the one chip). */
  faults: string;
}

/** The canvas condition of one backend at Lab time `now` (pure). */
export function conditionOf(backend: BackendView, failures: FailuresSlice, now: number): BackendCondition {
  const health = healthOf(backend, failures);
  const ejection = ejectionOf(backend, failures, now);
  const admin = backend.admin ?? 'ready';
  const chips = sideFaultChips(backend.faults);
  let tone: BackendCondition['tone'] = 'normal';
  let label = '';
  if (admin === 'maint') {
    tone = 'maint';
    label = 'maint';
  } else if (health?.status === 'unhealthy') {
    // A live server passing checks again is on its way back (rise), not plainly down.
    const rising = health.successes > 0 && health.check.enabled;
    tone = rising ? 'ejected' : 'down';
    label = rising ? 'recovering' : 'down';
    if (ejection) label += ` · ejected ${secondsLeft(ejection.untilT, now)}s`;
  } else if (ejection) {
    tone = 'ejected';
    label = `ejected ${secondsLeft(ejection.untilT, now)}s`;
  } else if (admin === 'drain') {
    tone = 'drain';
    label = 'drain';
  }
  return {
    label,
    tone,
    admin,
    health: health?.status ?? null,
    queueLength: queueLengthOf(backend, failures),
    queueSize: backend.limits ? backend.limits.queueSize : null,
    faults: chips.length === 1 ? (chips[0] ?? '') : chips.length > 1 ? `${chips.length} faults` : '',
  };
}
