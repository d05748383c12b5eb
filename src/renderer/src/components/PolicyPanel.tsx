import { useId, useState, type FormEvent } from 'react';
import { useLab, useServices } from '../app/context';
import { policyCommand, policyDraft, type FieldErrors, type PolicyDraft } from '../app/failureInputs';
import { Field, InlineError } from './Field';
import './failures.css';

/** The balancer's failure policy: retries, timeouts, passive ejection, panic threshold, close on down. */
export function PolicyPanel() {
  const { transport } = useServices();
  const headingId = useId();
  const policy = useLab((s) => s.lab.balancer?.policy);
  const panic = useLab((s) => s.lab.balancer?.panic ?? false);
  const [draft, setDraft] = useState<PolicyDraft | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [applied, setApplied] = useState(false);
  const shown = draft ?? policyDraft(policy);
  const edit = (change: Partial<PolicyDraft>): void => {
    setDraft({ ...shown, ...change });
    setApplied(false);
  };

  const onSubmit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const result = policyCommand(shown);
    if (!result.ok) {
      setErrors(result.errors);
      return;
    }
    const reply = await transport.invoke(result.command);
    setErrors(reply.ok ? {} : { form: reply.error });
    if (reply.ok) {
      setDraft(null);
      setApplied(true);
    }
  };

  const number = (label: string, key: keyof PolicyDraft, title?: string) => (
    <Field
      label={label}
      type="number"
      inputMode="numeric"
      min={0}
      value={String(shown[key])}
      error={errors[key]}
      {...(title ? { title } : {})}
      onChange={(e) => edit({ [key]: e.target.value })}
    />
  );

  return (
    <section className="control-section policy-panel" aria-labelledby={headingId}>
      <h2 id={headingId}>Failure policy</h2>
      {panic ? <p className="panic-note">Panic mode is on: too few healthy backends.</p> : null}
      <form className="stack" noValidate onSubmit={(e) => void onSubmit(e)}>
        <div className="field-row">
          {number('Retries', 'retries', 'Other backends tried after a failed connect, unseen by the client')}
          {number('Connect timeout (ms)', 'connectTimeoutMs')}
          {number('Idle timeout (ms)', 'idleTimeoutMs', '0 = off')}
          {number('Panic threshold (%)', 'panicThresholdPercent', 'Below this share of healthy backends, use all')}
        </div>
        <label className="check-field">
          <input
            type="checkbox"
            checked={shown.ejectionEnabled}
            onChange={(e) => edit({ ejectionEnabled: e.target.checked })}
          />
          Ejection
        </label>
        <div className="field-row">
          {number('Eject after failures', 'consecutiveFailures')}
          {number('Ejection base (ms)', 'ejectionBaseMs')}
          {number('Ejection max (ms)', 'ejectionMaxMs')}
        </div>
        <label className="check-field">
          <input type="checkbox" checked={shown.closeOnDown} onChange={(e) => edit({ closeOnDown: e.target.checked })} />
          Close connections on down
        </label>
        <InlineError message={errors.form} />
        <div className="details-actions">
          <button type="submit" className="primary small">
            Apply policy
          </button>
          {applied ? (
            <span className="applied-note" role="status">
              Applied
            </span>
          ) : null}
        </div>
      </form>
    </section>
  );
}

/** "Panic mode: balancing across all backends", shown over the canvas while the balancer is in panic. */
export function PanicBanner() {
  const panic = useLab((s) => s.lab.balancer?.panic ?? false);
  // The live region stays mounted so screen readers announce the banner when it appears.
  return (
    <div className="panic-live" role="status">
      {panic ? <span className="panic-banner">Panic mode: balancing across all backends</span> : null}
    </div>
  );
}
