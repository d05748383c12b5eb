/** The fixed frame one "Step animation" advances by. */
export const STEP_MS = 100;

/**
 * Animation time, separate from wall time: it runs while playing, stands still while paused
 * and can be stepped by a fixed frame, so particles (which advance by it) can be frozen for screenshots.
 */
export interface AnimationClock {
  /** Animation time in ms. */
  now(): number;
  isPaused(): boolean;
  pause(): void;
  resume(): void;
  /** Advance by one fixed frame (normally used while paused). */
  step(ms?: number): void;
}

/** A clock over a wall-time source (performance.now in the app; a fake in tests). */
export function createAnimationClock(
  wallNow: () => number,
  options: { paused?: boolean; stepMs?: number } = {},
): AnimationClock {
  const stepMs = options.stepMs ?? STEP_MS;
  /** Animation time accumulated up to `since`. */
  let base = 0;
  /** Wall time when the clock last started running; null while paused. */
  let since: number | null = options.paused ? null : wallNow();

  const now = (): number => (since === null ? base : base + (wallNow() - since));

  return {
    now,
    isPaused: () => since === null,
    pause() {
      if (since === null) return;
      base = now();
      since = null;
    },
    resume() {
      if (since !== null) return;
      since = wallNow();
    },
    step(ms = stepMs) {
      if (since === null) base += ms;
      else {
        base = now() + ms;
        since = wallNow();
      }
    },
  };
}
