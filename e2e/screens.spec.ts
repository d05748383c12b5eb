import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { backendItem, sendAndWait } from './helpers';

// Pinned ports so the port labels drawn on the canvas are the same on every run.
test.use({ labPorts: { balancer: 47100, backends: [47101, 47102] } });

test.skip(({ labKind }) => labKind !== 'browser', 'screenshot baselines are recorded for the browser project');

/** Reload with the animation clock frozen, so particles sit still where the clock left them. */
async function freeze(page: Page, labUrl: string, theme: 'light' | 'dark' = 'light'): Promise<void> {
  await page.goto(`${labUrl}&freeze=1&theme=${theme}`);
  await expect(page.getByRole('status', { name: 'Connection status' })).toHaveText('Connected');
  await expect(page.getByRole('button', { name: 'Resume animation' })).toBeVisible();
}

async function step(page: Page, times: number): Promise<void> {
  for (let i = 0; i < times; i++) await page.getByRole('button', { name: 'Step animation' }).click();
}

const masks = (page: Page) => [page.locator('.latency')];

test('seed scenario at rest', async ({ page, labUrl }) => {
  await freeze(page, labUrl);
  await expect(page).toHaveScreenshot('seed-idle.png', { mask: masks(page) });
});

test('replies alternating, a message mid-flight', async ({ page, labUrl }) => {
  await freeze(page, labUrl);
  for (let i = 0; i < 4; i++) await sendAndWait(page);
  await step(page, 4);
  await expect(page).toHaveScreenshot('replies-alternate.png', { mask: masks(page) });
});

test('a killed backend marked down', async ({ page, labUrl }) => {
  await freeze(page, labUrl, 'dark');
  await sendAndWait(page);
  await backendItem(page, '1').getByRole('button', { name: 'Kill' }).click();
  await expect(backendItem(page, '1').locator('.badge')).toHaveText('killed');
  await sendAndWait(page);
  await sendAndWait(page);
  await step(page, 3);
  await expect(page).toHaveScreenshot('backend-killed-dark.png', { mask: masks(page) });
});
