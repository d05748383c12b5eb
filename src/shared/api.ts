import type { Command, CommandResult, LabEvent } from './protocol';

/**
 * The one API every renderer transport implements (Electron preload, WebSocket):
 * commands are request/response, events arrive in per-frame batches.
 */
export interface LabApi {
  invoke(command: Command): Promise<CommandResult>;
  /** Subscribe to event batches; returns the unsubscribe function. */
  subscribe(onBatch: (events: LabEvent[]) => void): () => void;
}

/** Name of the global the Electron preload exposes through contextBridge. */
export const PRELOAD_API_KEY = 'balancerLab';

/** IPC channel names shared by main and preload. */
export const IPC = {
  invoke: 'lab:invoke',
  events: 'lab:events',
  subscribe: 'lab:subscribe',
} as const;

/** WebSocket frames (JSON). Client → host: a command with a request id. Host → client: a result or a batch. */
export type WsClientFrame = { kind: 'invoke'; id: number; command: unknown };
export type WsHostFrame =
  | { kind: 'result'; id: number; result: CommandResult }
  | { kind: 'events'; events: LabEvent[] }
  | { kind: 'error'; error: string };
