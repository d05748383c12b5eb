// Fast-refresh preamble as a module: the CSP (script-src 'self') blocks the inline one in dev; empty in builds.
import '@vitejs/plugin-react/preamble';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { AppContext, type AppServices } from './app/context';
import { createAnimationClock } from './canvas/clock';
import { App } from './components/App';
import { startLabSession } from './session/labSession';
import { createLabStore } from './store/labStore';
import { motionQueue } from './store/motion';
import type { Theme } from './store/types';
import { pickTransport } from './transport/pickTransport';

const params = new URLSearchParams(window.location.search);
// freeze=1 starts the animation paused so screenshots are stable.
const frozen = params.get('freeze') === '1';
const darkQuery = window.matchMedia('(prefers-color-scheme: dark)');
const requestedTheme = params.get('theme');
const theme: Theme =
  requestedTheme === 'dark' || requestedTheme === 'light' ? requestedTheme : darkQuery.matches ? 'dark' : 'light';

const clock = createAnimationClock(() => performance.now(), { paused: frozen });
const store = createLabStore({ motion: motionQueue, theme, animationPaused: frozen });
const transport = pickTransport();
startLabSession(transport, store);

const applyTheme = (value: Theme): void => {
  document.documentElement.dataset.theme = value;
};
applyTheme(theme);
store.subscribe((state, prev) => {
  if (state.ui.theme !== prev.ui.theme) applyTheme(state.ui.theme);
});

// Follow the system theme until the user picks one with the toggle.
let followSystem = requestedTheme !== 'dark' && requestedTheme !== 'light';
darkQuery.addEventListener('change', (e) => {
  if (followSystem) store.getState().setTheme(e.matches ? 'dark' : 'light');
});
store.subscribe((state, prev) => {
  if (state.ui.theme !== prev.ui.theme && (state.ui.theme === 'dark') !== darkQuery.matches) followSystem = false;
});

const services: AppServices = { store, transport, clock, motion: motionQueue };
const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <AppContext.Provider value={services}>
        <App />
      </AppContext.Provider>
    </StrictMode>,
  );
}
