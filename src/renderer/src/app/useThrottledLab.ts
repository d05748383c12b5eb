import { useEffect, useState } from 'react';
import type { LabStore } from '../store/labStore';
import { useServices } from './context';

/** A selected value plus the wall time (performance.now) it was read at. */
export interface Sampled<T> {
  value: T;
  at: number;
}

/**
 * Like useLab, but re-renders at most once per `intervalMs` and always catches up with the newest value
 * (trailing edge), so text that changes hundreds of times a second stays readable and cheap.
 * `selector` must be stable (a module-level function).
 */
export function useThrottledLab<T>(selector: (state: LabStore) => T, intervalMs: number): Sampled<T> {
  const { store } = useServices();
  const [sampled, setSampled] = useState<Sampled<T>>(() => ({ value: selector(store.getState()), at: 0 }));

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let last = -Infinity;
    const flush = (): void => {
      timer = null;
      last = performance.now();
      const value = selector(store.getState());
      setSampled((prev) => (prev.value === value ? prev : { value, at: last }));
    };
    const schedule = (): void => {
      if (timer !== null) return;
      timer = setTimeout(flush, Math.max(0, last + intervalMs - performance.now()));
    };
    const unsubscribe = store.subscribe(schedule);
    // The store may have moved between render and subscribe.
    schedule();
    return () => {
      unsubscribe();
      if (timer !== null) clearTimeout(timer);
    };
  }, [store, selector, intervalMs]);

  return sampled;
}

/** performance.now(), refreshed every `intervalMs` (for values that decay with time, like a rate). */
export function useWallClock(intervalMs: number): number {
  const [now, setNow] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setNow(performance.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
