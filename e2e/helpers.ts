import { createServer } from 'node:net';
import type { Locator, Page } from '@playwright/test';
import { expect, whenSeedShown } from './fixtures';

/** A port that is free right now on 127.0.0.1 (the OS picks it; we release it for the Lab to take). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export const replies = (page: Page): Locator => page.getByRole('list', { name: 'Replies' }).locator('.reply-text');
export const backendItem = (page: Page, id: string): Locator => page.getByRole('listitem', { name: `Backend ${id}` });

/** Click "Send message" and wait until its reply (or failure) is in the log; returns the newest row's text. */
export async function sendAndWait(page: Page): Promise<string> {
  const before = await replies(page).count();
  await page.getByRole('button', { name: 'Send message' }).click();
  await expect(replies(page)).toHaveCount(Math.min(before + 1, 200));
  return (await replies(page).first().textContent()) ?? '';
}

/** The server id in a reply line "[Server 2] You said: 'hello'". */
export function serverOf(reply: string): string | null {
  return /^\[Server (\S+)\] You said: /.exec(reply)?.[1] ?? null;
}

/** What depends on wall-clock timing (latencies, rates, relative times): masked in screenshots. */
export const timingMasks = (page: Page): Locator[] => [
  page.locator('.latency'),
  page.locator('.decision-rate'),
  page.locator('.stream-time'),
  page.locator('.countdown'),
  page.locator('.last-check'),
  page.locator('.history-time'),
  page.getByRole('list', { name: 'Decision stream' }),
];

/** Reload with the animation clock frozen (and a fixed theme), so particles sit where the clock left them. */
export async function openFrozen(page: Page, labUrl: string, theme: 'light' | 'dark' = 'light'): Promise<void> {
  await page.goto(`${labUrl}&freeze=1&theme=${theme}`);
  await whenSeedShown(page);
  await expect(page.getByRole('button', { name: 'Resume animation' })).toBeVisible();
}

/** Advance the frozen animation clock by whole steps. */
export async function stepAnimation(page: Page, times: number): Promise<void> {
  for (let i = 0; i < times; i++) await page.getByRole('button', { name: 'Step animation' }).click();
}
