import type { StoreApi } from 'zustand/vanilla';
import type { LabEvent } from '../../../shared/protocol';
import type { LabStore } from '../store/labStore';
import type { LabTransport } from '../transport/types';

/** Events buffered while a snapshot is on its way; beyond this the oldest are dropped. */
const BUFFER_LIMIT = 50_000;

/**
 * Wires a transport to the store: subscribe first, then ask for a snapshot, buffering events meanwhile,
 * so nothing between the two is lost; the store drops whatever the snapshot already covers.
 * After a reconnect it takes a fresh snapshot, since events were missed while the link was down.
 * Returns a function that stops everything.
 */
export function startLabSession(transport: LabTransport, store: StoreApi<LabStore>): () => void {
  let buffer: LabEvent[] | null = [];
  let snapshotInFlight = false;
  let stopped = false;
  let generation = 0;

  const unsubscribeEvents = transport.subscribe((events) => {
    if (stopped) return;
    if (buffer) {
      for (const event of events) buffer.push(event);
      if (buffer.length > BUFFER_LIMIT) buffer.splice(0, buffer.length - BUFFER_LIMIT);
      return;
    }
    store.getState().applyBatch(events);
  });

  async function requestSnapshot(): Promise<void> {
    if (snapshotInFlight || stopped) return;
    snapshotInFlight = true;
    const mine = ++generation;
    buffer ??= [];
    const result = await transport.invoke({ type: 'lab.snapshot' });
    snapshotInFlight = false;
    if (stopped || mine !== generation) return;
    if (!result.ok || !result.snapshot) {
      // 'connection lost' is followed by a reconnect, which asks again.
      if (!result.ok && result.error !== 'connection lost' && result.error !== 'not connected') {
        store.getState().reportError(`could not load the Lab: ${result.error}`);
      } else if (result.ok) {
        store.getState().reportError('could not load the Lab: the snapshot was missing');
      }
      return;
    }
    const pending = buffer ?? [];
    buffer = null;
    const { applySnapshot, applyBatch } = store.getState();
    applySnapshot(result.snapshot);
    applyBatch(pending);
  }

  let sawOpen = false;
  const unsubscribeStatus = transport.onStatus((status) => {
    if (stopped) return;
    store.getState().setConnection(status);
    if (status === 'open') {
      // The first open already has the startup snapshot request queued.
      if (sawOpen || (!snapshotInFlight && buffer !== null)) {
        buffer ??= [];
        void requestSnapshot();
      }
      sawOpen = true;
    } else if (status === 'reconnecting') {
      buffer ??= [];
    }
  });
  const unsubscribeErrors = transport.onError((message) => {
    if (!stopped) store.getState().reportError(message);
  });

  void requestSnapshot();

  return () => {
    stopped = true;
    unsubscribeEvents();
    unsubscribeStatus();
    unsubscribeErrors();
  };
}
