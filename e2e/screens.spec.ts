import { expect, test } from './fixtures';
import { backendItem, openFrozen, sendAndWait, stepAnimation, timingMasks } from './helpers';

// Pinned ports so the port labels drawn on the canvas are the same on every run.
test.use({ labPorts: { balancer: 17100, backends: [17101, 17102] } });

test.skip(({ labKind }) => labKind !== 'browser', 'screenshot baselines are recorded for the browser project');

test('seed scenario at rest', async ({ page, labUrl }) => {
  await openFrozen(page, labUrl);
  await expect(page).toHaveScreenshot('seed-idle.png', { mask: timingMasks(page) });
});

test('replies alternating, a message mid-flight', async ({ page, labUrl }) => {
  await openFrozen(page, labUrl);
  for (let i = 0; i < 4; i++) await sendAndWait(page);
  await stepAnimation(page, 4);
  await expect(page).toHaveScreenshot('replies-alternate.png', { mask: timingMasks(page) });
});

test('a killed backend marked down', async ({ page, labUrl }) => {
  await openFrozen(page, labUrl, 'dark');
  await sendAndWait(page);
  await backendItem(page, '1').getByRole('button', { name: 'Kill' }).click();
  await expect(backendItem(page, '1').locator('.badge')).toHaveText('killed');
  await sendAndWait(page);
  await sendAndWait(page);
  await stepAnimation(page, 3);
  await expect(page).toHaveScreenshot('backend-killed-dark.png', { mask: timingMasks(page) });
});
