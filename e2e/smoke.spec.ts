import { expect, test } from './fixtures';

test('the app loads and shows its heading', async ({ page }) => {
  await expect(page.getByRole('heading', { name: 'Balancer Lab', level: 1 })).toBeVisible();
});
