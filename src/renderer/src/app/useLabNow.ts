import { useEffect, useState } from 'react';
import { useServices } from './context';

/**
 * The Lab clock now, estimated as the latest event's t plus the wall time since it arrived, refreshed every
 * `intervalMs`. Countdowns (ejection) need it because the Lab sends no event when an ejection simply expires.
 */
export function useLabNow(intervalMs = 500): number {
  const { store } = useServices();
  const [now, setNow] = useState(() => store.getState().lab.t);
  useEffect(() => {
    let labT = store.getState().lab.t;
    let wallAt = performance.now();
    const unsubscribe = store.subscribe((state) => {
      if (state.lab.t !== labT) {
        labT = state.lab.t;
        wallAt = performance.now();
      }
    });
    const tick = (): void => setNow(labT + (performance.now() - wallAt));
    tick();
    const timer = setInterval(tick, intervalMs);
    return () => {
      unsubscribe();
      clearInterval(timer);
    };
  }, [store, intervalMs]);
  return now;
}
