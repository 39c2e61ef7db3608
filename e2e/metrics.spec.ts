import { expect, test, type Page } from '@playwright/test';
import { openMachine, signInAsAdmin } from './helpers';

async function openPerformance(page: Page, name: string) {
  await openMachine(page, name);
  return page.getByRole('region', { name: 'Performance' });
}

test("a running machine's page charts its CPU load and memory", async ({ page }) => {
  await signInAsAdmin(page);
  // web-a1 runs on vbox-alpha in the demo stack.
  const performance = await openPerformance(page, 'web-a1');
  await expect(performance.getByRole('img', { name: /^CPU load over the last 5 minutes, now \d+%$/ })).toBeVisible();
  await expect(performance.getByRole('img', { name: /^Memory in use over the last 5 minutes, now [\d.]+ [MG]iB of [\d.]+ [MG]iB$/ })).toBeVisible();
});

test("a stopped machine's page says load is measured while it runs", async ({ page }) => {
  await signInAsAdmin(page);
  const performance = await openPerformance(page, 'build-a4');
  await expect(performance.getByText('Load is measured while the machine runs.')).toBeVisible();
  await expect(performance.getByRole('img')).toHaveCount(0);
});

test("each host card shows the host's CPU load over the last hour as a sparkline", async ({ page }) => {
  await signInAsAdmin(page);
  for (const host of ['vbox-alpha', 'vbox-bravo']) {
    const card = page.getByRole('article', { name: host });
    // The history sampler's first 5-s rows: a few seconds after the stack starts.
    await expect(card.getByRole('img', { name: /^CPU load over the last hour: latest \d+%, peak \d+%$/ })).toBeVisible({ timeout: 30_000 });
    // Under the existing memory bar, which stays as it was.
    await expect(card.getByRole('meter', { name: 'Memory' })).toBeVisible();
  }
});
