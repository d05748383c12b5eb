import { readFileSync } from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { backendItem } from './helpers';

// Ephemeral ports: nothing this spec compares on screen shows a port.

const metricsRegion = (page: Page): Locator => page.getByRole('region', { name: 'Metrics' });
const metricCell = (page: Page, backend: string, metric: string): Locator =>
  metricsRegion(page).locator(`tr[data-backend="${backend}"] td[data-metric="${metric}"]`);
const served = async (page: Page, id: string): Promise<number> =>
  Number((await backendItem(page, id).locator('.served').textContent())?.split(' ')[0]);

/** Run real traffic for a moment, then stop it and wait until the Lab says it stopped. */
async function burstOfTraffic(page: Page, rate: string, minMessages: number): Promise<void> {
  await page.getByLabel('Rate (messages/s)').fill(rate);
  await page.getByRole('button', { name: 'Start traffic' }).click();
  await expect(page.getByRole('button', { name: 'Stop traffic' })).toBeVisible();
  await page.getByRole('tab', { name: 'Metrics' }).click();
  await expect.poll(async () => Number(await metricCell(page, 'total', 'msg_total').textContent())).toBeGreaterThan(minMessages);
  await page.getByRole('button', { name: 'Stop traffic' }).click();
  await expect(page.getByRole('button', { name: 'Start traffic' })).toBeVisible();
  // Settled: the newest sample counts every reply the backends report.
  await expect
    .poll(async () => Number(await metricCell(page, 'total', 'msg_total').textContent()) - (await served(page, '1')) - (await served(page, '2')))
    .toBe(0);
}

test('the metrics table counts what the backends themselves served', async ({ page }) => {
  await expect(page.getByRole('status', { name: 'Connection status' })).toHaveText('Connected');
  // Replies stay the default tab: the log is visible on load.
  await expect(page.getByRole('tab', { name: 'Replies' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('tabpanel', { name: 'Replies' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Replies' })).toBeAttached();

  await burstOfTraffic(page, '40', 20);

  // After the stop the last sample settles; then each backend's row equals its own "N served".
  for (const id of ['1', '2']) {
    await expect
      .poll(async () => [Number(await metricCell(page, id, 'msg_total').textContent()), await served(page, id)])
      .toEqual([await served(page, id), await served(page, id)]);
    expect(await served(page, id)).toBeGreaterThan(0);
  }
  const bothServed = (await served(page, '1')) + (await served(page, '2'));
  await expect(metricCell(page, 'total', 'msg_total')).toHaveText(String(bothServed));
  const total = bothServed;
  // Per-message connections: one session per message, none left open, no errors.
  await expect(metricCell(page, 'total', 'scur')).toHaveText('0');
  expect(Number(await metricCell(page, 'total', 'stot').textContent())).toBeGreaterThanOrEqual(total);
  for (const metric of ['econ', 'eresp', 'etimeout', 'wretr', 'qcur']) await expect(metricCell(page, 'total', metric)).toHaveText('0');

  // Column headers explain themselves in HAProxy's words (tooltip and accessible description).
  const scur = metricsRegion(page).getByRole('columnheader', { name: 'Cur' });
  await expect(scur).toHaveAttribute('title', /^scur — current sessions/);
  await expect(scur).toHaveAccessibleDescription(/scur — current sessions/);
  await expect(metricsRegion(page).getByRole('columnheader', { name: 'Retries' })).toHaveAccessibleDescription(
    /wretr — retries \(warning\)/,
  );
});

test('Export CSV saves every kept sample; Export PNG saves the picture', async ({ page }) => {
  await burstOfTraffic(page, '30', 10);
  const [csvDownload] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export CSV' }).click(),
  ]);
  expect(csvDownload.suggestedFilename()).toMatch(/^balancer-lab-metrics-.*\.csv$/);
  const csv = readFileSync(await csvDownload.path(), 'utf8').trimEnd().split('\r\n');
  expect(csv[0]).toMatch(/^t_ms,window_ms,backend,scur,smax,stot,bin,bout,msg_rate,msg_total,econ,/);
  const lines = csv.slice(1);
  expect(lines.length).toBeGreaterThanOrEqual(3);
  expect(new Set(lines.map((l) => l.split(',')[2]))).toEqual(new Set(['total', '1', '2']));
  // The newest total line carries the same message total as the table.
  const lastTotal = lines.filter((l) => l.split(',')[2] === 'total').pop()?.split(',');
  expect(lastTotal?.[9]).toBe(await metricCell(page, 'total', 'msg_total').textContent());

  const [pngDownload] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export PNG' }).click(),
  ]);
  expect(pngDownload.suggestedFilename()).toMatch(/\.png$/);
  const png = readFileSync(await pngDownload.path());
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
});

test('the generator settings are checked before anything is sent', async ({ page }) => {
  await page.getByLabel('Burst size').fill('10');
  await page.getByRole('button', { name: 'Start traffic' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'set how often the burst comes' })).toBeVisible();
  await expect(page.getByLabel('Burst every (ms)')).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('Burst every (ms)').fill('10');
  await page.getByRole('button', { name: 'Start traffic' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'burst interval must be between 50 and 600000 ms' })).toBeVisible();
  await page.getByLabel('Traffic model').selectOption('closed');
  await page.getByLabel('Concurrency').fill('0');
  await page.getByRole('button', { name: 'Start traffic' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'concurrency must be between 1 and 2000' })).toBeVisible();
  // Nothing was started.
  await expect(page.getByRole('button', { name: 'Start traffic' })).toBeVisible();
});

test.describe('charts', () => {
  test.skip(({ labKind }) => labKind !== 'browser', 'screenshot baselines are recorded for the browser project');

  test('charts draw the real samples', async ({ page, labUrl }, testInfo) => {
    // Frozen animation: the canvas above stands still; the charts show the samples of the traffic below.
    await page.goto(`${labUrl}&freeze=1&theme=light`);
    await expect(page.getByRole('status', { name: 'Connection status' })).toHaveText('Connected');
    await burstOfTraffic(page, '40', 40);
    await page.getByRole('tab', { name: 'Charts' }).click();
    const charts = page.getByRole('region', { name: 'Charts' });
    const figures = charts.getByRole('figure');
    await expect(figures).toHaveCount(3);
    await expect(figures.nth(0)).toContainText('Throughput');
    await expect(figures.nth(1)).toContainText('Latency');
    await expect(figures.nth(2)).toContainText('Open connections');
    const legend = (i: number): Promise<string[]> =>
      figures.nth(i).locator('.u-legend .u-series .u-label').allTextContents();
    expect(await legend(0)).toEqual(['Total', 'Server 1', 'Server 2']);
    expect(await legend(1)).toEqual(['p50', 'p95', 'p99', 'p99 Server 1', 'p99 Server 2']);
    expect(await legend(2)).toEqual(['Server 1', 'Server 2']);
    // Lines were drawn: each plot canvas has ink inside its plotting area (beyond axes and grid).
    for (let i = 0; i < 3; i++) {
      const inked = await figures
        .nth(i)
        .locator('canvas')
        .evaluate((canvas: HTMLCanvasElement) => {
          const ctx = canvas.getContext('2d');
          if (!ctx) return 0;
          const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
          let count = 0;
          for (let p = 3; p < data.length; p += 4) if ((data[p] ?? 0) > 0) count++;
          return count;
        });
      expect(inked).toBeGreaterThan(500);
    }
    // For people: the charts as drawn (the numbers on them vary run to run, so this one is not compared).
    await testInfo.attach('charts-live.png', { body: await charts.screenshot(), contentType: 'image/png' });
    // Compared: everything but the plot canvases (real data differ run to run in shape and axis labels).
    await expect(charts).toHaveScreenshot('charts-with-data.png', { mask: [charts.locator('.chart-holder canvas')] });
  });
});
