import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Locator } from '@playwright/test';
import { expectTaskSucceeds, navigate, realVBox, signInAsAdmin, startAddingHost, taskCard } from './helpers';

// Nimbox against VirtualBox's own vboxwebsrv 7.1.12 (built without the kernel driver), which
// e2e/server.ts started beside the simulated hosts: an admin adds it as a third host, creates a
// machine there with a new disk, edits it, tries to start it (VirtualBox refuses: no driver, and
// the page says so in VirtualBox's words), deletes it with its disk and removes the host again.

const HOST = 'vbox-real';
const NAME = `e2e-real-${Date.now().toString(36)}`;
const DESCRIPTION = 'Made by real-vbox.spec.ts on VirtualBox 7.1.12';

/** The value of a label/value fact (a dt and its dd) within a section. */
const fact = (scope: Locator, label: string) => scope.locator('dl > div').filter({ has: scope.page().locator('dt', { hasText: new RegExp(`^${label}$`) }) }).locator('dd');

// Whatever happened, the other specs find the cluster as the stack left it: no fourth host.
test.afterEach(async ({ page }) => {
  const r = await page.request.get('/api/v1/hosts');
  if (!r.ok()) return;
  const { hosts } = (await r.json()) as { hosts: { id: string; name: string }[] };
  for (const h of hosts.filter((x) => x.name === HOST)) await page.request.delete(`/api/v1/hosts/${h.id}`);
});

test('an admin adds the real vboxwebsrv, creates, edits and deletes a machine there, and sees VirtualBox refuse to start it', async ({ page }) => {
  const real = realVBox();
  if ('skipped' in real) return test.skip(true, `no real vboxwebsrv in the e2e stack: ${real.skipped}`);
  test.setTimeout(180_000);
  await signInAsAdmin(page);

  // --- Add the host: Test connection answers at once with VirtualBox's own version.
  // vboxwebsrv runs with auth null: any user name and password log on.
  const { hosts, dialog } = await startAddingHost(page, { name: HOST, url: real.url, username: 'nimbox' });
  await dialog.getByLabel('Password').fill('any-password');
  await dialog.getByLabel('Storage path').fill(real.storagePath);
  await dialog.getByLabel('Bridge adapter').fill(real.bridgeAdapter);
  await dialog.getByRole('button', { name: 'Test connection' }).click();
  await expect(dialog.getByText('Connection works')).toBeVisible({ timeout: 5_000 });
  await expect(dialog).toContainText('VirtualBox 7.1.12');
  await dialog.getByRole('button', { name: 'Save host' }).click();
  await expect(dialog).toBeHidden();

  const row = hosts.getByRole('row').filter({ hasText: HOST });
  await expect(row.locator('[data-health]')).toHaveAttribute('data-health', 'up', { timeout: 20_000 });
  await expect(row).toContainText('7.1.12');
  await expect(row).toContainText('0 (0 running)');

  // --- Create a machine there with the wizard: the host chosen by hand, a new 2 GB disk on its storage path.
  await navigate(page, 'Cluster');
  await expect(page.getByRole('article', { name: HOST })).toHaveAttribute('data-health', 'up');
  await page.getByRole('link', { name: 'New machine' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'New machine' })).toBeVisible();
  const next = page.getByRole('button', { name: 'Next' });
  const hostSelect = page.getByLabel('Host', { exact: true });
  const option = hostSelect.locator('option', { hasText: HOST });
  await expect(option).toContainText('free');
  await hostSelect.selectOption((await option.getAttribute('value'))!);
  await next.click();

  await expect(page.getByRole('heading', { name: /System$/ })).toBeVisible();
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill(NAME);
  const os = page.getByLabel('OS type');
  await expect(os.locator('option[value="Debian12_64"]')).toHaveCount(1);
  await os.selectOption('Debian12_64');
  await page.getByLabel('Memory (MB)', { exact: true }).fill('1024');
  await next.click();

  await expect(page.getByLabel('Bridged interface')).toHaveValue(real.bridgeAdapter);
  await next.click();

  await page.getByLabel('Create a new disk').check();
  await page.getByLabel('Disk size (GB)').fill('2');
  await expect(page.getByText(`A dynamically growing VDI under ${real.storagePath}`)).toBeVisible();
  for (const step of ['Console', 'Review']) {
    await next.click();
    await expect(page.getByRole('heading', { name: new RegExp(`${step}$`) })).toBeVisible();
  }
  const summary = page.getByRole('definition');
  await expect(summary.filter({ hasText: HOST })).toBeVisible();
  await expect(summary.filter({ hasText: 'New, 2 GB' })).toBeVisible();
  await page.getByRole('button', { name: 'Create machine' }).click();
  const createCard = page.locator('article[data-task-id]').first();
  await expectTaskSucceeds(createCard);
  await expect(createCard).toContainText(`Created ${NAME} on ${HOST}`);

  // --- The cluster view lists it on the real host; its disk is a real file under the storage path.
  await navigate(page, 'Cluster');
  const machines = page.getByRole('table', { name: 'Machines' });
  const machineRow = machines.getByRole('row').filter({ has: page.getByRole('link', { name: NAME, exact: true }) });
  await expect(machineRow).toContainText(HOST);
  await expect(machineRow.locator('[data-state]')).toHaveAttribute('data-state', 'PoweredOff');
  await machines.getByRole('link', { name: NAME, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: NAME })).toBeVisible();
  await expect(page.getByText(`On host ${HOST}`)).toBeVisible();
  const diskCell = page.getByRole('table', { name: 'Disks' }).getByRole('cell', { name: /\.vdi$/ });
  const diskPath = (await diskCell.textContent())!.trim();
  expect(diskPath).toBe(path.join(real.storagePath, NAME, `${NAME}.vdi`));
  expect(fs.existsSync(diskPath)).toBe(true);

  // --- Edit memory and description: saved on the host, shown now and after a reload.
  const system = page.getByRole('region', { name: 'System' });
  await expect(fact(system, 'Memory')).toHaveText('1 GiB');
  const toolbar = page.getByRole('toolbar', { name: 'Machine actions' });
  await toolbar.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('dialog', { name: `Edit ${NAME}` });
  await edit.getByLabel('Memory (MB)').fill('2048');
  await edit.getByLabel('Description').fill(DESCRIPTION);
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit).toBeHidden();
  await expectTaskSucceeds(taskCard(page.getByRole('region', { name: 'Tasks on this machine' }), `Edit ${NAME}`));
  await expect(fact(system, 'Memory')).toHaveText('2 GiB');
  await expect(system.getByText(DESCRIPTION)).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: NAME })).toBeVisible();
  await expect(fact(system, 'Memory')).toHaveText('2 GiB');
  await expect(system.getByText(DESCRIPTION)).toBeVisible();

  // --- Start: VirtualBox refuses (no kernel driver); the task says so in VirtualBox's words, with the result code.
  const state = page.getByTestId('machine-state').locator('[data-state]');
  await expect(state).toHaveAttribute('data-state', 'PoweredOff');
  await toolbar.getByRole('button', { name: 'Start' }).click();
  const start = taskCard(page.getByRole('region', { name: 'Tasks on this machine' }), `Start ${NAME}`);
  await expect(start).toHaveAttribute('data-status', 'failed', { timeout: 30_000 });
  const why = start.getByRole('alert');
  await expect(why).toContainText('VERR_VM_DRIVER_NOT_INSTALLED');
  await expect(why).toContainText(/kernel driver/i);
  await expect(why).toContainText('Result code: E_FAIL');
  // Nothing runs: the machine is off again, and may be deleted.
  await expect(state).toHaveAttribute('data-state', /^(PoweredOff|Aborted)$/, { timeout: 15_000 });

  // --- Delete it with its disk: it leaves the cluster view and the VDI file leaves the disk.
  await expect(toolbar.getByRole('button', { name: 'Delete' })).toBeEnabled();
  await toolbar.getByRole('button', { name: 'Delete' }).click();
  const del = page.getByRole('dialog', { name: `Delete machine ${NAME}?` });
  await del.getByLabel('Also delete disk files').check();
  await expect(del.getByRole('list', { name: 'What will be lost' })).toContainText(diskPath);
  await del.getByLabel('Type the machine name to confirm').fill(NAME);
  await del.getByRole('button', { name: 'Delete machine' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Cluster' })).toBeVisible({ timeout: 30_000 });
  await expect(machines.getByRole('link', { name: NAME, exact: true })).toHaveCount(0);
  expect(fs.existsSync(diskPath)).toBe(false);

  // --- Remove the host: the cluster is as the stack left it.
  await navigate(page, 'Hosts');
  await expect(row).toContainText('0 (0 running)');
  await hosts.getByRole('button', { name: `Remove ${HOST}` }).click();
  await page.getByRole('dialog', { name: `Remove host ${HOST}?` }).getByRole('button', { name: 'Remove host' }).click();
  await expect(row).toHaveCount(0);
  await expect(hosts.getByRole('row')).toHaveCount(1 + 2);
});
