/**
 * One set of specs, two faces: the `browser` project drives the renderer served by `balancer-lab web`
 * (a fresh Lab on ephemeral ports per test) in Chromium; the `electron` project drives the real Electron
 * app, and skips with a stated reason where Electron's binary is not installed.
 *
 * Specs import `test` and `expect` from here and use `page` (already showing the app) and `labUrl`.
 * They should not use `context` or `browser`: the page does not come from Playwright's built-in ones, so
 * that the electron project never launches a browser it does not need.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base, expect, _electron, type Browser, type Page } from '@playwright/test';

export { expect };

/** Which face a project tests. */
export type LabKind = 'browser' | 'electron';

/** Project-level option (worker scoped): `use: { labKind: 'electron' }`. */
export interface LabOptions {
  labKind: LabKind;
}

interface LabWorkerFixtures extends LabOptions {
  /** The Chromium that browser-project pages live in; null for the electron project. */
  labBrowser: Browser | null;
}

interface LabSession {
  url: string;
  page: Page;
}

/** Fixed ports for a test (screenshots need stable port labels); ephemeral when unset. */
export interface LabPorts {
  balancer: number;
  backends: [number, number];
}

interface LabTestFixtures {
  /** Test option: fixed ports instead of ephemeral ones. */
  labPorts: LabPorts | null;
  /** The page showing Balancer Lab, loaded and ready. */
  page: Page;
  /** The URL the page was opened at (http://127.0.0.1:PORT/?token=… in the browser, file://… in Electron). */
  labUrl: string;
  labSession: LabSession;
}

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;
export const ELECTRON_SKIP_REASON = 'Electron binary not installed on this machine; electron project skipped';

/** Electron's executable when installed (read the way the electron package does, without its auto-download). */
export function electronBinary(): string | null {
  try {
    const packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const relative = readFileSync(join(packageDir, 'path.txt'), 'utf8').trim();
    const binary = join(process.env.ELECTRON_OVERRIDE_DIST_PATH || join(packageDir, 'dist'), relative);
    return relative && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

let skipNoted = false;
let browserSkipNoted = false;
export const BROWSER_SKIP_REASON =
  'Chromium not found at /usr/bin/chromium: browser tests skipped (apt-get install chromium fonts-dejavu-core)';

/** Start `balancer-lab web` on ephemeral ports and read the URL it prints (`open http://…`). */
function startWebCli(ports: LabPorts | null): Promise<{ url: string; child: ChildProcess }> {
  const balancerPort = String(ports?.balancer ?? 0);
  const backendPorts = ports ? ports.backends.join(',') : '0,0';
  const child = spawn(
    process.execPath,
    ['bin/balancer-lab.js', 'web', '--port', '0', '--balancer-port', balancerPort, '--backend-ports', backendPorts],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`balancer-lab web did not start: ${why}${stderr ? ` (stderr: ${stderr.trim().split('\n')[0]})` : ''}`));
    };
    const timer = setTimeout(() => fail(`no URL within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    child.on('error', (error) => fail(error.message));
    child.on('exit', (code) => fail(`exited with code ${code}`));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /open (http:\/\/\S+)/.exec(stdout);
      if (!match?.[1]) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.removeAllListeners('error');
      child.on('error', () => {});
      resolve({ url: match[1], child });
    });
  });
}

/**
 * The page is ready once the Lab's snapshot is drawn: form defaults (like the next backend port) are computed
 * from it, and typing into a field before it lands would race with React replacing the default.
 */
export async function whenSeedShown(page: Page): Promise<void> {
  await expect(page.getByRole('status', { name: 'Connection status' })).toHaveText('Connected');
  await expect(page.getByRole('listitem', { name: 'Backend 2' })).toBeVisible();
}

/** SIGTERM, then SIGKILL if the process outlives the grace period. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

export const test = base.extend<LabTestFixtures, LabWorkerFixtures>({
  labKind: ['browser', { option: true, scope: 'worker' }],
  labPorts: [null, { option: true }],

  labBrowser: [
    async ({ labKind, playwright, launchOptions }, use) => {
      if (labKind !== 'browser') {
        await use(null);
        return;
      }
      // Without a Chromium the browser project cannot run: outside CI say so and skip; in CI it is a failure.
      const executable = launchOptions.executablePath ?? playwright.chromium.executablePath();
      if (!existsSync(executable) && !process.env.CI) {
        if (!browserSkipNoted) process.stderr.write(`${BROWSER_SKIP_REASON}\n`);
        browserSkipNoted = true;
        await use(null);
        return;
      }
      const browser = await playwright.chromium.launch(launchOptions);
      await use(browser);
      await browser.close();
    },
    { scope: 'worker' },
  ],

  labSession: async (
    { labKind, labBrowser, labPorts, viewport, deviceScaleFactor, colorScheme, locale, timezoneId, contextOptions },
    use,
    testInfo,
  ) => {
    if (labKind === 'electron') {
      const binary = electronBinary();
      if (!binary) {
        if (!skipNoted) process.stderr.write(`${ELECTRON_SKIP_REASON}\n`);
        skipNoted = true;
        testInfo.skip(true, ELECTRON_SKIP_REASON);
        return;
      }
      const app = await _electron.launch({
        executablePath: binary,
        args: ['.'],
        cwd: repoRoot,
        env: {
          ...process.env,
          ...(labPorts
            ? { BALANCER_LAB_PORTS: [labPorts.balancer, ...labPorts.backends].join(',') }
            : { BALANCER_LAB_EPHEMERAL: '1' }),
        } as Record<string, string>,
        timeout: START_TIMEOUT_MS,
      });
      try {
        const page = await app.firstWindow();
        await page.waitForLoadState('domcontentloaded');
        await whenSeedShown(page);
        await use({ url: page.url(), page });
      } finally {
        await app.close();
      }
      return;
    }

    if (!labBrowser) {
      testInfo.skip(true, BROWSER_SKIP_REASON);
      return;
    }
    const { url, child } = await startWebCli(labPorts);
    const context = await labBrowser.newContext({
      ...contextOptions,
      viewport,
      deviceScaleFactor,
      colorScheme,
      ...(locale ? { locale } : {}),
      ...(timezoneId ? { timezoneId } : {}),
    });
    try {
      const page = await context.newPage();
      await page.goto(url);
      await whenSeedShown(page);
      await use({ url, page });
    } finally {
      await context.close();
      await stop(child);
    }
  },

  labUrl: async ({ labSession }, use) => {
    await use(labSession.url);
  },

  page: async ({ labSession }, use) => {
    await use(labSession.page);
  },
});
