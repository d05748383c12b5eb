import { createStore, type StoreApi } from 'zustand/vanilla';
import type { LabEvent, LabSnapshot } from '../../../shared/protocol';
import type { ConnectionStatus } from '../transport/types';
import { emptyDecisionStream } from './decisionStream';
import { emptyFailures } from './failures';
import { MotionQueue, motionQueue as sharedMotionQueue } from './motion';
import { appendMetrics, emptyMetrics } from './metrics';
import { acceptedEvents, appendError, emptyLab, reduceBatch, reduceSnapshot } from './reduce';
import type { LabState, Theme } from './types';

/** Store actions; every one is a single `set`. */
export interface LabActions {
  applySnapshot(snapshot: LabSnapshot): void;
  /** Fold a batch of events in one update and queue the animation-worthy ones. */
  applyBatch(events: readonly LabEvent[]): void;
  setConnection(status: ConnectionStatus): void;
  reportError(message: string): void;
  dismissError(id: number): void;
  setFormError(key: string, message: string | null): void;
  setTheme(theme: Theme): void;
  setAnimationPaused(paused: boolean): void;
}

export type LabStore = LabState & LabActions;

export interface LabStoreOptions {
  motion?: MotionQueue;
  theme?: Theme;
  animationPaused?: boolean;
}

/** Initial data state. */
export function initialLabState(options: Pick<LabStoreOptions, 'theme' | 'animationPaused'> = {}): LabState {
  return {
    connection: 'connecting',
    lab: emptyLab(),
    connections: {},
    log: [],
    inflight: {},
    latestDecision: null,
    decisionStream: emptyDecisionStream(),
    metrics: emptyMetrics(),
    lastClose: null,
    errors: [],
    failures: emptyFailures(),
    ui: { theme: options.theme ?? 'light', animationPaused: options.animationPaused ?? false, formErrors: {} },
  };
}

/** A fresh store (DOM-free, so it runs under node in tests). */
export function createLabStore(options: LabStoreOptions = {}): StoreApi<LabStore> {
  const motion = options.motion ?? sharedMotionQueue;
  return createStore<LabStore>()((set, get) => ({
    ...initialLabState(options),
    applySnapshot(snapshot) {
      motion.clear();
      set((state) => reduceSnapshot(state, snapshot));
    },
    applyBatch(events) {
      const state = get();
      if (!state.lab.loaded) return;
      const accepted = acceptedEvents(state, events);
      if (accepted.length === 0) return;
      const next = reduceBatch(state, accepted);
      set({ ...next, metrics: appendMetrics(next.metrics, accepted) });
      motion.push(accepted);
    },
    setConnection(status) {
      set({ connection: status });
    },
    reportError(message) {
      set((state) => ({ errors: appendError(state.errors, message) }));
    },
    dismissError(id) {
      set((state) => ({ errors: state.errors.filter((e) => e.id !== id) }));
    },
    setFormError(key, message) {
      set((state) => {
        const current = state.ui.formErrors[key];
        if ((message ?? undefined) === current) return state;
        const formErrors = { ...state.ui.formErrors };
        if (message === null) delete formErrors[key];
        else formErrors[key] = message;
        return { ui: { ...state.ui, formErrors } };
      });
    },
    setTheme(theme) {
      set((state) => ({ ui: { ...state.ui, theme } }));
    },
    setAnimationPaused(paused) {
      set((state) => ({ ui: { ...state.ui, animationPaused: paused } }));
    },
  }));
}
