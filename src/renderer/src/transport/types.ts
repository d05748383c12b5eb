import type { LabApi } from '../../../shared/api';

/** Where the link to the Lab stands, as the header shows it. */
export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** A LabApi plus the link-level signals the UI needs (status, transport errors). */
export interface LabTransport extends LabApi {
  readonly kind: 'preload' | 'websocket';
  /** Current status; listeners get every later change. Returns the unsubscribe function. */
  onStatus(listener: (status: ConnectionStatus) => void): () => void;
  /** App-level errors reported by the host (not tied to a command). Returns the unsubscribe function. */
  onError(listener: (message: string) => void): () => void;
  /** Stop for good: no reconnects, pending invokes resolve as failed. */
  close(): void;
}
