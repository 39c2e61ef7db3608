import { expect, test } from '@playwright/test';
import { verifySignature } from '../lib/webhooks/signing';
import { startReceiver, type Receiver } from '../lib/webhooks/testing';
import { navigate, signInAsAdmin } from './helpers';

// A receiver on 127.0.0.1 that this spec starts: Nimbox (the e2e server) POSTs to it.
let receiver: Receiver;
test.beforeAll(async () => {
  receiver = await startReceiver();
});
test.afterAll(async () => {
  await receiver?.close();
});

test('an admin adds a webhook, sees its secret once, sends a test and sees it delivered with a valid signature', async ({ page }) => {
  await signInAsAdmin(page);
  await navigate(page, 'Webhooks');
  await expect(page.getByRole('heading', { level: 1, name: 'Webhooks' })).toBeVisible();

  await page.getByRole('button', { name: 'Add webhook' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Add webhook' });
  await dialog.getByLabel('Name').fill('e2e pager');
  await dialog.getByLabel('URL').fill(`${receiver.url}/nimbox`);
  await dialog.getByLabel('task.failed').check();
  await dialog.getByRole('button', { name: 'Add webhook' }).click();

  const shown = page.getByRole('dialog', { name: 'Signing secret of e2e pager' });
  await expect(shown.getByText('Copy the secret now: it is not shown again.')).toBeVisible();
  const secret = await shown.getByLabel('Secret').inputValue();
  expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
  await shown.getByRole('button', { name: 'Done' }).click();
  await expect(shown).toBeHidden();

  const row = page.getByRole('table', { name: 'Webhooks' }).getByRole('row').filter({ hasText: 'e2e pager' });
  await expect(row).toContainText('host.down');
  await expect(row).toContainText('task.failed');
  await expect(row).toContainText(secret.slice(0, 10));
  await expect(row.getByTestId('last-delivery')).toHaveText('None yet');

  await row.getByRole('button', { name: 'Send test to e2e pager' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Test delivered to e2e pager' })).toBeVisible();
  await expect(row.getByTestId('last-delivery')).toContainText('Delivered');
  const delivery = page.getByRole('table', { name: 'Deliveries' }).getByRole('row').nth(1);
  await expect(delivery).toContainText('ping');
  await expect(delivery).toContainText('Delivered');
  await expect(delivery).toContainText('HTTP 204');

  // What the receiver got verifies with the secret shown once.
  const pings = receiver.requests.filter((r) => r.headers['x-nimbox-event'] === 'ping');
  expect(pings).toHaveLength(1);
  const got = pings[0];
  expect(got.path).toBe('/nimbox');
  expect(got.headers['x-nimbox-event']).toBe('ping');
  expect(verifySignature(secret, got.headers['x-nimbox-signature'] as string, got.body)).toBe(true);
  expect(JSON.parse(got.body)).toMatchObject({ event: 'ping', id: got.headers['x-nimbox-delivery'], data: { webhook: { name: 'e2e pager' } } });

  // Never again on the page.
  await page.reload();
  await expect(page.getByRole('table', { name: 'Webhooks' })).toBeVisible();
  expect(await page.content()).not.toContain(secret);

  // Gone when deleted (later specs' events go nowhere).
  await row.getByRole('button', { name: 'Delete e2e pager' }).click();
  await page.getByRole('dialog', { name: 'Delete webhook e2e pager?' }).getByRole('button', { name: 'Delete webhook' }).click();
  await expect(page.getByText('No webhook yet')).toBeVisible();
});
