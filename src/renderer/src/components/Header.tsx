import { useLab, useServices } from '../app/context';
import { select } from '../store/selectors';
import type { ConnectionStatus } from '../transport/types';

const STATUS_TEXT: Record<ConnectionStatus, string> = {
  connecting: 'Connecting…',
  open: 'Connected',
  reconnecting: 'Reconnecting…',
  closed: 'Disconnected',
};

/** App name, link status, theme toggle and app-level errors. */
export function Header() {
  const { store } = useServices();
  const connection = useLab(select.connection);
  const theme = useLab(select.theme);
  const errors = useLab(select.errors);
  return (
    <header className="app-header">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        <h1>Balancer Lab</h1>
      </div>
      {errors.length > 0 ? (
        <div className="app-errors" role="alert">
          {errors.map((e) => (
            <div key={e.id} className="app-error">
              <span>{e.message}</span>
              <button type="button" className="ghost small" onClick={() => store.getState().dismissError(e.id)}>
                Dismiss
              </button>
            </div>
          ))}
        </div>
      ) : null}
      <div className="header-tools">
        <span className={`connection connection-${connection}`} role="status" aria-label="Connection status">
          <span className="dot" aria-hidden="true" />
          {STATUS_TEXT[connection]}
        </span>
        <button
          type="button"
          className="ghost"
          aria-label="Toggle theme"
          title={theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'}
          onClick={() => store.getState().setTheme(theme === 'dark' ? 'light' : 'dark')}
        >
          <span aria-hidden="true">{theme === 'dark' ? '☀' : '☾'}</span>
        </button>
      </div>
    </header>
  );
}
