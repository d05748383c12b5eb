import { useId, useState, type FormEvent } from 'react';
import type { BackendView, Command, HealthCheck, HealthView } from '../../../shared/protocol';
import { useLab, useServices } from '../app/context';
import {
  delayCommand,
  healthCheckCommand,
  lastCheckText,
  limitsCommand,
  queueText,
  riseFallText,
  sideFaultChips,
  type FieldErrors,
  type FormResult,
  type HealthCheckDraft,
  type LimitsDraft,
} from '../app/failureInputs';
import { useLabNow } from '../app/useLabNow';
import { secondsLeft } from '../store/failures';
import { Field, InlineError } from './Field';
import { FaultsEditor } from './FaultsEditor';
import './failures.css';

type Admin = NonNullable<BackendView['admin']>;

/** Health, admin state, ejection, queue and faults of one backend, as one compact block on its card. */
export function BackendCondition({ backend }: { backend: BackendView }) {
  const derivedHealth = useLab((s) => s.failures.health[backend.id]);
  const derivedEjection = useLab((s) => s.failures.ejections[backend.id]);
  const derivedQueue = useLab((s) => s.failures.queues[backend.id]?.length ?? 0);
  const labT = useLab((s) => s.lab.t);

  const health: HealthView | undefined = backend.health ?? derivedHealth;
  // backend.state is the source of truth once it carries the field (null = not ejected).
  const ejection = backend.ejection !== undefined ? backend.ejection : (derivedEjection ?? null);
  const queueLength = backend.queueLength ?? derivedQueue;
  const queue = queueText(queueLength, backend.limits);
  const chips = sideFaultChips(backend.faults);
  const admin = backend.admin ?? 'ready';
  const riseFall = health ? riseFallText(health) : '';

  return (
    <div className="backend-condition">
      {health ? (
        <div className="health-row" aria-label="Health">
          <span className={`health-badge health-${health.status}`}>{health.status}</span>
          {health.status !== 'disabled' ? (
            <span
              className={`last-check${health.last && !health.last.ok ? ' failed' : ''}`}
              title={lastCheckText(health.last)}
            >
              {lastCheckText(health.last)}
            </span>
          ) : null}
          {riseFall ? <span className="rise-fall">{riseFall}</span> : null}
        </div>
      ) : null}
      {admin !== 'ready' || (ejection && ejection.untilT > labT) || queue ? (
        <div className="condition-notes">
          {admin === 'drain' ? <span className="admin-badge admin-drain">draining</span> : null}
          {admin === 'maint' ? <span className="admin-badge admin-maint">maintenance</span> : null}
          {ejection && ejection.untilT > labT ? <EjectionNote untilT={ejection.untilT} count={ejection.count} /> : null}
          {queue ? (
            <span className={`queue-note${queueLength > 0 ? ' busy' : ''}`}>
              {queue}
            </span>
          ) : null}
        </div>
      ) : null}
      {chips.length ? (
        <ul className="fault-chips" aria-label="Active faults">
          {chips.map((chip) => (
            <li key={chip} className="fault-chip">
              {chip}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** "ejected for 12 s (#2)", counting down on the Lab clock. */
function EjectionNote({ untilT, count }: { untilT: number; count: number }) {
  const now = useLabNow(500);
  const left = secondsLeft(untilT, now);
  if (left <= 0) return null;
  return (
    <span className="ejection-note">
      ejected for <span className="countdown">{left} s</span> (#{count})
    </span>
  );
}

/** Extra classes for a backend's list item: " admin-drain", " health-unhealthy", " is-ejected". */
export function conditionClasses(backend: BackendView): string {
  let out = '';
  if (backend.admin && backend.admin !== 'ready') out += ` admin-${backend.admin}`;
  if (backend.health) out += ` health-${backend.health.status}`;
  if (backend.ejection) out += ' is-ejected';
  return out;
}

/** Drain / Maintenance toggles (pressed while in force) and Ready to return to normal. */
export function AdminButtons({ backend, onResult }: { backend: BackendView; onResult: (error: string | null) => void }) {
  const { transport } = useServices();
  const admin: Admin = backend.admin ?? 'ready';
  const set = async (next: Admin): Promise<void> => {
    const result = await transport.invoke({ type: 'backend.setAdmin', id: backend.id, admin: next });
    onResult(result.ok ? null : result.error);
  };
  return (
    <div className="admin-actions">
      <button
        type="button"
        className="small"
        aria-pressed={admin === 'drain'}
        title="No new connections; open ones finish"
        onClick={() => void set(admin === 'drain' ? 'ready' : 'drain')}
      >
        Drain
      </button>
      <button
        type="button"
        className="small"
        aria-pressed={admin === 'maint'}
        title="No traffic and no health checks"
        onClick={() => void set(admin === 'maint' ? 'ready' : 'maint')}
      >
        Maintenance
      </button>
      {admin !== 'ready' ? (
        <button type="button" className="small" onClick={() => void set('ready')}>
          Ready
        </button>
      ) : null}
    </div>
  );
}

/**
 * Admin buttons and the "Details" disclosure (health check, limits, delay, faults, health history), with the
 * backend's inline error (from any of its actions) between them.
 */
export function BackendDetails({
  backend,
  error,
  onAdminResult,
}: {
  backend: BackendView;
  error: string | undefined;
  onAdminResult: (error: string | null) => void;
}) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  return (
    <div className="backend-details">
      <div className="admin-row">
        <AdminButtons backend={backend} onResult={onAdminResult} />
        <button
          type="button"
          className="small ghost disclosure"
          aria-expanded={open}
          aria-controls={panelId}
          onClick={() => setOpen(!open)}
        >
          <span aria-hidden="true" className="disclosure-mark">
            {open ? '▾' : '▸'}
          </span>
          Details
        </button>
      </div>
      <InlineError message={error} />
      {open ? (
        <div id={panelId} className="details-body">
          <HealthCheckForm backend={backend} />
          <LimitsForm backend={backend} />
          <DelayForm backend={backend} />
          <FaultsEditor backend={backend} />
          <HealthHistory backend={backend} />
        </div>
      ) : null}
    </div>
  );
}

/** Send a checked command; Lab errors land under the form (key "form"). */
function useSubmit(): (result: FormResult, setErrors: (e: FieldErrors) => void) => Promise<boolean> {
  const { transport } = useServices();
  return async (result, setErrors) => {
    if (!result.ok) {
      setErrors(result.errors);
      return false;
    }
    const reply = await transport.invoke(result.command satisfies Command);
    setErrors(reply.ok ? {} : { form: reply.error });
    return reply.ok;
  };
}

/** The engine's defaults (src/main/core/policy-defaults.ts), for a Lab that sends no check settings. */
const DEFAULT_CHECK: HealthCheck = { enabled: true, intervalMs: 1000, timeoutMs: 1000, rise: 2, fall: 2 };

function checkDraft(check: HealthCheck): HealthCheckDraft {
  return {
    enabled: check.enabled,
    intervalMs: String(check.intervalMs),
    timeoutMs: String(check.timeoutMs),
    rise: String(check.rise),
    fall: String(check.fall),
  };
}

function HealthCheckForm({ backend }: { backend: BackendView }) {
  const derived = useLab((s) => s.failures.health[backend.id]);
  const policyCheck = useLab((s) => s.lab.balancer?.policy?.healthCheck);
  const current = backend.health?.check ?? derived?.check ?? policyCheck ?? DEFAULT_CHECK;
  // null = follow the Lab; a draft once the user edits (kept, with errors, until applied).
  const [draft, setDraft] = useState<HealthCheckDraft | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const submit = useSubmit();
  const shown = draft ?? checkDraft(current);
  const edit = (change: Partial<HealthCheckDraft>): void => setDraft({ ...shown, ...change });

  const onSubmit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (await submit(healthCheckCommand(backend.id, shown), setErrors)) setDraft(null);
  };

  return (
    <form className="details-section" aria-label="Health check" noValidate onSubmit={(e) => void onSubmit(e)}>
      <h3>Health check</h3>
      <label className="check-field">
        <input type="checkbox" checked={shown.enabled} onChange={(e) => edit({ enabled: e.target.checked })} />
        Health checks
      </label>
      <div className="field-row">
        <Field
          label="Check interval (ms)"
          type="number"
          inputMode="numeric"
          value={shown.intervalMs}
          error={errors.intervalMs}
          onChange={(e) => edit({ intervalMs: e.target.value })}
        />
        <Field
          label="Check timeout (ms)"
          type="number"
          inputMode="numeric"
          value={shown.timeoutMs}
          error={errors.timeoutMs}
          onChange={(e) => edit({ timeoutMs: e.target.value })}
        />
        <Field
          label="Rise"
          type="number"
          inputMode="numeric"
          value={shown.rise}
          error={errors.rise}
          onChange={(e) => edit({ rise: e.target.value })}
        />
        <Field
          label="Fall"
          type="number"
          inputMode="numeric"
          value={shown.fall}
          error={errors.fall}
          onChange={(e) => edit({ fall: e.target.value })}
        />
      </div>
      <InlineError message={errors.form ?? errors.enabled} />
      <button type="submit" className="small">
        Apply health check
      </button>
    </form>
  );
}

function limitsDraft(limits: BackendView['limits']): LimitsDraft {
  return {
    maxConnections: String(limits?.maxConnections ?? 0),
    queueSize: String(limits?.queueSize ?? 100),
    queueTimeoutMs: String(limits?.queueTimeoutMs ?? 5000),
  };
}

function LimitsForm({ backend }: { backend: BackendView }) {
  const [draft, setDraft] = useState<LimitsDraft | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const submit = useSubmit();
  const shown = draft ?? limitsDraft(backend.limits);
  const edit = (change: Partial<LimitsDraft>): void => setDraft({ ...shown, ...change });

  const onSubmit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (await submit(limitsCommand(backend.id, shown), setErrors)) setDraft(null);
  };

  return (
    <form className="details-section" aria-label="Limits" noValidate onSubmit={(e) => void onSubmit(e)}>
      <h3>Limits</h3>
      <div className="field-row">
        <Field
          label="Max connections"
          type="number"
          inputMode="numeric"
          value={shown.maxConnections}
          error={errors.maxConnections}
          title="0 = unlimited"
          onChange={(e) => edit({ maxConnections: e.target.value })}
        />
        <Field
          label="Queue size"
          type="number"
          inputMode="numeric"
          value={shown.queueSize}
          error={errors.queueSize}
          title="0 = no queue: refuse at once when full"
          onChange={(e) => edit({ queueSize: e.target.value })}
        />
        <Field
          label="Queue timeout (ms)"
          type="number"
          inputMode="numeric"
          value={shown.queueTimeoutMs}
          error={errors.queueTimeoutMs}
          onChange={(e) => edit({ queueTimeoutMs: e.target.value })}
        />
      </div>
      <InlineError message={errors.form ?? errors.type} />
      <button type="submit" className="small">
        Apply limits
      </button>
    </form>
  );
}

function DelayForm({ backend }: { backend: BackendView }) {
  const [draft, setDraft] = useState<string | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const submit = useSubmit();
  const shown = draft ?? String(backend.delayMs);

  const onSubmit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (await submit(delayCommand(backend.id, shown), setErrors)) setDraft(null);
  };

  return (
    <form className="details-section inline-row" aria-label="Delay" noValidate onSubmit={(e) => void onSubmit(e)}>
      <Field
        label="Delay (ms)"
        type="number"
        inputMode="numeric"
        value={shown}
        error={errors.delayMs ?? errors.form}
        disabled={!backend.managed}
        title={backend.managed ? 'Reply delay of this server' : 'External servers are not run by the Lab'}
        onChange={(e) => setDraft(e.target.value)}
      />
      <button type="submit" className="small" disabled={!backend.managed}>
        Apply delay
      </button>
    </form>
  );
}

/** "12.3 s" on the Lab clock. */
export function labTimeText(t: number): string {
  return `${(t / 1000).toFixed(1)} s`;
}

function HealthHistory({ backend }: { backend: BackendView }) {
  const derived = useLab((s) => s.failures.health[backend.id]);
  const history = (backend.health ?? derived)?.history ?? [];
  return (
    <section className="details-section">
      <h3>Health history</h3>
      {history.length === 0 ? <p className="empty">No transitions yet.</p> : null}
      <ol className="health-history" aria-label="Health history">
        {[...history].reverse().map((entry, i) => (
          <li key={`${entry.t}-${i}`}>
            <span className="history-time">{labTimeText(entry.t)}</span>
            <span className={`health-badge health-${entry.status}`}>{entry.status}</span>
            <span className="history-reason" title={entry.reason}>
              {entry.reason}
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}
