import type { BackendView } from '../../../shared/protocol';

/** The port after the highest backend port (5001 when there are none), capped at 65535. */
export function nextBackendPort(backends: readonly Pick<BackendView, 'port'>[], balancerPort = 5000): number {
  let highest = balancerPort;
  for (const backend of backends) highest = Math.max(highest, backend.port);
  return Math.min(65535, highest + 1);
}

/** The numeric id after the highest numeric id ("1" when there are none). */
export function nextBackendId(backends: readonly Pick<BackendView, 'id'>[]): string {
  let highest = 0;
  for (const backend of backends) {
    if (/^\d+$/.test(backend.id)) highest = Math.max(highest, Number(backend.id));
  }
  return String(highest + 1);
}
