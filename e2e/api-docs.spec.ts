import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { signInAsAdmin } from './helpers';

// The API reference (issue 20): the console page a script writer reads, and the document it downloads,
// served by the running server from the routes' own schemas.
test('the API reference opens an operation by keyboard and offers the OpenAPI document', async ({ page }) => {
  await signInAsAdmin(page);
  await page.goto('/api-docs');
  await expect(page.getByRole('heading', { level: 1, name: 'API reference' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: 'vms', exact: true })).toBeVisible();

  // POST /api/v1/vms, unfolded with the keyboard: its permission and its body's fields.
  const create = page.locator('details#postVms');
  await create.locator('summary').focus();
  await page.keyboard.press('Enter');
  await expect(create).toHaveAttribute('open', '');
  await expect(create.getByText('vm:create', { exact: true })).toBeVisible();
  const body = create.getByRole('table', { name: 'Request body of POST /api/v1/vms' });
  await expect(body.getByRole('row').filter({ hasText: 'memoryMB' })).toContainText('yes');
  await expect(create.getByText('Accepted: the work goes on as a task.')).toBeVisible();

  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);

  // The download link's document: OpenAPI 3.1, with this very operation in it.
  const href = await page.getByRole('link', { name: 'Download openapi.json' }).getAttribute('href');
  const res = await page.request.get(href!);
  expect(res.status()).toBe(200);
  const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, { 'x-nimbox-action': string }>> };
  expect(doc.openapi).toBe('3.1.0');
  expect(doc.paths['/api/v1/vms'].post['x-nimbox-action']).toBe('vm:create');
});
