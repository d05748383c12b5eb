import type { Faults } from '../../../shared/protocol';
import { NO_FAULTS, type FaultSettings } from '../policy-defaults';

/** A setFaults request replaces the side's faults: fields left out are off. */
export function toFaultSettings(faults: Faults): FaultSettings {
  return { ...NO_FAULTS, ...faults };
}

/** True when any fault is on. */
export function hasFaults(f: FaultSettings): boolean {
  return (
    f.latencyMs > 0 ||
    f.jitterMs > 0 ||
    f.bandwidthKBps > 0 ||
    f.resetProbability > 0 ||
    f.refuse ||
    f.blackHole ||
    f.slowCloseMs > 0
  );
}

/** Only the faults that are on, as the view shows them ({} = none). */
export function activeFaults(f: FaultSettings): Faults {
  const out: Faults = {};
  if (f.latencyMs > 0) out.latencyMs = f.latencyMs;
  if (f.jitterMs > 0) out.jitterMs = f.jitterMs;
  if (f.bandwidthKBps > 0) out.bandwidthKBps = f.bandwidthKBps;
  if (f.resetProbability > 0) out.resetProbability = f.resetProbability;
  if (f.refuse) out.refuse = true;
  if (f.blackHole) out.blackHole = true;
  if (f.slowCloseMs > 0) out.slowCloseMs = f.slowCloseMs;
  return out;
}

/** Added delay for one chunk or reply: fixed plus uniform jitter. */
export function faultDelayMs(f: FaultSettings, random: () => number): number {
  return f.latencyMs + (f.jitterMs > 0 ? random() * f.jitterMs : 0);
}
