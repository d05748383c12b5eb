/**
 * The sandboxed preload: exposes exactly the LabApi (two functions) to the page, never ipcRenderer itself,
 * so a compromised page can only send commands the main process validates anyway.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC, PRELOAD_API_KEY, type LabApi } from '../shared/api';
import type { Command, CommandResult, LabEvent } from '../shared/protocol';

type BatchListener = (events: LabEvent[]) => void;

const listeners = new Set<BatchListener>();
let subscribed = false;

function onBatch(_event: IpcRendererEvent, events: LabEvent[]): void {
  for (const listener of listeners) listener(events);
}

const api: LabApi = {
  invoke(command: Command): Promise<CommandResult> {
    return ipcRenderer.invoke(IPC.invoke, command) as Promise<CommandResult>;
  },
  subscribe(listener: BatchListener): () => void {
    listeners.add(listener);
    if (!subscribed) {
      subscribed = true;
      ipcRenderer.on(IPC.events, onBatch);
      // The main process starts streaming to this page only once asked; one stream serves every listener.
      void ipcRenderer.invoke(IPC.subscribe).catch(() => {
        subscribed = false;
        ipcRenderer.removeListener(IPC.events, onBatch);
      });
    }
    return () => {
      listeners.delete(listener);
    };
  },
};

contextBridge.exposeInMainWorld(PRELOAD_API_KEY, api);
