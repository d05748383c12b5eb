import type { LabApi } from '../../../shared/api';
import type { Command, CommandResult, LabEvent } from '../../../shared/protocol';
import type { ConnectionStatus, LabTransport } from './types';

/** True when `value` looks like the object the Electron preload exposes. */
export function isLabApi(value: unknown): value is LabApi {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate.invoke === 'function' && typeof candidate.subscribe === 'function';
}

/**
 * Wraps the preload's API. IPC has no connection to lose, so status is always "open";
 * a rejected invoke (e.g. the main process threw) becomes a failed result rather than an unhandled rejection.
 */
export function createPreloadTransport(api: LabApi): LabTransport {
  const errorListeners = new Set<(message: string) => void>();
  let closed = false;
  const unsubscribers = new Set<() => void>();

  return {
    kind: 'preload',
    async invoke(command: Command): Promise<CommandResult> {
      if (closed) return { ok: false, error: 'connection closed' };
      try {
        return await api.invoke(command);
      } catch (err) {
        return { ok: false, error: err instanceof Error ? err.message : String(err) };
      }
    },
    subscribe(onBatch: (events: LabEvent[]) => void): () => void {
      const unsubscribe = api.subscribe(onBatch);
      unsubscribers.add(unsubscribe);
      return () => {
        if (!unsubscribers.delete(unsubscribe)) return;
        unsubscribe();
      };
    },
    onStatus(listener: (status: ConnectionStatus) => void): () => void {
      listener(closed ? 'closed' : 'open');
      return () => undefined;
    },
    onError(listener: (message: string) => void): () => void {
      errorListeners.add(listener);
      return () => errorListeners.delete(listener);
    },
    close(): void {
      closed = true;
      for (const unsubscribe of unsubscribers) unsubscribe();
      unsubscribers.clear();
    },
  };
}
