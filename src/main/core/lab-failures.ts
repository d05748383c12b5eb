/**
 * The Lab's failure handling, kept out of lab.ts: active health checks per backend, the balancer's
 * policy (retries, timeouts, ejection, panic, closeOnDown), limits, admin states and fault injection
 * on both sides. It turns the balancer's failure hooks and the checks into Lab events.
 */
import type {
  BackendView,
  BalancerPolicy,
  BalancerView,
  Command,
  CommandResult,
  HealthCheck,
  LabEvent,
} from '../../shared/protocol';
import type { BackendServer } from './backend-server';
import type { Balancer } from './balancer';
import type { Clock } from './clock';
import { activeFaults, toFaultSettings } from './faults/settings';
import { HealthChecker, tcpProbe, type ProbeResult } from './health';
import { DEFAULT_POLICY } from './policy-defaults';

/** Distributive Omit so each event variant keeps its own fields. */
type EventBody = LabEvent extends infer E ? (E extends LabEvent ? Omit<E, 'seq' | 't'> : never) : never;

/** The failure commands this module answers. */
export type FailureCommand = Extract<
  Command,
  {
    type:
      'backend.setHealthCheck' | 'backend.setLimits' | 'backend.setAdmin' | 'backend.setFaults' | 'balancer.setPolicy';
  }
>;

const FAILURE_COMMANDS: ReadonlySet<string> = new Set<FailureCommand['type']>([
  'backend.setHealthCheck',
  'backend.setLimits',
  'backend.setAdmin',
  'backend.setFaults',
  'balancer.setPolicy',
]);

/** True for the commands {@link LabFailures.execute} handles. */
export function isFailureCommand(command: Command): command is FailureCommand {
  return FAILURE_COMMANDS.has(command.type);
}

/** How LabFailures talks back to the Lab. */
export interface LabFailuresHost {
  balancer: Balancer;
  clock: Clock;
  emit(body: EventBody): void;
  /** Emit backend.state for this backend now. */
  backendChanged(id: string): void;
  /** Coalesce a backend.state for this backend into the next tick (high-rate changes). */
  backendDirty(id: string): void;
  /** Emit balancer.state now. */
  balancerChanged(): void;
}

interface FailureRecord {
  id: string;
  host: string;
  port: () => number;
  server: BackendServer | null;
  /** The backend's own health-check settings over the policy's defaults. */
  ownCheck: Partial<HealthCheck>;
  checker: HealthChecker;
}

/** Failure handling for one Lab. */
export class LabFailures {
  private policy: BalancerPolicy;
  private readonly records = new Map<string, FailureRecord>();
  private closed = false;

  constructor(private readonly host: LabFailuresHost) {
    this.policy = { ...DEFAULT_POLICY, ...host.balancer.policy, healthCheck: { ...DEFAULT_POLICY.healthCheck } };
    host.balancer.addHooks({
      connectionQueued: (info) => {
        host.emit({ type: 'conn.queued', ...info });
        host.backendDirty(info.backendId);
      },
      connectionDequeued: (info) => {
        host.emit({ type: 'conn.dequeued', ...info, waitedMs: Math.round(info.waitedMs) });
        host.backendDirty(info.backendId);
      },
      backendEjected: (info) => {
        host.emit({ type: 'backend.ejected', ...info });
        host.backendChanged(info.backendId);
      },
      backendChanged: (id) => host.backendChanged(id),
      panicChanged: () => host.balancerChanged(),
    });
  }

  /** Start checking a backend the Lab just added to the balancer. */
  backendAdded(spec: { id: string; host: string; port: () => number; server: BackendServer | null }): void {
    if (this.closed) return;
    this.records.get(spec.id)?.checker.stop();
    const record: FailureRecord = {
      ...spec,
      ownCheck: {},
      checker: null as unknown as HealthChecker,
    };
    record.checker = new HealthChecker({
      check: this.effectiveCheck(record),
      clock: this.host.clock,
      probe: (timeoutMs, signal) => this.probe(record, timeoutMs, signal),
      onResult: (result, status) =>
        this.host.emit({
          type: 'health.check',
          backendId: record.id,
          ok: result.ok,
          ms: Math.round(result.ms * 10) / 10,
          ...(result.error ? { error: result.error } : {}),
          status,
        }),
      onTransition: (status) => {
        if (this.records.get(record.id) !== record) return;
        this.host.balancer.setHealthDown(record.id, status === 'unhealthy');
        this.host.backendChanged(record.id);
      },
    });
    this.records.set(spec.id, record);
  }

  /** Stop checking a removed backend. */
  backendRemoved(id: string): void {
    this.records.get(id)?.checker.stop();
    this.records.delete(id);
  }

  /** The failure-handling fields of a backend's view. */
  backendFields(id: string): Partial<BackendView> {
    const record = this.records.get(id);
    const state = this.host.balancer.failureState(id);
    if (!record || !state) return {};
    return {
      admin: state.admin,
      health: record.checker.view(),
      ejection: state.ejection,
      limits: state.limits,
      queueLength: state.queueLength,
      faults: {
        backend: record.server ? activeFaults(record.server.faults) : {},
        balancer: activeFaults(state.faults),
      },
    };
  }

  /** The failure-handling fields of the balancer's view. */
  balancerFields(): Pick<BalancerView, 'policy' | 'panic'> {
    return {
      policy: { ...this.policy, ejection: { ...this.policy.ejection }, healthCheck: { ...this.policy.healthCheck } },
      panic: this.host.balancer.panic,
    };
  }

  /** Run one failure command; throws Error with a one-line message on bad input. */
  async execute(command: FailureCommand): Promise<CommandResult> {
    switch (command.type) {
      case 'backend.setHealthCheck': {
        const record = this.require(command.id);
        record.ownCheck = { ...record.ownCheck, ...command.check };
        record.checker.setCheck(this.effectiveCheck(record));
        this.host.backendChanged(record.id);
        return { ok: true };
      }
      case 'backend.setLimits': {
        const record = this.require(command.id);
        this.host.balancer.setLimits(record.id, {
          maxConnections: command.maxConnections,
          ...(command.queueSize !== undefined ? { queueSize: command.queueSize } : {}),
          ...(command.queueTimeoutMs !== undefined ? { queueTimeoutMs: command.queueTimeoutMs } : {}),
        });
        this.host.backendChanged(record.id);
        return { ok: true };
      }
      case 'backend.setAdmin': {
        const record = this.require(command.id);
        this.host.balancer.setAdmin(record.id, command.admin);
        record.checker.setSuspended(command.admin === 'maint');
        this.host.backendChanged(record.id);
        return { ok: true };
      }
      case 'backend.setFaults': {
        const record = this.require(command.id);
        const settings = toFaultSettings(command.faults);
        if (command.side === 'backend') {
          if (!record.server)
            return {
              ok: false,
              error: `backend ${record.id} is external: backend-side faults need a backend the lab runs (use side 'balancer')`,
            };
          await record.server.setFaults(settings);
        } else {
          await this.host.balancer.setFaults(record.id, settings);
        }
        this.host.backendChanged(record.id);
        return { ok: true };
      }
      case 'balancer.setPolicy': {
        const next: BalancerPolicy = {
          ...this.policy,
          ...command.policy,
          // Nested settings merge field by field: {ejection: {enabled: true}} keeps the other ejection values.
          ejection: { ...this.policy.ejection, ...command.policy.ejection },
          healthCheck: { ...this.policy.healthCheck, ...command.policy.healthCheck },
        };
        if (next.ejection.maxMs < next.ejection.baseMs)
          return { ok: false, error: 'ejection.maxMs: must be at least ejection.baseMs' };
        this.policy = next;
        this.host.balancer.setPolicy(next);
        if (command.policy.healthCheck)
          for (const record of this.records.values()) record.checker.setCheck(this.effectiveCheck(record));
        this.host.balancerChanged();
        if (command.policy.healthCheck) for (const id of this.records.keys()) this.host.backendChanged(id);
        return { ok: true };
      }
    }
  }

  /** Stop every check (Lab closing). */
  close(): void {
    this.closed = true;
    for (const record of this.records.values()) record.checker.stop();
  }

  private effectiveCheck(record: FailureRecord): HealthCheck {
    return { ...this.policy.healthCheck, ...record.ownCheck };
  }

  /** Checks take the balancer's path: a balancer-side 'refuse' fails them like a real refusal would. */
  private probe(record: FailureRecord, timeoutMs: number, signal: AbortSignal): Promise<ProbeResult> {
    if (this.host.balancer.failureState(record.id)?.faults.refuse)
      return Promise.resolve({ ok: false, ms: 0, error: 'ECONNREFUSED (injected by the balancer)' });
    return tcpProbe(record.host, record.port(), timeoutMs, signal);
  }

  private require(id: string): FailureRecord {
    const record = this.records.get(id);
    if (!record) throw new Error(`unknown backend ${id}`);
    return record;
  }
}
