import { useShallow } from 'zustand/react/shallow';
import type { BackendView, Command } from '../../../shared/protocol';
import { useLab, useServices } from '../app/context';
import { select } from '../store/selectors';
import { InlineError } from './Field';

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
  if (!backend) return null;

  const run = async (action: Action): Promise<void> => {
    const result = await transport.invoke(commandFor(action, id));
    store.getState().setFormError(errorKey, result.ok ? null : result.error);
  };

  return (
    <li className={`backend-item state-${backend.state}`} aria-label={`Backend ${id}`}>
      <div className="backend-head">
        <span className="backend-name">Server {backend.id}</span>
        <span className="backend-port">:{backend.port}</span>
        <span className={`badge badge-${backend.state}`}>{backend.state}</span>
      </div>
      <div className="backend-meta">
        <span className="open">{backend.activeConnections} open</span>
        <span className="served">{backend.messagesServed} served</span>
        {backend.managed ? null : <span className="host">{backend.host}</span>}
      </div>
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
      <InlineError message={error} />
    </li>
  );
}
