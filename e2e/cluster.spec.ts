import { expect, test } from '@playwright/test';
import { VBoxClient } from '../lib/vbox/client';
import { signInAsAdmin, simHosts } from './helpers';

test('a wrong password is refused with a generic message', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: /sign in/i }).click();
  await expect(page.getByText('Sign-in failed')).toBeVisible();
});

test('signs in and sees the machines of both hosts, updating live', async ({ page }) => {
  await signInAsAdmin(page);
  await expect(page.getByRole('article', { name: 'vbox-alpha' })).toHaveAttribute('data-health', 'up');
  await expect(page.getByRole('article', { name: 'vbox-bravo' })).toHaveAttribute('data-health', 'up');
  const table = page.getByRole('table', { name: 'Machines' });
  await expect(table.getByRole('link', { name: 'web-a1' })).toBeVisible();
  await expect(table.getByRole('link', { name: 'web-b1' })).toBeVisible();
  await expect(table.getByRole('row')).toHaveCount(1 + 8);

  const row = table.getByRole('row').filter({ has: page.getByRole('link', { name: 'db-a2', exact: true }) });
  await expect(row.locator('[data-state]')).toHaveAttribute('data-state', 'PoweredOff');

  // Start the machine on its host directly, as another VirtualBox client would.
  const alpha = simHosts().find((h) => h.name === 'vbox-alpha')!;
  const client = new VBoxClient({ url: alpha.url, username: 'vbox', password: 'vbox' });
  await client.write(async (vbox, wsm) => {
    const machine = await vbox.findMachine('db-a2');
    const session = await wsm.getSessionObject(vbox);
    const progress = await machine.launchVMProcess(session, 'headless', []);
    await progress.wait();
    await session.unlockMachine();
  });
  await client.close();

  // The badge turns Running without a reload.
  await expect(row.locator('[data-state]')).toHaveAttribute('data-state', 'Running');
  await expect(row.getByText('Running')).toBeVisible();
});

test('opens a machine page with its settings', async ({ page }) => {
  await signInAsAdmin(page);
  await page.getByRole('table', { name: 'Machines' }).getByRole('link', { name: 'web-b1' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'web-b1' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Network adapters' })).toContainText('vbox0');
  await expect(page.getByRole('table', { name: 'Disks' })).toContainText('.vdi');
});
