import fs from 'node:fs';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { E2E_IDENTITY_FILE, type E2EIdentity } from './identity';
import { expectTaskSucceeds, navigate, signInAsAdmin } from './helpers';

// The media manager (issue 14) against the e2e stack: two simulated hosts sharing one storage folder,
// tenant `blue` with an LDAP viewer (e2e/server.ts). The tests build on each other: the disk and the
// ISO the admin makes are what the tenant's viewer must not (disk) and may (ISO library) see.
test.describe.configure({ mode: 'serial' });

const DISK = 'e2e-data-disk';
const ISO = 'e2e-installer.iso';
let diskId = '';

const identity = () => JSON.parse(fs.readFileSync(E2E_IDENTITY_FILE, 'utf8')) as E2EIdentity;

/** A small image with an ISO 9660 primary volume descriptor, a little over one upload chunk (8 MiB) so it goes in two. */
function isoImage(): Buffer {
  const buf = Buffer.alloc(9 * 1024 * 1024, 0);
  buf[32768] = 1;
  buf.write('CD001', 32769, 'ascii');
  buf[32774] = 1;
  for (let i = 40 * 1024; i < buf.length; i += 4096) buf.writeUInt32LE(i, i);
  return buf;
}

/** The media page, its list read (so the page is live, not only server-rendered). */
async function openMedia(page: Page) {
  await navigate(page, 'Media');
  await expect(page.getByRole('heading', { level: 1, name: 'Media' })).toBeVisible();
  await expect(page.getByRole('tabpanel').getByText(/^Read /)).toBeVisible();
}

const rowNamed = (page: Page, table: string, name: string) => page.getByRole('table', { name: table }).locator(`tr[data-medium-name="${name}"]`);

/** Opens a row's actions menu and picks one. */
async function rowAction(page: Page, row: Locator, name: string, action: string) {
  await row.getByRole('button', { name: `Actions for ${name}` }).click();
  await page.getByRole('menu', { name: `Actions for ${name}` }).getByRole('menuitem', { name: action }).click();
}

test('an admin creates a disk: a field error from the server, the folder from the storage browser, a task, the new row with its size', async ({ page }) => {
  await signInAsAdmin(page);
  await openMedia(page);
  await expect(page.getByRole('tab', { name: /Hard disks/ })).toHaveAttribute('aria-selected', 'true');

  await page.getByRole('button', { name: 'Create disk' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create disk' });
  // The server's 400 names the field; the form shows it under that field.
  await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('bad/name');
  await dialog.getByRole('button', { name: 'Create disk' }).click();
  await expect(dialog.locator('[data-field="name"]')).toContainText('None of /');
  await expect(dialog.getByRole('textbox', { name: 'Name', exact: true })).toHaveAttribute('aria-invalid', 'true');

  // The folder comes from the storage browser, not typed.
  await dialog.getByRole('button', { name: 'Browse…' }).click();
  const browser = page.getByRole('dialog', { name: 'Choose a folder' });
  await expect(browser.getByRole('list', { name: 'Folder contents' })).toBeVisible();
  const root = (await browser.getByTestId('browser-path').textContent())!.trim();
  expect(root).not.toBe('');
  await browser.getByRole('button', { name: 'Choose this folder' }).click();
  await expect(browser).toBeHidden();
  await expect(dialog.getByLabel('Folder', { exact: true })).toHaveValue(root);

  await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill(DISK);
  await dialog.getByLabel('Format').selectOption('VDI');
  await dialog.getByLabel('Allocation').selectOption('Standard');
  await dialog.getByRole('textbox', { name: 'Size', exact: true }).fill('2');
  await dialog.getByLabel('Size unit').selectOption('GiB');
  await dialog.getByRole('button', { name: 'Create disk' }).click();
  await expect(dialog).toBeHidden();

  await expectTaskSucceeds(page.getByRole('region', { name: 'Media tasks' }).getByRole('article', { name: `Create ${DISK}.vdi` }));

  const row = rowNamed(page, 'Hard disks', `${DISK}.vdi`);
  await expect(row).toBeVisible();
  await expect(row.getByRole('meter', { name: `Allocated size of ${DISK}.vdi` })).toHaveAttribute('aria-valuemax', String(2 * 1024 ** 3));
  await expect(row).toContainText('of 2 GiB');
  await expect(row).toContainText(`${root}/${DISK}.vdi`);
  await expect(row).toContainText('VDI');
  await expect(row.locator('[data-state]')).toHaveAttribute('data-state', 'Created');
  diskId = (await row.getAttribute('data-medium-id'))!;
  expect(diskId).toMatch(/[0-9a-f-]{36}/);

  // Grow it: another task, and the row follows.
  await rowAction(page, row, `${DISK}.vdi`, 'Resize');
  const resize = page.getByRole('dialog', { name: `Resize ${DISK}.vdi` });
  await resize.getByRole('textbox', { name: 'New size', exact: true }).fill('1');
  await resize.getByRole('button', { name: 'Resize' }).click();
  await expect(resize.locator('[data-field="logicalSizeBytes"]')).toContainText('A disk only grows');
  await resize.getByRole('textbox', { name: 'New size', exact: true }).fill('3');
  await resize.getByRole('button', { name: 'Resize' }).click();
  await expect(resize).toBeHidden();
  await expectTaskSucceeds(page.getByRole('region', { name: 'Media tasks' }).getByRole('article', { name: new RegExp(`^Resize ${DISK}\\.vdi`) }));
  await expect(row.getByRole('meter', { name: `Allocated size of ${DISK}.vdi` })).toHaveAttribute('aria-valuemax', String(3 * 1024 ** 3));

  // Compact it, copy it to VMDK, make the copy write-through, delete the copy: each a task, the list follows.
  const tasks = page.getByRole('region', { name: 'Media tasks' });
  await rowAction(page, row, `${DISK}.vdi`, 'Compact');
  await page.getByRole('dialog', { name: `Compact ${DISK}.vdi` }).getByRole('button', { name: 'Compact' }).click();
  await expectTaskSucceeds(tasks.getByRole('article', { name: `Compact ${DISK}.vdi` }));

  await rowAction(page, row, `${DISK}.vdi`, 'Copy');
  const copy = page.getByRole('dialog', { name: `Copy ${DISK}.vdi` });
  await copy.getByRole('textbox', { name: 'Name of the copy', exact: true }).fill(`${DISK}-copy`);
  await copy.getByLabel('Format').selectOption('VMDK');
  await copy.getByRole('button', { name: 'Copy', exact: true }).click();
  await expect(copy).toBeHidden();
  await expectTaskSucceeds(tasks.getByRole('article', { name: `Copy ${DISK}.vdi to ${DISK}-copy.vmdk` }));
  const copied = rowNamed(page, 'Hard disks', `${DISK}-copy.vmdk`);
  await expect(copied).toContainText('VMDK');
  await expect(copied.getByRole('meter')).toHaveAttribute('aria-valuemax', String(3 * 1024 ** 3));

  await rowAction(page, copied, `${DISK}-copy.vmdk`, 'Change type');
  const retype = page.getByRole('dialog', { name: `Change type of ${DISK}-copy.vmdk` });
  await retype.getByLabel('Type').selectOption('Writethrough');
  await retype.getByRole('button', { name: 'Change type' }).click();
  await expectTaskSucceeds(tasks.getByRole('article', { name: new RegExp(`of ${DISK}-copy\\.vmdk$`) }));
  await expect(copied.getByRole('cell').nth(4)).toHaveText('Writethrough');

  await rowAction(page, copied, `${DISK}-copy.vmdk`, 'Delete');
  await page.getByRole('dialog', { name: `Delete ${DISK}-copy.vmdk` }).getByRole('button', { name: 'Delete' }).click();
  await expectTaskSucceeds(tasks.getByRole('article', { name: `Delete ${DISK}-copy.vmdk` }));
  await expect(copied).toHaveCount(0);

  // A disk a machine uses is not deleted: the refusal names the machine.
  const used = page.getByRole('table', { name: 'Hard disks' }).locator('tbody tr').filter({ has: page.getByRole('link') }).first();
  const usedName = (await used.getAttribute('data-medium-name'))!;
  const user = (await used.getByRole('link').first().textContent())!.trim();
  await rowAction(page, used, usedName, 'Delete');
  const confirm = page.getByRole('dialog', { name: `Delete ${usedName}` });
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expect(confirm.getByRole('alert')).toContainText('is in use');
  await expect(confirm.getByRole('alert')).toContainText(user);
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(used).toBeVisible();
});

test('an admin uploads an ISO: told what to configure without the mount, then a progress bar and the image in the Optical list', async ({ page }) => {
  await signInAsAdmin(page);
  const hosts = ((await (await page.request.get('/api/v1/hosts')).json()) as { hosts: { id: string; name: string; storagePath: string | null }[] }).hosts;
  expect(hosts.length).toBeGreaterThan(0);
  // Without this server's path to the storage, the dialog says what to set.
  for (const h of hosts) expect((await page.request.patch(`/api/v1/hosts/${h.id}`, { data: { localStoragePath: null } })).ok()).toBe(true);
  await openMedia(page);
  await page.getByRole('button', { name: 'Upload ISO' }).click();
  let dialog = page.getByRole('dialog', { name: 'Upload ISO' });
  await expect(dialog.getByRole('status').filter({ hasText: 'not available' }).first()).toContainText("This server's path to the storage");
  await expect(dialog.getByRole('button', { name: 'Upload', exact: true })).toBeDisabled();
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  // The stack's Nimbox runs beside the simulated hosts: their storage path is this server's too.
  // Set on the first host through its form; the dialog then offers that host.
  const host = hosts[0];
  await navigate(page, 'Hosts');
  await page.getByRole('table', { name: 'Hosts' }).getByRole('button', { name: `Edit ${host.name}` }).click();
  const edit = page.getByRole('dialog', { name: `Edit host ${host.name}` });
  await edit.getByLabel("This server's path to the storage").fill(host.storagePath!);
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit).toBeHidden();

  await openMedia(page);
  await page.getByRole('button', { name: 'Upload ISO' }).click();
  dialog = page.getByRole('dialog', { name: 'Upload ISO' });
  if (hosts.length > 1) await expect(dialog.getByLabel('Host')).toHaveValue(host.id);
  const folder = dialog.getByLabel('Folder', { exact: true });
  const library = await folder.locator('option').filter({ hasText: /\/iso$/ }).first().getAttribute('value');
  expect(library).toBeTruthy();
  await folder.selectOption(library!);
  await dialog.getByLabel('ISO image').setInputFiles({ name: ISO, mimeType: 'application/x-iso9660-image', buffer: isoImage() });
  // The connection drops once, at the second chunk: the upload asks the server how far it got and goes on.
  let dropped = false;
  await page.route(/\/api\/v1\/media\/uploads\/[^/?]+$/, async (route) => {
    const r = route.request();
    if (!dropped && r.method() === 'PUT' && r.headers()['upload-offset'] !== '0') {
      dropped = true;
      return route.abort('connectionreset');
    }
    return route.fallback();
  });
  const resumed = page.waitForRequest((r) => r.method() === 'GET' && /\/api\/v1\/media\/uploads\/[^/?]+$/.test(r.url()));
  await dialog.getByRole('button', { name: 'Upload', exact: true }).click();

  const bar = dialog.getByRole('progressbar', { name: `Upload of ${ISO}` });
  await expect(bar).toBeVisible();
  await expect(dialog.getByRole('status').filter({ hasText: 'The connection dropped' })).toBeVisible();
  await expect(bar).toHaveAttribute('aria-valuenow', '100', { timeout: 30_000 });
  await resumed;
  expect(dropped).toBe(true);
  await expect(dialog.getByTestId('upload-progress')).toHaveAttribute('data-phase', 'done');
  await expect(dialog.getByTestId('upload-progress')).toContainText('MB/s');
  await expect(dialog.getByRole('status').filter({ hasText: `${ISO} uploaded` })).toBeVisible();
  await dialog.getByRole('button', { name: 'Done' }).click();

  await page.getByRole('tab', { name: /Optical/ }).click();
  const row = rowNamed(page, 'Optical', ISO);
  await expect(row).toBeVisible();
  await expect(row).toContainText(`${library}/${ISO}`);
  await expect(row).toContainText('9 MiB');
});

test("a tenant's viewer sees the ISO library but not the admin's disk, and no way to change media", async ({ page }) => {
  const id = identity();
  test.skip(!id.ldap, `no LDAP directory in the e2e stack: ${id.ldapSkipped}`);
  const { username, password, realmLabel } = id.ldap!;
  await page.goto('/t/blue/login');
  const realm = page.getByLabel('Sign in with');
  if ((await realm.count()) > 0) await realm.selectOption({ label: realmLabel });
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: /sign in/i }).click();
  await expect(page.getByTestId('current-user')).toContainText(`${username} · viewer`);

  await openMedia(page);
  await expect(page.getByRole('button', { name: 'Create disk' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Upload ISO' })).toHaveCount(0);
  // The admin's disk at the storage root is not the tenant's: not listed, and 404 by its id.
  await expect(page.locator(`tr[data-medium-name="${DISK}.vdi"]`)).toHaveCount(0);
  expect((await page.request.get(`/api/v1/media/${diskId}`)).status()).toBe(404);
  // The shared ISO library is everyone's to read.
  await page.getByRole('tab', { name: /Optical/ }).click();
  const iso = rowNamed(page, 'Optical', ISO);
  await expect(iso).toBeVisible();
  await expect(iso.getByRole('button', { name: /Actions/ })).toHaveCount(0);
  // Every row the viewer gets is in the tenant's folder or the ISO library.
  const media = (await (await page.request.get('/api/v1/media')).json()) as { items: { location: string }[] };
  expect(media.items.length).toBeGreaterThan(0);
  for (const m of media.items) expect(m.location).toMatch(/\/(tenants\/blue|iso)\//);
});
