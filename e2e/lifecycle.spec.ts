import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { expectTaskSucceeds, signInAsAdmin, taskCard } from './helpers';

// e2e/server.ts sets this admin password (importing it would start a second stack).
const NAME = `e2e-life-${Date.now().toString(36)}`;

test('creates a machine in the wizard, starts it, snapshots it, powers it off and deletes it', async ({ page }) => {
  test.setTimeout(180_000);
  await signInAsAdmin(page);

  // --- Create: the wizard, on vbox-alpha with a new 8 GB disk.
  await page.getByRole('link', { name: 'New machine' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'New machine' })).toBeVisible();
  const next = page.getByRole('button', { name: 'Next' });

  // Placement
  const host = page.getByLabel('Host', { exact: true });
  await expect(host.locator('option', { hasText: 'vbox-alpha' })).toHaveCount(1);
  await expect(host.locator('option', { hasText: 'vbox-alpha' })).toContainText('free');
  const alphaId = await host.locator('option', { hasText: 'vbox-alpha' }).getAttribute('value');
  await host.selectOption(alphaId!);
  await next.click();

  // System: the hardware defaults, then name, OS type, vCPUs and memory.
  await expect(page.getByRole('heading', { name: /System$/ })).toBeVisible();
  await expect(page.getByLabel('Hardware virtualization (VT-x/AMD-V)')).toBeChecked();
  await expect(page.getByLabel('Nested paging')).toBeChecked();
  await expect(page.getByLabel('I/O APIC')).toBeChecked();
  await expect(page.getByLabel('ACPI')).toBeChecked();
  await expect(page.getByLabel('HPET')).not.toBeChecked();
  await expect(page.getByLabel('Hardware clock in UTC')).toBeChecked();
  // Next without a name stays on the step and says why.
  await next.click();
  await expect(page.getByText('Give the machine a name')).toBeVisible();
  // A taken name first: the server's field error brings the wizard back to this step.
  const nameBox = page.getByRole('textbox', { name: 'Name', exact: true });
  await nameBox.fill('web-a1');
  const os = page.getByLabel('OS type');
  await expect(os.locator('option')).not.toHaveCount(0);
  await os.selectOption('Debian12_64');
  await page.getByLabel('vCPUs').fill('2');
  await page.getByLabel('Memory (MB)', { exact: true }).fill('1024');
  await next.click();

  // Network: the host's bridge adapter and the 82545EM by default; virtio offered.
  await expect(page.getByLabel('Bridged interface')).toHaveValue('vbox0');
  const adapter = page.getByLabel('Adapter type');
  await expect(adapter).toHaveValue('I82545EM');
  await expect(adapter.locator('option[value="Virtio"]')).toHaveCount(1);
  await next.click();

  // Storage: a new 8 GB disk, and an installer from the ISO library picked in the storage browser (no typed path).
  await page.getByLabel('Create a new disk').check();
  await page.getByLabel('Disk size (GB)').fill('8');
  const hosts = (await (await page.request.get('/api/v1/hosts')).json()) as { hosts: { id: string; storagePath: string | null }[] };
  const library = path.join(hosts.hosts.find((h) => h.id === alphaId)!.storagePath!, 'iso');
  fs.mkdirSync(library, { recursive: true });
  const iso = path.join(library, `${NAME}.iso`);
  fs.writeFileSync(iso, Buffer.alloc(64 * 1024, 0x41));
  await page.getByRole('button', { name: 'Browse for the ISO image' }).click();
  const browser = page.getByRole('dialog', { name: 'Choose an optical image' });
  await browser.getByRole('button', { name: 'Open folder iso' }).click();
  await browser.getByRole('button', { name: `Select ${NAME}.iso` }).click();
  await browser.getByRole('button', { name: 'Choose file' }).click();
  await expect(browser).toBeHidden();
  await expect(page.getByLabel('ISO image (optional)')).toHaveValue(iso);
  await expect(page.getByLabel('Boot device 1')).toBeVisible();
  await next.click();

  // Console: the VNC password is a password field.
  await expect(page.getByLabel('VNC password (optional)')).toHaveAttribute('type', 'password');
  await next.click();

  await page.getByRole('button', { name: 'Create machine' }).click();
  await expect(page.getByRole('heading', { name: /System$/ })).toBeVisible();
  await expect(page.locator('[data-field="name"]')).toContainText('This name is taken');
  await expect(page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: 'System (has errors)' })).toBeVisible();
  await nameBox.fill(NAME);
  await expect(page.locator('[data-field="name"]')).not.toContainText('This name is taken');
  for (const step of ['Network', 'Storage', 'Console', 'Review']) {
    await next.click();
    await expect(page.getByRole('heading', { name: new RegExp(`${step}$`) })).toBeVisible();
  }

  // Review and create: the task's progress, then a link to the new machine.
  const summary = page.getByRole('definition');
  await expect(summary.filter({ hasText: 'New, 8 GB' })).toBeVisible();
  await expect(summary.filter({ hasText: iso })).toBeVisible();
  await expect(summary.filter({ hasText: 'vbox-alpha' })).toBeVisible();
  await expect(page.getByLabel('Also register on the other hosts (for teleport)')).not.toBeChecked();
  await page.getByRole('button', { name: 'Create machine' }).click();
  const createCard = page.locator('article[data-task-id]').first();
  await expectTaskSucceeds(createCard);
  await expect(createCard).toContainText(NAME);
  await page.getByRole('link', { name: `Open ${NAME}` }).click();

  // --- The machine page, powered off; the new disk is on the shared storage.
  await expect(page.getByRole('heading', { level: 1, name: NAME })).toBeVisible();
  const state = page.getByTestId('machine-state').locator('[data-state]');
  await expect(state).toHaveAttribute('data-state', 'PoweredOff');
  const diskCell = page.getByRole('table', { name: 'Disks' }).getByRole('cell', { name: /\.vdi$/ });
  await expect(diskCell).toBeVisible();
  const diskPath = (await diskCell.textContent())!.trim();
  expect(fs.existsSync(diskPath)).toBe(true);

  // It shows in the cluster's table too.
  await page.getByRole('link', { name: 'Cluster' }).first().click();
  await expect(page.getByRole('table', { name: 'Machines' }).getByRole('link', { name: NAME })).toBeVisible();
  await page.getByRole('table', { name: 'Machines' }).getByRole('link', { name: NAME }).click();
  await expect(page.getByRole('heading', { level: 1, name: NAME })).toBeVisible();

  // --- Start: Running, with the task's progress beside the toolbar.
  const toolbar = page.getByRole('toolbar', { name: 'Machine actions' });
  await expect(toolbar.getByRole('button', { name: 'Shut down' })).toBeDisabled();
  await toolbar.getByRole('button', { name: 'Start' }).click();
  await expectTaskSucceeds(taskCard(page.getByRole('region', { name: 'Tasks on this machine' }), `Start ${NAME}`));
  await expect(state).toHaveAttribute('data-state', 'Running');
  await expect(toolbar.getByRole('button', { name: 'Start' })).toBeDisabled();
  await expect(toolbar.getByRole('button', { name: 'Power off' })).toBeEnabled();

  // The task drawer lists it too.
  await page.getByRole('button', { name: /^Tasks/ }).click();
  const drawer = page.getByRole('complementary', { name: 'Recent tasks' });
  await expect(taskCard(drawer, `Start ${NAME}`)).toHaveAttribute('data-status', 'succeeded');
  await drawer.getByRole('button', { name: 'Close tasks' }).click();
  await expect(drawer).toBeHidden();

  // --- Take a snapshot: it shows in the tree, current and online.
  await page.getByRole('button', { name: 'Take snapshot' }).click();
  const snapDialog = page.getByRole('dialog', { name: `Take a snapshot of ${NAME}` });
  await snapDialog.getByLabel('Snapshot name').fill('before-upgrade');
  await snapDialog.getByLabel('Description').fill('Taken by the e2e test');
  await snapDialog.getByRole('button', { name: 'Take snapshot' }).click();
  await expect(snapDialog).toBeHidden();
  const tree = page.getByRole('list', { name: 'Snapshot tree' });
  const snap = tree.getByRole('listitem').filter({ hasText: 'before-upgrade' });
  await expect(snap).toBeVisible({ timeout: 30_000 });
  await expect(snap).toContainText('Taken by the e2e test');
  await expect(snap).toHaveAttribute('aria-current', 'true');
  await expect(snap.getByText('Online')).toBeVisible();

  // --- Power off (asks first).
  await toolbar.getByRole('button', { name: 'Power off' }).click();
  const confirm = page.getByRole('dialog', { name: `Power off ${NAME}?` });
  await confirm.getByRole('button', { name: 'Power off' }).click();
  await expect(state).toHaveAttribute('data-state', 'PoweredOff', { timeout: 30_000 });

  // --- Delete with its disks: the dialog names what is lost and wants the name typed.
  await expect(toolbar.getByRole('button', { name: 'Delete' })).toBeEnabled();
  await toolbar.getByRole('button', { name: 'Delete' }).click();
  const del = page.getByRole('dialog', { name: `Delete machine ${NAME}?` });
  const lost = del.getByRole('list', { name: 'What will be lost' });
  await expect(lost).toContainText(NAME);
  await expect(lost).toContainText('vbox-alpha');
  await expect(lost).not.toContainText(diskPath);
  await del.getByLabel('Also delete disk files').check();
  await expect(lost).toContainText(diskPath);
  const deleteButton = del.getByRole('button', { name: 'Delete machine' });
  await expect(deleteButton).toBeDisabled();
  await del.getByLabel('Type the machine name to confirm').fill(NAME);
  await deleteButton.click();

  // Back on the cluster, the machine is gone, and so is its disk file.
  await expect(page.getByRole('heading', { level: 1, name: 'Cluster' })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('table', { name: 'Machines' }).getByRole('link', { name: NAME })).toHaveCount(0);
  expect(fs.existsSync(diskPath)).toBe(false);

  // The history has every step.
  await page.getByRole('link', { name: 'Task history' }).click();
  const history = page.getByRole('table', { name: 'Tasks' });
  for (const title of [`Start ${NAME}`, `Power off ${NAME}`]) {
    await expect(history.getByRole('row').filter({ hasText: title }).first()).toHaveAttribute('data-status', 'succeeded');
  }
});

test('bulk actions start and power off the selected machines', async ({ page }) => {
  await signInAsAdmin(page);
  const table = page.getByRole('table', { name: 'Machines' });
  const rowOf = (name: string) => table.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });
  // db-b2 and build-b4 are powered off in the demo set (vboxsim starts every other machine); start both at once.
  const names = ['db-b2', 'build-b4'];
  for (const n of names) await expect(rowOf(n).locator('[data-state]')).toHaveAttribute('data-state', /PoweredOff|Aborted|Saved/);
  for (const n of names) await table.getByLabel(`Select ${n}`).check();
  const bar = page.getByRole('toolbar', { name: 'Actions on selected machines' });
  await expect(bar).toContainText('2 selected');
  await bar.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByText('Starting 2 machines')).toBeVisible();
  for (const n of names) await expect(rowOf(n).locator('[data-state]')).toHaveAttribute('data-state', 'Running', { timeout: 30_000 });

  // The top bar's Tasks toggle counts running tasks; the drawer shows them finished.
  await page.getByRole('button', { name: /^Tasks/ }).click();
  const drawer = page.getByRole('complementary', { name: 'Recent tasks' });
  for (const n of names) await expect(taskCard(drawer, `Start ${n}`)).toHaveAttribute('data-status', 'succeeded', { timeout: 30_000 });
  await drawer.getByRole('button', { name: 'Close tasks' }).click();

  // Power both off again, at once; it asks first.
  for (const n of names) await table.getByLabel(`Select ${n}`).check();
  await bar.getByRole('button', { name: 'Power off' }).click();
  const confirm = page.getByRole('dialog', { name: 'Power off 2 machines?' });
  await expect(confirm).toContainText('db-b2');
  await confirm.getByRole('button', { name: 'Power off' }).click();
  await expect(page.getByText('Powering off 2 machines')).toBeVisible();
  for (const n of names) await expect(rowOf(n).locator('[data-state]')).toHaveAttribute('data-state', 'PoweredOff', { timeout: 30_000 });
});
