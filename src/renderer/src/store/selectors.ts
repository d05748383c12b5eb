import type { BackendView } from '../../../shared/protocol';
import type { LabStore } from './labStore';

/** Plain selector functions shared by components (low-rate state only). */
export const select = {
  connection: (s: LabStore) => s.connection,
  balancer: (s: LabStore) => s.lab.balancer,
  backendOrder: (s: LabStore) => s.lab.backendOrder,
  backends: (s: LabStore) => s.lab.backends,
  traffic: (s: LabStore) => s.lab.traffic,
  log: (s: LabStore) => s.log,
  latestDecision: (s: LabStore) => s.latestDecision,
  decisionStream: (s: LabStore) => s.decisionStream,
  ring: (s: LabStore) => s.lab.ring,
  hasRing: (s: LabStore) => s.lab.ring !== null,
  errors: (s: LabStore) => s.errors,
  theme: (s: LabStore) => s.ui.theme,
  animationPaused: (s: LabStore) => s.ui.animationPaused,
  formError: (key: string) => (s: LabStore) => s.ui.formErrors[key],
  backend: (id: string) => (s: LabStore) => s.lab.backends[id],
};

/** Backends in insertion order. */
export function orderedBackends(s: Pick<LabStore, 'lab'>): BackendView[] {
  const out: BackendView[] = [];
  for (const id of s.lab.backendOrder) {
    const backend = s.lab.backends[id];
    if (backend) out.push(backend);
  }
  return out;
}
