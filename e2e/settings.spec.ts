import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { apiCall, ConsoleScreen, expectTaskSucceeds, runApiTask, signInAsAdmin, type ApiTask } from './helpers';

// A machine's settings in Chromium (issue 16), on machines of this spec's own made through the API
// on vbox-alpha: (1) a powered-off machine set to EFI with TPM 2.0 and Secure Boot in the System
// dialog, its badges after the task; (2) a machine whose VRDE was turned off gets Remote display
// back in its dialog, starts, and its console shows its screen; (3) while a machine runs, a field
// VirtualBox changes only powered off is disabled in the dialog with the reason, and the API
// refuses it with 409 naming the field; (4) an admin gives a machine USB controllers and a filter,
// shares a folder within the host's allowed root, and attaches and detaches one of vboxsim's host USB
// devices while it runs. The machines go at the end, and alpha's shared-folder roots are set back.

const RUN = Date.now().toString(36);
const HOST = 'vbox-alpha';
const made: string[] = [];
let restoreRoots: { hostId: string; roots: string[] } | null = null;

test.afterAll(async ({ browser }) => {
  test.setTimeout(120_000);
  const page = await browser.newPage();
  try {
    await signInAsAdmin(page);
    for (const id of made) {
      const m = await apiCall<{ state: string }>(page.request, 'GET', `/api/v1/vms/${id}`);
      if (m.status !== 200) continue;
      if (m.json.state === 'Running' || m.json.state === 'Paused') await runApiTask(page.request, 'POST', `/api/v1/vms/${id}/actions`, { action: 'poweroff' });
      await runApiTask(page.request, 'DELETE', `/api/v1/vms/${id}?deleteDisks=true`);
    }
    if (restoreRoots) await apiCall(page.request, 'PATCH', `/api/v1/hosts/${restoreRoots.hostId}`, { sharedFolderRoots: restoreRoots.roots });
  } finally {
    await page.close();
  }
});

/** Makes a machine on alpha through the API and opens its page; its id. */
async function machineOnAlpha(page: Page, name: string): Promise<string> {
  const hosts = (await apiCall<{ hosts: { id: string; name: string }[] }>(page.request, 'GET', '/api/v1/hosts')).json.hosts;
  const hostId = hosts.find((h) => h.name === HOST)!.id;
  const created = await runApiTask(page.request, 'POST', '/api/v1/vms', { name, osTypeId: 'Debian12_64', memoryMB: 256, hostId });
  made.push(created.targetId);
  return created.targetId;
}

async function openPage(page: Page, id: string, name: string): Promise<Locator> {
  await page.goto(`/vms/${id}`);
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  const section = page.getByTestId('settings-section');
  await expect(section.locator('[data-area="system"]')).toBeVisible();
  return section;
}

/** The section's settings task (the newest) to its success. */
async function expectSettingsTaskSucceeds(section: Locator): Promise<void> {
  await expectTaskSucceeds(section.getByRole('article').first());
}

const feature = (card: Locator, name: string) => card.locator(`[data-feature="${name}"]`);

async function startMachine(page: Page, id: string): Promise<void> {
  await runApiTask(page.request, 'POST', `/api/v1/vms/${id}/actions`, { action: 'start' });
  await expect(page.getByTestId('machine-state').locator('[data-state]')).toHaveAttribute('data-state', 'Running', { timeout: 30_000 });
}

test('sets a powered-off machine to EFI with TPM 2.0 and Secure Boot', async ({ page }) => {
  test.setTimeout(120_000);
  const name = `e2e-efi-${RUN}`;
  await signInAsAdmin(page);
  const id = await machineOnAlpha(page, name);
  const section = await openPage(page, id, name);
  const system = section.locator('[data-area="system"]');
  // A new machine: BIOS, no TPM, no Secure Boot badge (it goes with EFI).
  await expect(feature(system, 'firmware')).toHaveText('BIOS');
  await expect(feature(system, 'tpm')).toHaveAttribute('data-on', 'false');
  await expect(feature(system, 'secureBoot')).toHaveCount(0);

  await system.getByRole('button', { name: 'Edit System' }).click();
  const dialog = page.getByRole('dialog', { name: 'System' });
  // Secure Boot is offered only with EFI.
  await expect(dialog.getByRole('checkbox', { name: /Secure Boot/ })).toHaveCount(0);
  await dialog.getByRole('combobox', { name: 'Firmware' }).selectOption('EFI');
  await dialog.getByRole('combobox', { name: 'TPM' }).selectOption('v2_0');
  await dialog.getByRole('checkbox', { name: /Secure Boot/ }).check();
  await dialog.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expectSettingsTaskSucceeds(section);

  await expect(feature(system, 'firmware')).toHaveText('EFI');
  await expect(feature(system, 'firmware')).toHaveAttribute('data-on', 'true');
  await expect(feature(system, 'tpm')).toHaveText('TPM 2.0');
  await expect(feature(system, 'tpm')).toHaveAttribute('data-on', 'true');
  await expect(feature(system, 'secureBoot')).toHaveText('Secure Boot');
  await expect(feature(system, 'secureBoot')).toHaveAttribute('data-on', 'true');
  // What the host holds now, read back through the API.
  const s = (await apiCall<{ system: { firmware: string; tpm: string; secureBoot: boolean } }>(page.request, 'GET', `/api/v1/vms/${id}/settings`)).json.system;
  expect(s).toMatchObject({ firmware: 'EFI', tpm: 'v2_0', secureBoot: true });
});

test('turns Remote display on for a machine without it, starts it and opens its console', async ({ page }) => {
  test.setTimeout(180_000);
  const name = `e2e-vrde-${RUN}`;
  await signInAsAdmin(page);
  const id = await machineOnAlpha(page, name);
  await runApiTask(page.request, 'PATCH', `/api/v1/vms/${id}/settings/remote-display`, { enabled: false });
  const section = await openPage(page, id, name);
  const rd = section.locator('[data-area="remote-display"]');
  await expect(feature(rd, 'vrde')).toHaveAttribute('data-on', 'false');
  await expect(feature(rd, 'vrde')).toHaveText('VRDE off');

  await rd.getByRole('button', { name: 'Edit Remote display' }).click();
  const dialog = page.getByRole('dialog', { name: 'Remote display' });
  await dialog.getByRole('checkbox', { name: /Remote display \(VNC\)/ }).check();
  await dialog.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expectSettingsTaskSucceeds(section);
  await expect(feature(rd, 'vrde')).toHaveAttribute('data-on', 'true');
  await expect(feature(rd, 'vrde')).toHaveText('VRDE on');

  await startMachine(page, id);
  // Running with VRDE on: the card gives the port it listens on and the console.
  const open = rd.getByRole('link', { name: 'Open console' });
  await expect(open).toBeVisible({ timeout: 30_000 });
  await open.click();
  await expect(page).toHaveURL(`/vms/${id}/console`);
  await new ConsoleScreen(name, HOST).expectConnected(page);
});

test('a field VirtualBox changes only powered off is disabled with the reason while the machine runs', async ({ page }) => {
  test.setTimeout(120_000);
  const name = `e2e-live-${RUN}`;
  await signInAsAdmin(page);
  const id = await machineOnAlpha(page, name);
  const section = await openPage(page, id, name);
  await startMachine(page, id);

  const reason = `Only while powered off — ${name} is Running on ${HOST}`;
  await section.locator('[data-area="system"]').getByRole('button', { name: 'Edit System' }).click();
  const dialog = page.getByRole('dialog', { name: 'System' });
  const memory = dialog.locator('[data-field="memoryMB"]');
  await expect(memory.getByRole('spinbutton')).toBeDisabled();
  await expect(memory).toContainText('Only while powered off');
  await expect(memory.getByTitle(reason)).toBeVisible();
  await expect(dialog.getByRole('combobox', { name: 'Firmware' })).toBeDisabled();
  // The dialog says so at its top; what VirtualBox changes while running stays editable.
  await expect(dialog.getByRole('status').filter({ hasText: 'Not possible now' })).toContainText(reason);
  await expect(dialog.locator('[data-field="cpuExecutionCap"]').getByRole('spinbutton')).toBeEnabled();
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  // The description changes while it runs, through its dialog.
  await section.locator('[data-area="general"]').getByRole('button', { name: 'Edit General' }).click();
  const general = page.getByRole('dialog', { name: 'General' });
  await expect(general.getByRole('combobox', { name: 'Operating system' })).toBeDisabled();
  await general.getByRole('textbox', { name: 'Description' }).fill(`changed while running ${RUN}`);
  await general.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(general).toBeHidden();
  await expectSettingsTaskSucceeds(section);

  // The API refuses the memory with 409, naming the field and why.
  const refused = await apiCall<{ detail?: string; fields?: string[]; task?: ApiTask }>(page.request, 'PATCH', `/api/v1/vms/${id}/settings/system`, { memoryMB: 512 });
  expect(refused.status, JSON.stringify(refused.json)).toBe(409);
  expect(refused.json.fields).toContain('memoryMB');
  expect(refused.json.detail).toContain(HOST);
});

test('an admin sets USB controllers and a filter, shares a folder, and attaches a host USB device while it runs', async ({ page }) => {
  test.setTimeout(180_000);
  const name = `e2e-usb-${RUN}`;
  await signInAsAdmin(page);
  // A shared-folder root on alpha (vboxsim runs on this machine: the folder is real).
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbox-e2e-share-'));
  fs.mkdirSync(path.join(root, 'data'));
  const hosts = (await apiCall<{ hosts: { id: string; name: string; sharedFolderRoots?: string[] }[] }>(page.request, 'GET', '/api/v1/hosts')).json.hosts;
  const alpha = hosts.find((h) => h.name === HOST)!;
  restoreRoots = { hostId: alpha.id, roots: alpha.sharedFolderRoots ?? [] };
  const rooted = await apiCall(page.request, 'PATCH', `/api/v1/hosts/${alpha.id}`, { sharedFolderRoots: [root] });
  expect(rooted.status, JSON.stringify(rooted.json)).toBe(200);

  const id = await machineOnAlpha(page, name);
  const section = await openPage(page, id, name);

  // --- USB: OHCI and EHCI, and a filter that matches no device of the host.
  const usb = section.locator('[data-area="usb"]');
  await usb.getByRole('button', { name: 'Edit USB' }).click();
  const usbDialog = page.getByRole('dialog', { name: 'USB' });
  await usbDialog.getByRole('checkbox', { name: 'USB 1.1 (OHCI)' }).check();
  await usbDialog.getByRole('checkbox', { name: 'USB 2.0 (EHCI)' }).check();
  await usbDialog.getByRole('button', { name: 'Add filter' }).click();
  const filter = usbDialog.locator('[data-filter="0"]');
  await filter.getByRole('textbox', { name: 'Name' }).fill('Lab dongle');
  await filter.getByRole('textbox', { name: 'Vendor ID' }).fill('1234');
  await usbDialog.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(usbDialog).toBeHidden();
  await expectSettingsTaskSucceeds(section);
  await expect(feature(usb, 'usb-OHCI')).toHaveText('USB 1.1 (OHCI)');
  await expect(feature(usb, 'usb-EHCI')).toHaveText('USB 2.0 (EHCI)');
  await expect(usb).toContainText('1 device filter (1 active)');

  // --- A shared folder within the root: permanent, and the host reaches it.
  const folders = section.locator('[data-area="shared-folders"]');
  await folders.getByRole('button', { name: 'Add shared folder' }).click();
  const add = page.getByRole('dialog', { name: 'Add shared folder' });
  await expect(add).toContainText(root);
  await add.getByRole('textbox', { name: 'Name' }).fill('data');
  await add.getByRole('textbox', { name: 'Folder on the host' }).fill(path.join(root, 'data'));
  await add.getByRole('button', { name: 'Add folder' }).click();
  await expect(add).toBeHidden();
  await expectSettingsTaskSucceeds(section);
  const folder = folders.locator('[data-folder="data"]');
  await expect(folder).toContainText('Permanent');
  await expect(folder).toContainText(path.join(root, 'data'));

  // --- Running: the host's devices, attach one and detach it again.
  await startMachine(page, id);
  const devices = usb.getByTestId('usb-devices');
  await devices.getByRole('button', { name: 'Attach SanDisk Ultra' }).click();
  await expect(devices.locator('[data-attached="true"]').filter({ hasText: 'SanDisk Ultra' })).toBeVisible({ timeout: 15_000 });
  await devices.getByRole('button', { name: 'Detach SanDisk Ultra' }).click();
  await expect(devices.locator('[data-attached="false"]').filter({ hasText: 'SanDisk Ultra' })).toBeVisible({ timeout: 15_000 });
});
