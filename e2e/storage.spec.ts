import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { apiCall, expectTaskSucceeds, runApiTask, signInAsAdmin, taskCard } from './helpers';

// A machine's storage section in Chromium: on a machine of this spec's own (made through the API on
// vbox-alpha: its disk on SATA port 0, an empty DVD drive on port 1), started from the toolbar, the
// admin mounts an ISO image of the ISO library (a file the test puts into the sim's shared storage,
// picked with the storage browser) while it runs, sees it in the section, ejects it and sees the
// drive empty. Powered off again, a new disk (POST /api/v1/media) goes onto a third SATA port after
// the port count is raised in the section. The machine (with its disks) and the image go at the end.

const RUN = Date.now().toString(36);
const NAME = `e2e-storage-${RUN}`;
const ISO = `e2e-install-${RUN}.iso`;
const DISK = `e2e-data-${RUN}`;
const HOST = 'vbox-alpha';

type Host = { id: string; name: string; storagePath: string | null };


/** The storage section's row of one slot (controller:port:device). */
const slotRow = (page: Page, slot: string): Locator => page.getByRole('region', { name: 'Storage' }).locator(`tr[data-slot="${slot}"]`);

let machineId = '';
let isoPath = '';

test.afterAll(async ({ browser }) => {
  test.setTimeout(120_000);
  const page = await browser.newPage();
  try {
    if (machineId) {
      await signInAsAdmin(page);
      const m = await apiCall<{ state: string }>(page.request, 'GET', `/api/v1/vms/${machineId}`);
      if (m.status === 200) {
        if (m.json.state === 'Running' || m.json.state === 'Paused') await runApiTask(page.request, 'POST', `/api/v1/vms/${machineId}/actions`, { action: 'poweroff' });
        await runApiTask(page.request, 'DELETE', `/api/v1/vms/${machineId}?deleteDisks=true`);
      }
    }
  } finally {
    await page.close();
    if (isoPath) fs.rmSync(isoPath, { force: true });
  }
});

test('mounts an ISO on a running machine, ejects it, and attaches a new disk while it is off', async ({ page }) => {
  test.setTimeout(240_000);
  await signInAsAdmin(page);

  // --- Set-up through the API: an image in the ISO library of alpha's storage, and a machine of our own.
  const hosts = (await apiCall<{ hosts: Host[] }>(page.request, 'GET', '/api/v1/hosts')).json.hosts;
  const alpha = hosts.find((h) => h.name === HOST)!;
  expect(alpha.storagePath, 'the e2e hosts have a shared storage path').toBeTruthy();
  const library = path.join(alpha.storagePath!, 'iso');
  fs.mkdirSync(library, { recursive: true });
  isoPath = path.join(library, ISO);
  fs.writeFileSync(isoPath, Buffer.alloc(2 * 1024 * 1024, 0x41));
  const created = await runApiTask(page.request, 'POST', '/api/v1/vms', { name: NAME, osTypeId: 'Debian12_64', memoryMB: 512, hostId: alpha.id, disk: { new: { sizeGB: 0.1 } } });
  machineId = created.targetId;

  // --- The machine page: its storage section shows the SATA controller, the disk and the empty DVD drive.
  await page.goto(`/vms/${machineId}`);
  await expect(page.getByRole('heading', { level: 1, name: NAME })).toBeVisible();
  const section = page.getByRole('region', { name: 'Storage' });
  const sata = section.locator('tr[data-controller="SATA"]');
  await expect(sata).toContainText('2 of 2 ports used');
  await expect(slotRow(page, 'SATA:0:0')).toContainText('Hard disk');
  await expect(slotRow(page, 'SATA:0:0').getByRole('cell', { name: /\.vdi$/ })).toBeVisible();
  const dvd = slotRow(page, 'SATA:1:0');
  await expect(dvd).toContainText('Optical drive');
  await expect(dvd).toHaveAttribute('data-empty', 'true');
  await expect(dvd).toContainText('Empty');

  // --- Start it from the toolbar.
  const state = page.getByTestId('machine-state').locator('[data-state]');
  const toolbar = page.getByRole('toolbar', { name: 'Machine actions' });
  await toolbar.getByRole('button', { name: 'Start' }).click();
  await expectTaskSucceeds(taskCard(page.getByRole('region', { name: 'Tasks on this machine' }), `Start ${NAME}`));
  await expect(state).toHaveAttribute('data-state', 'Running', { timeout: 30_000 });

  // While it runs, controllers do not change, and the section says why when asked.
  const portsButton = section.getByRole('button', { name: 'Change the port count of SATA' });
  await expect(portsButton).toBeDisabled();
  await portsButton.click({ force: true });
  await expect(section.getByRole('status').filter({ hasText: 'Power the machine off to change its port count' })).toBeVisible();

  // --- Mount the ISO while it runs, picked in the storage browser (ISO library, read-only for everyone).
  await dvd.getByRole('button', { name: 'Mount an ISO image in SATA port 1' }).click();
  const mount = page.getByRole('dialog', { name: 'Mount an ISO image in SATA port 1' });
  await expect(mount).toContainText('The machine runs');
  await mount.getByRole('button', { name: 'Browse the storage for an ISO image' }).click();
  const browser = page.getByRole('dialog', { name: 'Choose an optical image' });
  await browser.getByRole('button', { name: 'Open folder iso' }).click();
  await browser.getByRole('button', { name: `Select ${ISO}` }).click();
  await browser.getByRole('button', { name: 'Choose file' }).click();
  await expect(browser).toBeHidden();
  await expect(mount.getByRole('combobox', { name: 'ISO image', exact: true })).toHaveValue(isoPath);
  await mount.getByRole('button', { name: 'Mount', exact: true }).click();
  await expect(mount).toBeHidden();
  await expectTaskSucceeds(taskCard(section, `Insert ${ISO} into ${NAME}`));

  // The drive holds the image: its name, its path, its size.
  await expect(dvd).toHaveAttribute('data-empty', 'false');
  await expect(dvd).toContainText(ISO);
  await expect(dvd.getByRole('cell', { name: isoPath, exact: true })).toBeVisible();
  await expect(dvd).toContainText('2 MiB');
  await expect(state).toHaveAttribute('data-state', 'Running');

  // --- Eject it, still running: the drive is empty again.
  await dvd.getByRole('button', { name: 'Eject SATA port 1' }).click();
  await expectTaskSucceeds(taskCard(section, `Eject ${ISO} from ${NAME}`));
  await expect(dvd).toHaveAttribute('data-empty', 'true');
  await expect(dvd).toContainText('Empty');
  await expect(dvd).not.toContainText(ISO);

  // --- Power off, then a new disk on a third port.
  await toolbar.getByRole('button', { name: 'Power off' }).click();
  await page.getByRole('dialog', { name: `Power off ${NAME}?` }).getByRole('button', { name: 'Power off' }).click();
  await expect(state).toHaveAttribute('data-state', 'PoweredOff', { timeout: 30_000 });

  await runApiTask(page.request, 'POST', '/api/v1/media', { hostId: alpha.id, name: DISK, format: 'VDI', variant: 'Standard', logicalSizeBytes: 64 * 1024 * 1024 });
  const diskPath = path.join(alpha.storagePath!, `${DISK}.vdi`);
  // The media list (what the picker offers) has it once its cache is read again.
  await expect
    .poll(async () => (await apiCall<{ items: { location: string }[] }>(page.request, 'GET', `/api/v1/media?type=HardDisk&q=${DISK}`)).json.items.map((i) => i.location), { timeout: 30_000 })
    .toContain(diskPath);

  // Both ports are in use: Attach says so; raise the port count to 3.
  await expect(section.getByRole('button', { name: 'Attach a device to SATA' })).toBeDisabled();
  await section.getByRole('button', { name: 'Change the port count of SATA' }).click();
  const ports = page.getByRole('dialog', { name: 'Port count of SATA' });
  await ports.getByRole('spinbutton', { name: 'Port count' }).fill('3');
  await ports.getByRole('button', { name: 'Save' }).click();
  await expect(ports).toBeHidden();
  await expect(sata).toContainText('2 of 3 ports used', { timeout: 30_000 });

  await section.getByRole('button', { name: 'Attach a device to SATA' }).click();
  const attach = page.getByRole('dialog', { name: 'Attach a device to SATA' });
  await expect(attach.getByRole('combobox', { name: 'Device' })).toHaveValue('HardDisk');
  await expect(attach.getByRole('combobox', { name: 'Slot' })).toHaveValue('2:0');
  await attach.getByRole('combobox', { name: 'Disk', exact: true }).selectOption(diskPath);
  await attach.getByLabel('Solid-state drive').check();
  await attach.getByRole('button', { name: 'Attach', exact: true }).click();
  await expect(attach).toBeHidden();
  await expectTaskSucceeds(taskCard(section, `Attach ${DISK}.vdi to ${NAME}`));

  const disk = slotRow(page, 'SATA:2:0');
  await expect(disk).toContainText('Hard disk');
  await expect(disk).toContainText(`${DISK}.vdi`);
  await expect(disk.getByRole('cell', { name: diskPath, exact: true })).toBeVisible();
  await expect(disk.getByRole('meter', { name: 'On disk' })).toHaveAttribute('aria-valuemax', String(64 * 1024 * 1024));
  await expect(disk).toContainText('SSD');
  await expect(sata).toContainText('3 of 3 ports used');

  // Reloaded, the page reads the same from the host.
  await page.reload();
  await expect(slotRow(page, 'SATA:2:0')).toContainText(`${DISK}.vdi`);
  await expect(slotRow(page, 'SATA:1:0')).toHaveAttribute('data-empty', 'true');
});
