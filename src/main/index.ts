/**
 * The Electron main process: one window onto a seed Lab, talking over IPC through the sandboxed preload.
 * The only module besides the preload that imports 'electron'; the Lab itself is plain Node.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, session, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { IPC } from '../shared/api';
import type { CommandResult } from '../shared/protocol';
import { createSeedLab, type Lab } from './core';
import { oneLine, runCommand } from './host/command-gate';
import { EventBatcher } from './host/event-batcher';

const here = dirname(fileURLToPath(import.meta.url));
const preloadPath = join(here, '../preload/index.cjs');
const rendererIndex = join(here, '../renderer/index.html');
/** electron-vite dev sets this to its dev server; production loads the built file. */
const devServerUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;

let lab: Lab | null = null;
let mainWindow: BrowserWindow | null = null;
const batchers = new Map<WebContents, EventBatcher>();

/** True only for our window's top frame showing our own page (not an iframe, not a navigated-away page). */
function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  if (!mainWindow || mainWindow.isDestroyed() || frame === null) return false;
  if (event.sender !== mainWindow.webContents || frame !== event.sender.mainFrame) return false;
  let url: URL;
  try {
    url = new URL(frame.url);
  } catch {
    return false;
  }
  if (devServerUrl) return url.origin === new URL(devServerUrl).origin;
  const expected = pathToFileURL(rendererIndex);
  return url.protocol === 'file:' && url.pathname === expected.pathname;
}

/** The seed Lab on its usual ports; if they are taken, say so once and fall back to ephemeral ports. */
async function startLab(): Promise<Lab> {
  // Tests run many copies side by side; they ask for ephemeral ports up front.
  if (process.env.BALANCER_LAB_EPHEMERAL === '1') return createSeedLab({ balancerPort: 0, backendPorts: [0, 0] });
  // Screenshot tests pin the ports (balancer,backend1,backend2) so port labels are stable.
  const pinned = process.env.BALANCER_LAB_PORTS?.split(',').map(Number);
  if (pinned?.length === 3 && pinned.every((p) => Number.isInteger(p) && p > 0 && p < 65536)) {
    return createSeedLab({ balancerPort: pinned[0], backendPorts: [pinned[1]!, pinned[2]!] });
  }
  try {
    return await createSeedLab();
  } catch (error) {
    const message = oneLine(error instanceof Error ? error.message : String(error));
    await dialog.showMessageBox({
      type: 'warning',
      title: 'Balancer Lab',
      message: 'The usual ports (5000–5002) are busy; the Lab will use free ports instead.',
      detail: message,
    });
    return createSeedLab({ balancerPort: 0, backendPorts: [0, 0] });
  }
}

/** Windows whose destruction already disposes their event stream. */
const watchedContents = new WeakSet<WebContents>();

function registerIpc(): void {
  ipcMain.handle(IPC.invoke, async (event, payload: unknown): Promise<CommandResult> => {
    if (!isTrustedSender(event)) return { ok: false, error: 'sender not allowed' };
    if (!lab) return { ok: false, error: 'the Lab is not running' };
    return runCommand(lab, payload);
  });

  ipcMain.handle(IPC.subscribe, (event): boolean => {
    if (!isTrustedSender(event) || !lab) return false;
    const contents = event.sender;
    // A reload subscribes again; one stream per window is enough.
    batchers.get(contents)?.dispose();
    const batcher = new EventBatcher(lab, (events) => {
      if (!contents.isDestroyed()) contents.send(IPC.events, events);
    });
    batchers.set(contents, batcher);
    // One 'destroyed' listener per window, however often it reloads and subscribes again.
    if (!watchedContents.has(contents)) {
      watchedContents.add(contents);
      contents.once('destroyed', () => {
        batchers.get(contents)?.dispose();
        batchers.delete(contents);
      });
    }
    return true;
  });
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 800,
    show: false,
    title: 'Balancer Lab',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  window.once('ready-to-show', () => window.show());
  // A page that reloads (dev HMR, Ctrl+R) starts a fresh stream when it subscribes again.
  window.webContents.on('did-start-navigation', (details) => {
    if (details.isMainFrame && !details.isSameDocument) {
      batchers.get(window.webContents)?.dispose();
      batchers.delete(window.webContents);
    }
  });
  if (devServerUrl) void window.loadURL(devServerUrl);
  else void window.loadFile(rendererIndex);
  return window;
}

/** Nothing in the app navigates or opens windows, so any attempt is refused. */
function lockDownContents(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}

async function main(): Promise<void> {
  app.enableSandbox();
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  lockDownContents();
  app.on('second-instance', () => {
    if (mainWindow && !mainWindow.isDestroyed()) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
  });
  let quitting = false;
  app.on('window-all-closed', () => {
    if (quitting) return;
    quitting = true;
    for (const batcher of batchers.values()) batcher.dispose();
    batchers.clear();
    const closing = lab ? lab.close() : Promise.resolve();
    lab = null;
    void closing.catch(() => undefined).finally(() => app.quit());
  });

  await app.whenReady();
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  lab = await startLab();
  registerIpc();
  mainWindow = createWindow();
  mainWindow.on('closed', () => {
    mainWindow = null;
  });
}

main().catch((error: unknown) => {
  dialog.showErrorBox('Balancer Lab could not start', oneLine(error instanceof Error ? error.message : String(error)));
  app.exit(1);
});
