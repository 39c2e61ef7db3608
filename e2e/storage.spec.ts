import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { apiCall, expectTaskSucceeds, navigate, runApiTask, signInAsAdmin, taskCard } from './helpers';

// A machine's storage section in Chromium: on a machine of this spec's own (made through the API on
// vbox-alpha: its disk on SATA port 0, an empty DVD drive on port 1), the admin first makes a new disk on
// the Media page and raises the SATA port count in the section, then starts the machine from the
// toolbar, mounts an ISO image of the ISO library (a file the test puts into the sim's shared storage,
// picked with the storage browser) while it runs, sees it in the section and ejects it; is told why the
// boot disk cannot be unplugged (its port is not marked hot-pluggable), and hot-plugs the new disk on
// the third port. The machine (with its disks) and the image go at the end.

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

test('makes a disk, mounts and ejects an ISO on the running machine, says why a disk stays, and hot-plugs the new disk', async ({ page }) => {
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

  // --- A new 64 MiB disk, made on the Media page (an admin's disk goes to the storage path).
  await navigate(page, 'Media');
  await expect(page.getByRole('tabpanel').getByText(/^Read /)).toBeVisible();
  await page.getByRole('button', { name: 'Create disk' }).click();
  const create = page.getByRole('dialog', { name: 'Create disk' });
  const hostField = create.getByLabel('Host', { exact: true });
  if ((await hostField.count()) > 0) await hostField.selectOption(alpha.id);
  await create.getByRole('textbox', { name: 'Name', exact: true }).fill(DISK);
  await create.getByLabel('Format').selectOption('VDI');
  await create.getByRole('textbox', { name: 'Size', exact: true }).fill('64');
  await create.getByLabel('Size unit').selectOption('MiB');
  await create.getByRole('button', { name: 'Create disk' }).click();
  await expect(create).toBeHidden();
  await expectTaskSucceeds(page.getByRole('region', { name: 'Media tasks' }).getByRole('article', { name: `Create ${DISK}.vdi` }));
  const diskPath = path.join(alpha.storagePath!, `${DISK}.vdi`);
  await expect(page.getByRole('table', { name: 'Hard disks' }).locator(`tr[data-medium-name="${DISK}.vdi"]`)).toContainText(diskPath);

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

  // Both ports are in use: Attach says so; raise the port count to 3 while the machine is off.
  await expect(section.getByRole('button', { name: 'Attach a device to SATA' })).toBeDisabled();
  await section.getByRole('button', { name: 'Change the port count of SATA' }).click();
  const ports = page.getByRole('dialog', { name: 'Port count of SATA' });
  await ports.getByRole('spinbutton', { name: 'Port count' }).fill('3');
  await ports.getByRole('button', { name: 'Save' }).click();
  await expect(ports).toBeHidden();
  await expect(sata).toContainText('2 of 3 ports used', { timeout: 30_000 });

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

  // --- The boot disk cannot be hot-unplugged: its port is not marked hot-pluggable, and the section says so.
  const unplug = slotRow(page, 'SATA:0:0').getByRole('button', { name: 'Detach the disk at SATA port 0' });
  await expect(unplug).toBeDisabled();
  await unplug.click({ force: true });
  await expect(section.getByRole('status').filter({ hasText: 'not marked hot-pluggable' })).toBeVisible();

  // --- Hot-plug the new disk on the third port while it runs (SATA is AHCI: VirtualBox allows it).
  await section.getByRole('button', { name: 'Attach a device to SATA' }).click();
  const attach = page.getByRole('dialog', { name: 'Attach a device to SATA' });
  await expect(attach.getByRole('combobox', { name: 'Device' })).toHaveValue('HardDisk');
  await expect(attach.getByRole('combobox', { name: 'Slot' })).toHaveValue('2:0');
  await expect(attach.getByLabel('Hot-pluggable')).toBeChecked();
  await attach.getByRole('combobox', { name: 'Disk', exact: true }).selectOption(diskPath);
  await attach.getByRole('button', { name: 'Attach', exact: true }).click();
  await expect(attach).toBeHidden();
  await expectTaskSucceeds(taskCard(section, `Attach ${DISK}.vdi to ${NAME}`));

  const disk = slotRow(page, 'SATA:2:0');
  await expect(disk).toContainText('Hard disk');
  await expect(disk).toContainText(`${DISK}.vdi`);
  await expect(disk.getByRole('cell', { name: diskPath, exact: true })).toBeVisible();
  await expect(disk.getByRole('meter', { name: 'On disk' })).toHaveAttribute('aria-valuemax', String(64 * 1024 * 1024));
  await expect(disk).toContainText('Hot-pluggable');
  await expect(sata).toContainText('3 of 3 ports used');
  await expect(state).toHaveAttribute('data-state', 'Running');
  // A hot-plugged disk may be unplugged again while it runs.
  await expect(disk.getByRole('button', { name: 'Detach the disk at SATA port 2' })).toBeEnabled();

  // Reloaded, the page reads the same from the host.
  await page.reload();
  await expect(slotRow(page, 'SATA:2:0')).toContainText(`${DISK}.vdi`);
  await expect(slotRow(page, 'SATA:1:0')).toHaveAttribute('data-empty', 'true');
});
