import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { BackendView, Command } from '../../../shared/protocol';
import { backendColor } from '../app/backendColors';
import { useLab, useServices } from '../app/context';
import { parseWeight } from '../app/inputs';
import { select } from '../store/selectors';
import { BackendCondition, BackendDetails, conditionClasses } from './BackendDetails';

/** The right column: one accessible item per backend, in insertion order. */
export function BackendList() {
  const order = useLab(useShallow(select.backendOrder));
  return (
    <section className="panel backends-panel" aria-labelledby="backends-heading">
      <h2 id="backends-heading">
        Backends <span className="count">{order.length}</span>
      </h2>
      {order.length === 0 ? <p className="empty">No backends yet. Add one on the left.</p> : null}
      <ul className="backend-list" aria-label="Backends">
        {order.map((id) => (
          <BackendItem key={id} id={id} />
        ))}
      </ul>
    </section>
  );
}

type Action = 'stop' | 'kill' | 'restart' | 'remove';

/** Which actions make sense in a state (Lab-run backends only, except Remove). */
export function actionEnabled(backend: Pick<BackendView, 'state' | 'managed'>, action: Action): boolean {
  switch (action) {
    case 'stop':
    case 'kill':
      return backend.managed && backend.state === 'up';
    case 'restart':
      return backend.managed && (backend.state === 'stopped' || backend.state === 'killed');
    case 'remove':
      return true;
  }
}

function commandFor(action: Action, id: string): Command {
  switch (action) {
    case 'stop':
      return { type: 'backend.stop', id };
    case 'kill':
      return { type: 'backend.kill', id };
    case 'restart':
      return { type: 'backend.restart', id };
    case 'remove':
      return { type: 'backend.remove', id };
  }
}

const ACTIONS: { action: Action; label: string; className: string }[] = [
  { action: 'stop', label: 'Stop', className: '' },
  { action: 'kill', label: 'Kill', className: 'danger-ghost' },
  { action: 'restart', label: 'Restart', className: '' },
  { action: 'remove', label: 'Remove', className: 'ghost' },
];

function BackendItem({ id }: { id: string }) {
  const { transport, store } = useServices();
  const backend = useLab(select.backend(id));
  const errorKey = `backend:${id}`;
  const error = useLab(select.formError(errorKey));
  const theme = useLab(select.theme);
  if (!backend) return null;

  const run = async (action: Action): Promise<void> => {
    const result = await transport.invoke(commandFor(action, id));
    store.getState().setFormError(errorKey, result.ok ? null : result.error);
  };

  return (
    <li className={`backend-item state-${backend.state}${conditionClasses(backend)}`} aria-label={`Backend ${id}`}>
      <div className="backend-head">
        <span className="swatch" style={{ background: backendColor(backend.id, theme) }} aria-hidden="true" />
        <span className="backend-name">Server {backend.id}</span>
        <span className="backend-port">:{backend.port}</span>
        <span className={`badge badge-${backend.state}`}>{backend.state}</span>
      </div>
      <div className="backend-meta">
        <span className="open">{backend.activeConnections} open</span>
        <span className="served">{backend.messagesServed} served</span>
        {backend.managed ? null : <span className="host">{backend.host}</span>}
      </div>
      <BackendCondition backend={backend} />
      <WeightField id={backend.id} weight={backend.weight} />
      <div className="backend-actions">
        {ACTIONS.map(({ action, label, className }) => (
          <button
            key={action}
            type="button"
            className={`small ${className}`}
            disabled={!actionEnabled(backend, action)}
            onClick={() => void run(action)}
          >
            {label}
          </button>
        ))}
      </div>
      <BackendDetails
        backend={backend}
        error={error}
        onAdminResult={(message) => store.getState().setFormError(errorKey, message)}
      />
    </li>
  );
}

/** Typing settles for this long before a valid weight is applied without Enter. */
const WEIGHT_SETTLE_MS = 500;

/**
 * A backend's weight, live: applied on Enter, on leaving the field, on the spinner and shortly after typing
 * stops. An invalid value stays in the field with an inline error; weight 0 means no new connections.
 */
function WeightField({ id, weight }: { id: string; weight: number }) {
  const { transport, store } = useServices();
  const inputId = useId();
  const errorKey = `weight:${id}`;
  const error = useLab(select.formError(errorKey));
  /** What the user typed and the Lab's weight at the time; once the Lab's weight moves on, it wins. */
  const [draft, setDraft] = useState<{ text: string; base: number } | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  /** The value sent last, so a settle timer and Enter do not send it twice. */
  const sent = useRef<string | null>(null);
  useEffect(
    () => () => {
      if (timer.current !== null) clearTimeout(timer.current);
    },
    [],
  );

  const editing = draft !== null && draft.base === weight ? draft.text : null;
  const shown = editing ?? String(weight);

  const apply = async (text: string): Promise<void> => {
    if (timer.current !== null) clearTimeout(timer.current);
    timer.current = null;
    const parsed = parseWeight(text);
    if (!parsed.ok) {
      store.getState().setFormError(errorKey, parsed.error);
      return;
    }
    if (sent.current === text) return;
    sent.current = text;
    const result = await transport.invoke({ type: 'backend.setWeight', id, weight: parsed.weight });
    if (!result.ok) {
      sent.current = null;
      store.getState().setFormError(errorKey, result.error);
      return;
    }
    store.getState().setFormError(errorKey, null);
    // Usually the backend.state event already moved the weight (and so retired the draft); if the value was
    // unchanged, no event comes, so retire it here.
    if (store.getState().lab.backends[id]?.weight === parsed.weight) setDraft(null);
  };

  const onChange = (text: string): void => {
    setDraft({ text, base: weight });
    sent.current = null;
    if (timer.current !== null) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      timer.current = null;
      // Only valid values apply silently; an invalid one waits for Enter/blur to say why.
      if (parseWeight(text).ok) void apply(text);
    }, WEIGHT_SETTLE_MS);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>): void => {
    if (e.key === 'Enter') {
      e.preventDefault();
      void apply(shown);
    } else if (e.key === 'Escape') {
      setDraft(null);
      store.getState().setFormError(errorKey, null);
    }
  };

  return (
    <div className="weight-field">
      <label htmlFor={inputId}>Weight</label>
      <input
        id={inputId}
        type="number"
        min={0}
        max={256}
        step={1}
        inputMode="numeric"
        value={shown}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${inputId}-error` : undefined}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={onKeyDown}
        onBlur={() => {
          if (editing !== null) void apply(editing);
        }}
      />
      {weight === 0 ? <span className="weight-note">no new connections</span> : null}
      {error ? (
        <p id={`${inputId}-error`} role="alert" className="inline-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
