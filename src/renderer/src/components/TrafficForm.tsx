import { useId, useState, type ReactNode } from 'react';
import { MessageTextSchema } from '../../../shared/protocol';
import { useLab, useServices } from '../app/context';
import {
  buildTrafficCommand,
  defaultTrafficForm,
  fieldApplies,
  supportedTrafficFields,
  trafficErrorField,
  TRAFFIC_MODEL_OPTIONS,
  type TrafficFieldDef,
  type TrafficFieldKey,
  type TrafficFormValues,
} from '../app/trafficForm';
import type { LabStore } from '../store/labStore';
import { Field, InlineError } from './Field';

/** Store form-error key for a traffic field (rate keeps the historical 'traffic' key). */
export function trafficErrorKey(field: TrafficFieldKey | 'form'): string {
  return field === 'rate' ? 'traffic' : `traffic.${field}`;
}

const ALL_KEYS: (TrafficFieldKey | 'form')[] = [
  'rate',
  'clients',
  'model',
  'concurrency',
  'thinkMs',
  'persistent',
  'size',
  'burstSize',
  'burstEveryMs',
  'form',
];

const selectTrafficErrors = (s: LabStore): string =>
  ALL_KEYS.map((k) => s.ui.formErrors[trafficErrorKey(k)] ?? '').join('\u0000');

/** The traffic generator: rate and clients, then the model and its settings, validated with the shared schema. */
export function TrafficForm({ message }: { message: string }) {
  const { transport, store } = useServices();
  const running = useLab((s) => s.lab.traffic.running);
  const errorText = useLab(selectTrafficErrors);
  const errorList = errorText.split('\u0000');
  const errorOf = (k: TrafficFieldKey | 'form'): string | undefined => errorList[ALL_KEYS.indexOf(k)] || undefined;
  const [values, setValues] = useState<TrafficFormValues>(defaultTrafficForm);
  const set = <K extends TrafficFieldKey>(key: K, value: TrafficFormValues[K]): void =>
    setValues((v) => ({ ...v, [key]: value }));
  const fields = supportedTrafficFields();

  const setErrors = (errors: Partial<Record<TrafficFieldKey | 'form', string>>): void => {
    const s = store.getState();
    for (const k of ALL_KEYS) s.setFormError(trafficErrorKey(k), errors[k] ?? null);
  };

  const onToggle = async (): Promise<void> => {
    if (running) {
      const result = await transport.invoke({ type: 'traffic.stop' });
      setErrors(result.ok ? {} : { form: result.error });
      return;
    }
    const text = MessageTextSchema.safeParse(message).success ? message : undefined;
    const built = buildTrafficCommand(values, text);
    if (!built.ok) {
      setErrors(built.errors);
      return;
    }
    setErrors({});
    const result = await transport.invoke(built.command);
    if (!result.ok) setErrors({ [trafficErrorField(result.error)]: result.error });
  };

  const numberField = (f: TrafficFieldDef, className?: string): ReactNode => (
    <Field
      key={f.key}
      label={f.label}
      className={className}
      type="number"
      min={f.min}
      max={f.max}
      step={1}
      inputMode="numeric"
      value={String(values[f.key])}
      error={errorOf(f.key)}
      title={f.hint}
      onChange={(e) => set(f.key, e.target.value)}
    />
  );

  return (
    <section className="control-section">
      <h2>Traffic</h2>
      <div className="traffic-row">
        <Field
          label="Rate (messages/s)"
          type="number"
          min={0.1}
          max={20000}
          step="any"
          inputMode="decimal"
          value={values.rate}
          error={errorOf('rate')}
          onChange={(e) => set('rate', e.target.value)}
        />
        <Field
          label="Clients"
          className="clients-field"
          type="number"
          min={1}
          max={200}
          step={1}
          inputMode="numeric"
          value={values.clients}
          error={errorOf('clients')}
          title="Distinct client addresses (127.0.0.2, 127.0.0.3, …) so hashing spreads"
          onChange={(e) => set('clients', e.target.value)}
        />
        <button
          type="button"
          className={`traffic-toggle ${running ? 'danger' : 'primary'}`}
          onClick={() => void onToggle()}
        >
          {running ? 'Stop traffic' : 'Start traffic'}
        </button>
      </div>
      {fields.length ? (
        <div className="traffic-settings">
          {fields
            .filter((f) => fieldApplies(f, values.model))
            .map((f) =>
              f.kind === 'select' ? (
                <ModelSelect key={f.key} field={f} value={values.model} error={errorOf('model')} onChange={(v) => set('model', v)} />
              ) : f.kind === 'checkbox' ? (
                <Checkbox
                  key={f.key}
                  field={f}
                  checked={values.persistent}
                  error={errorOf('persistent')}
                  onChange={(v) => set('persistent', v)}
                />
              ) : (
                numberField(f)
              ),
            )}
        </div>
      ) : null}
      <InlineError message={errorOf('form')} />
    </section>
  );
}

function ModelSelect({
  field,
  value,
  error,
  onChange,
}: {
  field: TrafficFieldDef;
  value: string;
  error: string | undefined;
  onChange: (value: string) => void;
}) {
  const id = useId();
  return (
    <div className="field traffic-model">
      <label htmlFor={id}>{field.label}</label>
      <select
        id={id}
        value={value}
        title={field.hint}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => onChange(e.target.value)}
      >
        {TRAFFIC_MODEL_OPTIONS.map((m) => (
          <option key={m} value={m}>
            {m}
          </option>
        ))}
      </select>
      <InlineError id={`${id}-error`} message={error} />
    </div>
  );
}

function Checkbox({
  field,
  checked,
  error,
  onChange,
}: {
  field: TrafficFieldDef;
  checked: boolean;
  error: string | undefined;
  onChange: (checked: boolean) => void;
}) {
  const id = useId();
  return (
    <div className="field checkbox-field">
      <label htmlFor={id} title={field.hint}>
        <input
          id={id}
          type="checkbox"
          checked={checked}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          onChange={(e) => onChange(e.target.checked)}
        />{' '}
        {field.label}
      </label>
      <InlineError id={`${id}-error`} message={error} />
    </div>
  );
}
