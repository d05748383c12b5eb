import { useState, type FormEvent, type ReactNode } from 'react';
import {
  ALGORITHMS,
  BackendIdSchema,
  MessageTextSchema,
  PortSchema,
  type AlgorithmName,
} from '../../../shared/protocol';
import { useLab, useServices } from '../app/context';
import { ALGORITHM_DESCRIPTIONS } from '../../../shared/algorithms';
import { addBackendErrorField } from '../app/format';
import { nextBackendId, nextBackendPort } from '../store/defaults';
import { orderedBackends, select } from '../store/selectors';
import { Field, InlineError } from './Field';
import { TrafficForm } from './TrafficForm';
import { PolicyPanel } from './PolicyPanel';

/** The left column: algorithm, send, traffic and add-backend. */
export function Controls() {
  const [message, setMessage] = useState('hello');
  return (
    <aside className="panel controls" aria-label="Controls">
      <AlgorithmControl />
      <SendControl message={message} onMessage={setMessage} />
      <TrafficForm message={message} />
      <AddBackendForm />
      <PolicyPanel />
    </aside>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="control-section">
      <h2>{title}</h2>
      {children}
    </section>
  );
}

function AlgorithmControl() {
  const { transport, store } = useServices();
  const current = useLab((s) => s.lab.balancer?.algorithm ?? null);
  const error = useLab(select.formError('algorithm'));
  /** The choice being applied, shown until the Lab reports a different algorithm than when it was asked. */
  const [pending, setPending] = useState<{ value: AlgorithmName; askedWhile: AlgorithmName | null } | null>(null);
  const shown = pending && pending.askedWhile === current ? pending.value : (current ?? ALGORITHMS[0]);

  const onChange = async (value: AlgorithmName): Promise<void> => {
    setPending({ value, askedWhile: current });
    const result = await transport.invoke({ type: 'balancer.setAlgorithm', algorithm: value });
    if (result.ok) {
      store.getState().setFormError('algorithm', null);
      // The event usually lands first; then the pending value has done its job.
      if (store.getState().lab.balancer?.algorithm === value) setPending(null);
    } else {
      setPending(null);
      store.getState().setFormError('algorithm', result.error);
    }
  };

  return (
    <Section title="Balancing">
      <div className="field">
        <label htmlFor="algorithm">Algorithm</label>
        <select
          id="algorithm"
          value={shown}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'algorithm-description algorithm-error' : 'algorithm-description'}
          onChange={(e) => void onChange(e.target.value as AlgorithmName)}
        >
          {ALGORITHMS.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
        <p id="algorithm-description" className="field-hint">
          {ALGORITHM_DESCRIPTIONS[shown]}
        </p>
        <InlineError id="algorithm-error" message={error} />
      </div>
    </Section>
  );
}

function SendControl({ message, onMessage }: { message: string; onMessage: (text: string) => void }) {
  const { transport, store } = useServices();
  const error = useLab(select.formError('send'));

  const onSubmit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const parsed = MessageTextSchema.safeParse(message);
    if (!parsed.success) {
      store.getState().setFormError('send', parsed.error.issues[0]?.message ?? 'invalid message');
      return;
    }
    const result = await transport.invoke({ type: 'message.send', text: message });
    store.getState().setFormError('send', result.ok ? null : result.error);
  };

  return (
    <Section title="Send">
      <form className="stack" onSubmit={(e) => void onSubmit(e)}>
        <div className="inline-row">
          <Field
            label="Message"
            value={message}
            error={error}
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => onMessage(e.target.value)}
          />
          <button type="submit" className="primary">
            Send message
          </button>
        </div>
      </form>
    </Section>
  );
}

function AddBackendForm() {
  const { transport, store } = useServices();
  const balancerPort = useLab((s) => s.lab.balancer?.port ?? 5000);
  const defaultPort = useLab((s) => nextBackendPort(orderedBackends(s), balancerPort));
  const defaultId = useLab((s) => nextBackendId(orderedBackends(s)));
  // null = follow the computed default; a string = what the user typed (or kept after an error).
  const [port, setPort] = useState<string | null>(null);
  const [id, setId] = useState<string | null>(null);
  const portError = useLab(select.formError('add.port'));
  const idError = useLab(select.formError('add.id'));
  const formError = useLab(select.formError('add'));
  const [busy, setBusy] = useState(false);

  const portValue = port ?? String(defaultPort);
  const idValue = id ?? defaultId;

  const clearErrors = (): void => {
    const s = store.getState();
    s.setFormError('add.port', null);
    s.setFormError('add.id', null);
    s.setFormError('add', null);
  };

  const onSubmit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    clearErrors();
    const s = store.getState();
    const portNumber = portValue.trim() === '' ? Number.NaN : Number(portValue);
    const portCheck = PortSchema.safeParse(portNumber);
    const idCheck = BackendIdSchema.safeParse(idValue);
    if (!portCheck.success || !idCheck.success) {
      if (!portCheck.success) s.setFormError('add.port', portCheck.error.issues[0]?.message ?? 'invalid port');
      if (!idCheck.success) s.setFormError('add.id', idCheck.error.issues[0]?.message ?? 'invalid id');
      setPort(portValue);
      setId(idValue);
      return;
    }
    setBusy(true);
    const result = await transport.invoke({ type: 'backend.add', id: idCheck.data, port: portCheck.data });
    setBusy(false);
    if (result.ok) {
      setPort(null);
      setId(null);
      return;
    }
    // Keep what was typed so the user can fix it.
    setPort(portValue);
    setId(idValue);
    store.getState().setFormError(addBackendErrorField(result.error), result.error);
  };

  return (
    <Section title="Add backend">
      <form className="stack" noValidate onSubmit={(e) => void onSubmit(e)}>
        <div className="field-row">
          <Field
            label="Backend port"
            type="number"
            min={1}
            max={65535}
            inputMode="numeric"
            value={portValue}
            error={portError}
            onChange={(e) => setPort(e.target.value)}
          />
          <Field
            label="Backend id"
            value={idValue}
            error={idError}
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => setId(e.target.value)}
          />
        </div>
        <button type="submit" className="primary" disabled={busy}>
          Add backend
        </button>
        <InlineError message={formError} />
      </form>
    </Section>
  );
}
