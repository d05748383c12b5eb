import { useId, useState, type FormEvent } from 'react';
import type { BackendView, FaultSide } from '../../../shared/protocol';
import { useServices } from '../app/context';
import { faultChips, faultsCommand, faultsDraft, type FaultsDraft, type FieldErrors } from '../app/failureInputs';
import { Field, InlineError } from './Field';

/**
 * Toxiproxy-style faults for one backend, on either side: inside our backend server, or in the balancer on
 * its path to the backend. Apply replaces that side's faults; Clear removes them all.
 */
export function FaultsEditor({ backend }: { backend: BackendView }) {
  const { transport } = useServices();
  const sideId = useId();
  const [side, setSide] = useState<FaultSide>('backend');
  const [draft, setDraft] = useState<FaultsDraft | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const current = backend.faults?.[side];
  const shown = draft ?? faultsDraft(current);
  const edit = (change: Partial<FaultsDraft>): void => setDraft({ ...shown, ...change });
  const active = faultChips(current);

  const onApply = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const result = faultsCommand(backend.id, side, shown);
    if (!result.ok) {
      setErrors(result.errors);
      return;
    }
    const reply = await transport.invoke(result.command);
    setErrors(reply.ok ? {} : { form: reply.error });
    if (reply.ok) setDraft(null);
  };

  const onClear = async (): Promise<void> => {
    const reply = await transport.invoke({ type: 'backend.setFaults', id: backend.id, side, faults: {} });
    setErrors(reply.ok ? {} : { form: reply.error });
    if (reply.ok) setDraft(null);
  };

  const number = (label: string, key: 'latencyMs' | 'jitterMs' | 'bandwidthKBps' | 'resetProbability' | 'slowCloseMs', extra: { step?: string; title?: string } = {}) => (
    <Field
      label={label}
      type="number"
      inputMode="decimal"
      min={0}
      value={shown[key]}
      error={errors[key]}
      placeholder="0"
      {...extra}
      onChange={(e) => edit({ [key]: e.target.value })}
    />
  );

  return (
    <form className="details-section faults-editor" aria-label="Faults" noValidate onSubmit={(e) => void onApply(e)}>
      <h3>Faults</h3>
      <div className="field">
        <label htmlFor={sideId}>Fault side</label>
        <select
          id={sideId}
          value={side}
          onChange={(e) => {
            setSide(e.target.value as FaultSide);
            setDraft(null);
            setErrors({});
          }}
        >
          <option value="backend">Backend</option>
          <option value="balancer">Balancer</option>
        </select>
        <p className="field-hint">
          {side === 'backend'
            ? 'Injected inside the backend server.'
            : 'Injected by the balancer on its path to this backend.'}
          {active.length ? ` Now: ${active.join(', ')}.` : ' None active.'}
        </p>
      </div>
      <div className="field-row">
        {number('Latency (ms)', 'latencyMs')}
        {number('Jitter (ms)', 'jitterMs')}
        {number('Bandwidth (KiB/s)', 'bandwidthKBps', { title: '0 = unlimited' })}
        {number('Reset probability', 'resetProbability', { step: '0.05', title: 'Between 0 and 1' })}
        {number('Slow close (ms)', 'slowCloseMs')}
      </div>
      <div className="check-row">
        <label className="check-field">
          <input type="checkbox" checked={shown.refuse} onChange={(e) => edit({ refuse: e.target.checked })} />
          Refuse connections
        </label>
        <label className="check-field">
          <input type="checkbox" checked={shown.blackHole} onChange={(e) => edit({ blackHole: e.target.checked })} />
          Black hole
        </label>
      </div>
      <InlineError message={errors.form ?? errors.side ?? errors.faults} />
      <div className="details-actions">
        <button type="submit" className="small">
          Apply faults
        </button>
        <button type="button" className="small ghost" onClick={() => void onClear()}>
          Clear faults
        </button>
      </div>
    </form>
  );
}
