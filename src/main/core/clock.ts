/** A monotonic millisecond clock; injectable so tests and screenshots can freeze or step time. */
export interface Clock {
  /** Milliseconds since an arbitrary fixed origin; never goes backwards. */
  now(): number;
}

/** A clock backed by performance.now(), counting from the moment it is created. */
export function createSystemClock(): Clock {
  const origin = performance.now();
  return { now: () => performance.now() - origin };
}

/** The process-wide real clock (origin: module load). */
export const systemClock: Clock = createSystemClock();
