import type { HealthCheck, HealthView } from '../../../shared/protocol';
import type { Clock } from '../clock';
import type { ProbeResult } from './tcp-probe';

/** Keep this many transitions in the view. */
const HISTORY_LIMIT = 20;

type Status = HealthView['status'];

/** How a checker reaches its backend: returns a result, never rejects. */
export type Probe = (timeoutMs: number, signal: AbortSignal) => Promise<ProbeResult>;

/** Options for {@link HealthChecker}. */
export interface HealthCheckerOptions {
  check: HealthCheck;
  probe: Probe;
  clock: Clock;
  /** Every check result (low rate: one per interval). */
  onResult?(result: ProbeResult, status: Status): void;
  /** The status changed; `down` is true when the backend must leave the pool. */
  onTransition?(status: Status, previous: Status, reason: string): void;
}

/**
 * Active health checks for one backend with HAProxy's rise/fall. A new (or re-enabled) backend starts
 * 'unknown' and is assumed up, like HAProxy's default init-state: it takes `fall` consecutive failures
 * to mark it 'unhealthy' (out of the pool) and `rise` consecutive successes to mark it 'healthy'; an
 * unhealthy backend comes back after `rise` successes. 'disabled' means no checks (checks off or maint).
 * Timers are unref'd and a pending probe is aborted by stop().
 */
export class HealthChecker {
  private checkNow: HealthCheck;
  private statusNow: Status;
  private successes = 0;
  private failures = 0;
  private last: HealthView['last'];
  private readonly history: HealthView['history'] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight: AbortController | null = null;
  private suspended = false;
  private stopped = false;

  constructor(private readonly options: HealthCheckerOptions) {
    this.checkNow = { ...options.check };
    this.statusNow = this.checkNow.enabled ? 'unknown' : 'disabled';
    this.record(this.statusNow, this.checkNow.enabled ? 'checks started' : 'checks disabled');
    this.schedule(0);
  }

  get status(): Status {
    return this.statusNow;
  }

  /** True when the checks say the backend must not take new connections. */
  get down(): boolean {
    return this.statusNow === 'unhealthy';
  }

  get check(): HealthCheck {
    return { ...this.checkNow };
  }

  /** The view the UI shows (a copy). */
  view(): HealthView {
    return {
      status: this.statusNow,
      check: { ...this.checkNow },
      successes: this.successes,
      failures: this.failures,
      ...(this.last ? { last: { ...this.last } } : {}),
      history: this.history.map((h) => ({ ...h })),
    };
  }

  /** Change the check; enabling or disabling restarts from 'unknown' / 'disabled'. */
  setCheck(check: HealthCheck): void {
    const wasEnabled = this.checkNow.enabled;
    this.checkNow = { ...check };
    if (this.suspended) return;
    if (wasEnabled !== check.enabled) this.restart(check.enabled ? 'checks enabled' : 'checks disabled');
    else if (check.enabled) this.reschedule();
  }

  /** Maintenance: no checks and status 'disabled'; leaving it starts again from 'unknown'. */
  setSuspended(suspended: boolean): void {
    if (this.suspended === suspended) return;
    this.suspended = suspended;
    this.restart(suspended ? 'maintenance' : 'maintenance ended');
  }

  /** Stop for good (backend removed, Lab closed). */
  stop(): void {
    this.stopped = true;
    this.clearTimer();
    this.inFlight?.abort();
    this.inFlight = null;
  }

  private get active(): boolean {
    return !this.stopped && !this.suspended && this.checkNow.enabled;
  }

  private restart(reason: string): void {
    this.clearTimer();
    this.inFlight?.abort();
    this.inFlight = null;
    this.successes = 0;
    this.failures = 0;
    this.transition(this.active ? 'unknown' : 'disabled', reason);
    if (this.active) this.schedule(0);
  }

  private reschedule(): void {
    if (this.inFlight) return;
    this.clearTimer();
    this.schedule(this.checkNow.intervalMs);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(ms: number): void {
    if (!this.active || this.timer || this.inFlight) return;
    this.timer = setTimeout(this.run, ms);
    this.timer.unref();
  }

  private readonly run = (): void => {
    this.timer = null;
    if (!this.active) return;
    const controller = new AbortController();
    this.inFlight = controller;
    void this.options.probe(this.checkNow.timeoutMs, controller.signal).then((result) => {
      if (this.inFlight !== controller) return;
      this.inFlight = null;
      this.onResult(result);
      this.schedule(this.checkNow.intervalMs);
    });
  };

  private onResult(result: ProbeResult): void {
    const t = this.options.clock.now();
    this.last = {
      t,
      ok: result.ok,
      ms: Math.round(result.ms * 10) / 10,
      ...(result.error ? { error: result.error } : {}),
    };
    const { rise, fall } = this.checkNow;
    if (result.ok) {
      this.successes++;
      this.failures = 0;
      if (this.statusNow !== 'healthy' && this.successes >= rise)
        this.transition('healthy', `${this.successes} check${this.successes === 1 ? '' : 's'} passed`);
    } else {
      this.failures++;
      this.successes = 0;
      if (this.statusNow !== 'unhealthy' && this.failures >= fall)
        this.transition(
          'unhealthy',
          `${this.failures} check${this.failures === 1 ? '' : 's'} failed: ${result.error ?? 'failed'}`,
        );
    }
    try {
      this.options.onResult?.(result, this.statusNow);
    } catch {
      // An observer's failure must not stop the checks.
    }
  }

  private transition(status: Status, reason: string): void {
    const previous = this.statusNow;
    if (status === previous) return;
    this.statusNow = status;
    this.record(status, reason);
    try {
      this.options.onTransition?.(status, previous, reason);
    } catch {
      // An observer's failure must not stop the checks.
    }
  }

  private record(status: Status, reason: string): void {
    this.history.push({ t: this.options.clock.now(), status, reason });
    if (this.history.length > HISTORY_LIMIT) this.history.splice(0, this.history.length - HISTORY_LIMIT);
  }
}
