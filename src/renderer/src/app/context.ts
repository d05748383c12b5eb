import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { AnimationClock } from '../canvas/clock';
import type { LabStore } from '../store/labStore';
import type { MotionQueue } from '../store/motion';
import type { LabTransport } from '../transport/types';

/** What components reach for: the store, the transport to invoke commands and the animation clock. */
export interface AppServices {
  store: StoreApi<LabStore>;
  transport: LabTransport;
  clock: AnimationClock;
  motion: MotionQueue;
}

export const AppContext = createContext<AppServices | null>(null);

/** The app's services; components are only rendered inside the provider. */
export function useServices(): AppServices {
  const services = useContext(AppContext);
  if (!services) throw new Error('AppContext missing');
  return services;
}

/** Subscribe to a slice of the store with a selector (re-renders only when it changes). */
export function useLab<T>(selector: (state: LabStore) => T): T {
  return useStore(useServices().store, selector);
}
