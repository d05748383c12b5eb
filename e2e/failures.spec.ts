import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { backendItem, openFrozen, replies, sendAndWait, serverOf, timingMasks } from './helpers';

// Pinned ports below Linux's ephemeral range, so port labels on the canvas match the baselines.
test.use({ labPorts: { balancer: 17120, backends: [17121, 17122] } });

test.skip(({ labKind }) => labKind !== 'browser', 'screenshot baselines are recorded for the browser project');
test.setTimeout(150_000);


/** Open a backend's Details disclosure (idempotent). */
async function details(page: Page, id: string): Promise<Locator> {
  const item = backendItem(page, id);
  const toggle = item.getByRole('button', { name: 'Details' });
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  return item;
}

async function closeDetails(page: Page, id: string): Promise<void> {
  const toggle = backendItem(page, id).getByRole('button', { name: 'Details' });
  if ((await toggle.getAttribute('aria-expanded')) === 'true') await toggle.click();
}

/** Set a backend's health check and wait until the Lab accepted it (no inline error). */
async function setHealthCheck(
  page: Page,
  id: string,
  check: { interval: number; timeout: number; rise: number; fall: number },
): Promise<void> {
  const item = await details(page, id);
  const form = item.getByRole('form', { name: 'Health check' });
  await form.getByRole('checkbox', { name: 'Health checks' }).check();
  await form.getByLabel('Check interval (ms)').fill(String(check.interval));
  await form.getByLabel('Check timeout (ms)').fill(String(check.timeout));
  await form.getByLabel('Rise').fill(String(check.rise));
  await form.getByLabel('Fall').fill(String(check.fall));
  await form.getByRole('button', { name: 'Apply health check' }).click();
  await expect(form.getByRole('alert')).toHaveCount(0);
  await expect(form.getByLabel('Check interval (ms)')).toHaveValue(String(check.interval));
}

const healthBadge = (page: Page, id: string): Locator => backendItem(page, id).locator('.backend-condition .health-badge');

test.describe('failure handling, as it acts', () => {
  test('forms validate with the shared schemas and keep what was typed', async ({ page }) => {
    const item = await details(page, '1');
    const form = item.getByRole('form', { name: 'Health check' });
    await form.getByLabel('Check interval (ms)').fill('5');
    await form.getByLabel('Rise').fill('0');
    await form.getByRole('button', { name: 'Apply health check' }).click();
    await expect(form.getByRole('alert')).toHaveText(['interval must be at least 100 ms', 'rise must be between 1 and 100']);
    await expect(form.getByLabel('Check interval (ms)')).toHaveValue('5');

    const faults = item.getByRole('form', { name: 'Faults' });
    await faults.getByLabel('Reset probability').fill('2');
    await faults.getByRole('button', { name: 'Apply faults' }).click();
    await expect(faults.getByRole('alert')).toHaveText('probability must be between 0 and 1');

    const policy = page.getByRole('region', { name: 'Failure policy' });
    await policy.getByLabel('Retries').fill('99');
    await policy.getByRole('button', { name: 'Apply policy' }).click();
    await expect(policy.getByRole('alert')).toHaveText('must be at most 10');
    await expect(policy.getByLabel('Retries')).toHaveValue('99');
  });

  test('a killed backend goes unhealthy while traffic continues, and recovers after rise', async ({ page, labUrl }) => {
    await setHealthCheck(page, '1', { interval: 200, timeout: 200, rise: 2, fall: 2 });
    await expect(healthBadge(page, '1')).toHaveText('healthy');

    await page.getByRole('button', { name: 'Start traffic' }).click();
    await backendItem(page, '1').getByRole('button', { name: 'Kill' }).click();
    await expect(healthBadge(page, '1')).toHaveText('unhealthy');
    await expect(backendItem(page, '1').locator('.rise-fall')).toHaveText('rise 0/2');
    // Traffic carries on through Server 2.
    const servedBefore = Number((await backendItem(page, '2').locator('.served').textContent())?.split(' ')[0]);
    await expect
      .poll(async () => Number((await backendItem(page, '2').locator('.served').textContent())?.split(' ')[0]))
      .toBeGreaterThan(servedBefore + 2);
    await page.getByRole('button', { name: 'Stop traffic' }).click();

    const history = backendItem(page, '1').getByRole('list', { name: 'Health history' });
    await expect(history.getByRole('listitem').first()).toContainText('unhealthy');

    await openFrozen(page, labUrl);
    await expect(healthBadge(page, '1')).toHaveText('unhealthy');
    await expect(page).toHaveScreenshot('failures-down.png', { mask: timingMasks(page) });

    // Slow checks so the rise is slow enough to see (and photograph) mid-way.
    await setHealthCheck(page, '1', { interval: 4000, timeout: 500, rise: 3, fall: 2 });
    await closeDetails(page, '1');
    await backendItem(page, '1').getByRole('button', { name: 'Restart' }).click();
    await expect(backendItem(page, '1').locator('.rise-fall')).toHaveText(/rise [12]\/3/, { timeout: 15_000 });
    await expect(healthBadge(page, '1')).toHaveText('unhealthy');
    await expect(page).toHaveScreenshot('failures-recovering.png', {
      mask: [...timingMasks(page), backendItem(page, '1').locator('.rise-fall')],
    });
    await expect(healthBadge(page, '1')).toHaveText('healthy', { timeout: 20_000 });
  });

  test('a balancer-side refuse fault gets the backend ejected', async ({ page, labUrl }) => {
    const policy = page.getByRole('region', { name: 'Failure policy' });
    await policy.getByRole('checkbox', { name: 'Ejection' }).check();
    await policy.getByLabel('Eject after failures').fill('2');
    await policy.getByLabel('Ejection base (ms)').fill('30000');
    await policy.getByRole('button', { name: 'Apply policy' }).click();
    await expect(policy.getByRole('alert')).toHaveCount(0);

    const item = await details(page, '1');
    // Without active checks, only passive ejection reacts to the refusals.
    const healthForm = item.getByRole('form', { name: 'Health check' });
    await healthForm.getByRole('checkbox', { name: 'Health checks' }).uncheck();
    await healthForm.getByRole('button', { name: 'Apply health check' }).click();
    await expect(item.locator('.backend-condition .health-badge')).toHaveText('disabled');
    const faults = item.getByRole('form', { name: 'Faults' });
    await faults.getByLabel('Fault side').selectOption('balancer');
    await faults.getByRole('checkbox', { name: 'Refuse connections' }).check();
    await faults.getByRole('button', { name: 'Apply faults' }).click();
    await expect(faults.getByRole('alert')).toHaveCount(0);
    await expect(item.getByRole('list', { name: 'Active faults' })).toHaveText('balancer: refuse');
    await closeDetails(page, '1');

    // Clients never see the refusals: the balancer retries on Server 2.
    for (let i = 0; i < 4; i++) expect(serverOf(await sendAndWait(page))).toBe('2');
    await expect(item.locator('.ejection-note')).toHaveText(/^ejected for \d+ s \(#1\)$/);

    await openFrozen(page, labUrl);
    await expect(item.locator('.ejection-note')).toBeVisible();
    await expect(page).toHaveScreenshot('failures-ejected.png', { mask: timingMasks(page) });

    await details(page, '1');
    await item.getByRole('form', { name: 'Faults' }).getByLabel('Fault side').selectOption('balancer');
    await item.getByRole('button', { name: 'Clear faults' }).click();
    await expect(item.getByRole('list', { name: 'Active faults' })).toHaveCount(0);
  });

  test('a drained backend takes no new connections', async ({ page }) => {
    const item = backendItem(page, '1');
    await item.getByRole('button', { name: 'Drain' }).click();
    await expect(item.getByRole('button', { name: 'Drain' })).toHaveAttribute('aria-pressed', 'true');
    await expect(item.locator('.admin-badge')).toHaveText('draining');
    for (let i = 0; i < 4; i++) expect(serverOf(await sendAndWait(page))).toBe('2');

    await item.getByRole('button', { name: 'Maintenance' }).click();
    await expect(item.locator('.admin-badge')).toHaveText('maintenance');
    await item.getByRole('button', { name: 'Ready' }).click();
    await expect(item.locator('.admin-badge')).toHaveCount(0);
    await expect(item.getByRole('button', { name: 'Ready' })).toHaveCount(0);
    const servers = new Set<string | null>();
    for (let i = 0; i < 4; i++) servers.add(serverOf(await sendAndWait(page)));
    expect(servers).toEqual(new Set(['1', '2']));
  });

  test('a full backend queues connections', async ({ page, labUrl }) => {
    // Only Server 1 takes traffic, one connection at a time, each reply slow.
    await backendItem(page, '2').getByRole('button', { name: 'Maintenance' }).click();
    await expect(backendItem(page, '2').locator('.admin-badge')).toHaveText('maintenance');
    const item = await details(page, '1');
    const delay = item.getByRole('form', { name: 'Delay' });
    await delay.getByLabel('Delay (ms)').fill('8000');
    await delay.getByRole('button', { name: 'Apply delay' }).click();
    await expect(delay.getByRole('alert')).toHaveCount(0);
    const limits = item.getByRole('form', { name: 'Limits' });
    await limits.getByLabel('Max connections').fill('1');
    await limits.getByLabel('Queue size').fill('10');
    await limits.getByLabel('Queue timeout (ms)').fill('30000');
    await limits.getByRole('button', { name: 'Apply limits' }).click();
    await expect(limits.getByRole('alert')).toHaveCount(0);
    await closeDetails(page, '1');

    await openFrozen(page, labUrl);
    for (let i = 0; i < 4; i++) await page.getByRole('button', { name: 'Send message' }).click();
    await expect(item.locator('.queue-note')).toHaveText('queue 3/10');
    await expect(page).toHaveScreenshot('failures-queue.png', { mask: timingMasks(page) });
    await expect(replies(page)).toHaveCount(0);
  });
});
