import { PRELOAD_API_KEY } from '../../../shared/api';
import { createPreloadTransport, isLabApi } from './preload';
import type { LabTransport } from './types';
import { createWebSocketTransport, webSocketUrlFor, type WebSocketLike } from './websocket';

/** What pickTransport reads from the page; defaults to the real window. */
export interface TransportEnvironment {
  globals: Record<string, unknown>;
  location: { protocol: string; host: string; search: string };
  createSocket: (url: string) => WebSocketLike;
}

/** The Electron preload API when present, otherwise a WebSocket back to the page's own host. */
export function pickTransport(env?: TransportEnvironment): LabTransport {
  const resolved: TransportEnvironment = env ?? {
    globals: globalThis as unknown as Record<string, unknown>,
    location: globalThis.location,
    createSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
  };
  const preload = resolved.globals[PRELOAD_API_KEY];
  if (isLabApi(preload)) return createPreloadTransport(preload);
  return createWebSocketTransport({ url: webSocketUrlFor(resolved.location), createSocket: resolved.createSocket });
}
