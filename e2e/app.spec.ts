import { expect, test } from './fixtures';
import { backendItem, freePort, replies, sendAndWait, serverOf } from './helpers';

test.describe('the seed scenario, driven as a person would', () => {
  test('messages alternate between Server 1 and Server 2 with the exact reply text', async ({ page }) => {
    await expect(page.getByRole('status', { name: 'Connection status' })).toHaveText('Connected');
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) seen.push(await sendAndWait(page));
    // Newest first in the log; each reply is exactly what the backend sent.
    for (const reply of seen) expect(reply).toMatch(/^\[Server [12]\] You said: 'hello'$/);
    const servers = seen.map(serverOf);
    expect(new Set(servers)).toEqual(new Set(['1', '2']));
    for (let i = 1; i < servers.length; i++) expect(servers[i]).not.toBe(servers[i - 1]);
    await expect(backendItem(page, '1')).toContainText('2 served');
    await expect(backendItem(page, '2')).toContainText('2 served');
  });

  test('a new backend joins the rotation and takes traffic', async ({ page }) => {
    const port = await freePort();
    await page.getByLabel('Backend port').fill(String(port));
    await page.getByLabel('Backend id').fill('3');
    await page.getByRole('button', { name: 'Add backend' }).click();
    await expect(backendItem(page, '3')).toContainText('up');
    await expect(backendItem(page, '3')).toContainText(`:${port}`);
    const servers = new Set<string | null>();
    for (let i = 0; i < 3; i++) servers.add(serverOf(await sendAndWait(page)));
    expect(servers).toEqual(new Set(['1', '2', '3']));
  });

  test('a killed backend is marked down, traffic continues on the others, and it comes back on restart', async ({
    page,
  }) => {
    await page.getByLabel('Rate (messages/s)').fill('20');
    await page.getByRole('button', { name: 'Start traffic' }).click();
    await expect(page.getByRole('button', { name: 'Stop traffic' })).toBeVisible();
    await expect(backendItem(page, '1')).not.toContainText(/ 0 served/);

    await backendItem(page, '1').getByRole('button', { name: 'Kill' }).click();
    await expect(backendItem(page, '1').locator('.badge')).toHaveText('killed');
    // After the kill, replies keep coming, all from Server 2.
    await expect(replies(page).first()).toHaveText(/^\[Server 2\]/);
    const servedBy2 = Number((await backendItem(page, '2').locator('.served').textContent())?.split(' ')[0]);
    await expect
      .poll(async () => Number((await backendItem(page, '2').locator('.served').textContent())?.split(' ')[0]))
      .toBeGreaterThan(servedBy2 + 5);
    const recent = await replies(page).allTextContents();
    expect(recent.slice(0, 5).every((r) => r.startsWith('[Server 2]'))).toBe(true);

    await backendItem(page, '1').getByRole('button', { name: 'Restart' }).click();
    await expect(backendItem(page, '1').locator('.badge')).toHaveText('up');
    await expect(page.getByRole('list', { name: 'Replies' }).locator('.reply-text', { hasText: /^\[Server 1\]/ }).first()).toBeVisible();
    await page.getByRole('button', { name: 'Stop traffic' }).click();
    await expect(page.getByRole('button', { name: 'Start traffic' })).toBeVisible();
  });

  test('bad input shows an inline error and loses nothing', async ({ page }) => {
    const port = page.getByLabel('Backend port');
    await port.fill('70000');
    await page.getByRole('button', { name: 'Add backend' }).click();
    await expect(page.getByRole('alert').filter({ hasText: /65535/ })).toBeVisible();
    await expect(port).toHaveValue('70000');

    await port.fill(String(await freePort()));
    await page.getByLabel('Backend id').fill('1');
    await page.getByRole('button', { name: 'Add backend' }).click();
    await expect(page.getByRole('alert').filter({ hasText: /already exists/ })).toBeVisible();
    await expect(page.getByRole('list', { name: 'Backends' }).getByRole('listitem')).toHaveCount(2);

    // The app still works after the errors.
    expect(serverOf(await sendAndWait(page))).not.toBeNull();
  });
});
