import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSeedLab } from '../core';
import { startWebHost } from './server';

export { startWebHost, MAX_FRAME_BYTES, WS_PATH } from './server';
export type { WebHost, WebHostLab, WebHostOptions } from './server';
export { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from './static-files';

/** Options for {@link startWebApp}, as the CLI's `web` subcommand collects them. */
export interface WebAppOptions {
  /** Web host port; 0 picks an ephemeral one. */
  port?: number;
  /** Web host address; loopback unless the user names another. */
  host?: string;
  /** Seed balancer port (default 5000; 0 = ephemeral). */
  balancerPort?: number;
  /** Seed backend ports (default 5001, 5002; 0 = ephemeral). */
  backendPorts?: [number, number];
  /** Open the URL in the system browser. */
  open?: boolean;
  /** Built renderer; defaults to out/renderer next to the built CLI. */
  rendererDir?: string;
  /** Where the host notes slow clients and similar; defaults to stderr. */
  log?: (line: string) => void;
}

/** A running browser-mode app: the seed Lab plus its web host. */
export interface WebApp {
  url: string;
  close(): Promise<void>;
}

/**
 * out/renderer, seen from this module once built. The bundler may place this code in out/main/cli.js or in
 * a shared chunk under out/main/chunks/, so look one and two levels up.
 */
function defaultRendererDir(): string {
  const beside = fileURLToPath(new URL('../renderer', import.meta.url));
  const above = fileURLToPath(new URL('../../renderer', import.meta.url));
  return !existsSync(join(beside, 'index.html')) && existsSync(join(above, 'index.html')) ? above : beside;
}

function openInBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    // No opener (a headless box) is fine: the URL is printed anyway.
    child.on('error', () => {});
    child.unref();
  } catch {
    // Same as above: opening a browser is a convenience.
  }
}

/**
 * Start the seed Lab (balancer, two backends, one client) and serve the renderer for a browser.
 * Throws a one-line Error when the renderer is not built or a port is taken.
 */
export async function startWebApp(options: WebAppOptions = {}): Promise<WebApp> {
  const rendererDir = options.rendererDir ?? defaultRendererDir();
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new Error('renderer not built; run npm run build');
  }
  const seedOptions: { host?: string; balancerPort?: number; backendPorts?: [number, number] } = {};
  if (options.balancerPort !== undefined) seedOptions.balancerPort = options.balancerPort;
  if (options.backendPorts !== undefined) seedOptions.backendPorts = options.backendPorts;
  const lab = await createSeedLab(seedOptions);
  let host;
  try {
    host = await startWebHost({
      lab,
      rendererDir,
      port: options.port ?? 0,
      host: options.host ?? '127.0.0.1',
      ...(options.log ? { log: options.log } : {}),
    });
  } catch (error) {
    await lab.close().catch(() => undefined);
    throw error;
  }
  if (options.open) openInBrowser(host.url);
  const webHost = host;
  return {
    url: webHost.url,
    close: async () => {
      await webHost.close();
      await lab.close();
    },
  };
}

/** The CLI's `web` subcommand entry point (same as {@link startWebApp}; the CLI prints the URL). */
export const runWeb = startWebApp;
