import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';
import type { LabOptions } from './e2e/fixtures';

const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/**
 * Two projects over the same specs (see e2e/fixtures.ts): `browser` runs the renderer against
 * `balancer-lab web` in Chromium; `electron` runs the Electron app and skips where its binary is absent.
 */
export default defineConfig<object, LabOptions>({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  // Each test starts real servers; one worker keeps ports, CPU and screenshots calm on small machines.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  timeout: 60_000,
  expect: {
    timeout: 10_000,
    toHaveScreenshot: { maxDiffPixelRatio: 0.01, animations: 'disabled' },
  },
  use: {
    viewport: { width: 1280, height: 800 },
    deviceScaleFactor: 1,
    colorScheme: 'light',
  },
  projects: [
    {
      name: 'browser',
      use: {
        labKind: 'browser',
        launchOptions: {
          ...(existsSync(SYSTEM_CHROMIUM) ? { executablePath: SYSTEM_CHROMIUM } : {}),
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
          ],
        },
      },
    },
    {
      name: 'electron',
      use: { labKind: 'electron' },
    },
  ],
});
