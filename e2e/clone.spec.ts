import { expect, test, type Page } from '@playwright/test';
import { apiCall, expectTaskSucceeds, navigate, runApiTask, signInAsAdmin, taskCard } from './helpers';

// Cloning from the machine page (issue 17), on a source of this spec's own made through the API on
// vbox-alpha (2 vCPUs, 384 MB, a small disk, one snapshot): (1) a full clone of its current state with
// automatic placement: the task's progress beside the source's toolbar, then a link to the clone, which
// has the source's vCPUs and memory, a disk of its own and a new MAC; (2) a linked clone of the snapshot;
// the media manager names it on the source's disk, whose delete is refused, and deleting the source is
// refused, naming the clone. The clones and the source go at the end.

const RUN = Date.now().toString(36);
const SOURCE = `e2e-clone-src-${RUN}`;
const FULL = `e2e-clone-full-${RUN}`;
const LINKED = `e2e-clone-linked-${RUN}`;
/** Machines made here, deleted last first (the linked clone before its source). */
const made: string[] = [];

type Detail = { cpuCount: number; memoryMB: number; disks: { type: string; location: string | null }[] };
type Network = { adapters: { slot: number; macAddress: string }[] };

test.afterAll(async ({ browser }) => {
  test.setTimeout(120_000);
  const page = await browser.newPage();
  try {
    await signInAsAdmin(page);
    for (const id of made.reverse()) {
      if ((await apiCall(page.request, 'GET', `/api/v1/vms/${id}`)).status === 200) await runApiTask(page.request, 'DELETE', `/api/v1/vms/${id}?deleteDisks=true`);
    }
  } finally {
    await page.close();
  }
});

async function openCloneDialog(page: Page) {
  await page.getByRole('toolbar', { name: 'Machine actions' }).getByRole('button', { name: 'Clone…' }).click();
  const dialog = page.getByRole('dialog', { name: `Clone ${SOURCE}` });
  await expect(dialog).toBeVisible();
  return dialog;
}

/** The machine a succeeded task card links to: follows the link, waits for its page; its id. */
async function followToMachine(page: Page, card: ReturnType<typeof taskCard>, name: string): Promise<string> {
  await card.getByRole('link', { name, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
  made.push(id);
  return id;
}

test('clones a machine from its page: full of the current state, linked of a snapshot, and the source kept for its linked clone', async ({ page }) => {
  test.setTimeout(240_000);
  await signInAsAdmin(page);
  const hosts = (await apiCall<{ hosts: { id: string; name: string }[] }>(page.request, 'GET', '/api/v1/hosts')).json.hosts;
  const alpha = hosts.find((h) => h.name === 'vbox-alpha')!;
  const created = await runApiTask(page.request, 'POST', '/api/v1/vms', { name: SOURCE, osTypeId: 'Debian12_64', cpuCount: 2, memoryMB: 384, hostId: alpha.id, disk: { new: { sizeGB: 0.05 } } });
  const sourceId = created.targetId;
  made.push(sourceId);
  await runApiTask(page.request, 'POST', `/api/v1/vms/${sourceId}/snapshots`, { name: 'base', description: '' });
  const source = (await apiCall<Detail>(page.request, 'GET', `/api/v1/vms/${sourceId}`)).json;
  const sourceDisk = source.disks.find((d) => d.type === 'HardDisk')!.location;
  const sourceMac = (await apiCall<Network>(page.request, 'GET', `/api/v1/vms/${sourceId}/network`)).json.adapters.find((a) => a.slot === 0)!.macAddress;

  // --- (1) A full clone of the current state, placed automatically.
  await page.goto(`/vms/${sourceId}`);
  await expect(page.getByRole('heading', { level: 1, name: SOURCE })).toBeVisible();
  let dialog = await openCloneDialog(page);
  const name = dialog.getByLabel('Name of the clone');
  await expect(name).toHaveValue(`${SOURCE} Clone`);
  await expect(dialog.getByLabel('Clone from')).toHaveValue('');
  await expect(dialog.getByLabel('Clone from').locator('option', { hasText: 'Snapshot base' })).toHaveCount(1);
  await expect(dialog.getByRole('radio', { name: /^Full clone/ })).toBeChecked();
  await expect(dialog.getByLabel('MAC addresses')).toHaveValue('new');
  await expect(dialog.getByLabel('Host', { exact: true })).toHaveValue('auto');
  // Admins choose the tenant: the source's (none) to start with.
  await expect(dialog.getByLabel('Tenant')).toHaveValue('');
  // A taken name is refused under its field, and nothing starts.
  await name.fill('web-a1');
  await dialog.getByRole('button', { name: 'Clone', exact: true }).click();
  await expect(dialog.locator('[data-field="name"]')).toContainText(/taken|exists|in use/i);
  await name.fill(FULL);
  await dialog.getByRole('button', { name: 'Clone', exact: true }).click();
  await expect(dialog).toBeHidden();
  const fullCard = taskCard(page, `Clone ${SOURCE} to ${FULL}`);
  await expectTaskSucceeds(fullCard, 90_000);
  const fullId = await followToMachine(page, fullCard, FULL);

  const full = (await apiCall<Detail>(page.request, 'GET', `/api/v1/vms/${fullId}`)).json;
  expect([full.cpuCount, full.memoryMB]).toEqual([2, 384]);
  const fullDisk = full.disks.find((d) => d.type === 'HardDisk')?.location;
  expect(fullDisk, 'the clone has a disk').toBeTruthy();
  expect(fullDisk).not.toBe(sourceDisk);
  const fullMac = (await apiCall<Network>(page.request, 'GET', `/api/v1/vms/${fullId}/network`)).json.adapters.find((a) => a.slot === 0)!.macAddress;
  expect(fullMac, 'new MAC addresses by default').not.toBe(sourceMac);

  // --- (2) A linked clone of the snapshot.
  await page.goto(`/vms/${sourceId}`);
  await expect(page.getByRole('heading', { level: 1, name: SOURCE })).toBeVisible();
  dialog = await openCloneDialog(page);
  await dialog.getByLabel('Name of the clone').fill(LINKED);
  const from = dialog.getByLabel('Clone from');
  await from.selectOption({ value: (await from.locator('option', { hasText: 'Snapshot base' }).getAttribute('value'))! });
  await dialog.getByRole('radio', { name: /^Linked clone/ }).check();
  await dialog.getByRole('button', { name: 'Clone', exact: true }).click();
  await expect(dialog).toBeHidden();
  const linkedCard = taskCard(page, `Clone snapshot "base" of ${SOURCE} to ${LINKED} (linked)`);
  await expectTaskSucceeds(linkedCard, 90_000);
  await followToMachine(page, linkedCard, LINKED);

  // --- The media manager says so: the source's disk names the clone building on it, its Delete warns, and the server refuses.
  await navigate(page, 'Media');
  await expect(page.getByRole('heading', { level: 1, name: 'Media' })).toBeVisible();
  // The disk the snapshot (the only one) holds, which the linked clone builds on: the base of the chain under the source's
  // current disk (VirtualBox gives the current state a differencing image on it; vboxsim keeps the base attached).
  const media = (await apiCall<{ items: { id: string; name: string; location: string; parentId: string | null }[] }>(page.request, 'GET', '/api/v1/media')).json.items;
  let base = media.find((m) => m.location === sourceDisk);
  while (base?.parentId) base = media.find((m) => m.id === base!.parentId);
  const diskName = base?.name;
  expect(diskName, "the source's base disk in the media list").toBeTruthy();
  const diskRow = page.getByRole('table', { name: 'Hard disks' }).locator(`tr[data-medium-name="${diskName}"]`);
  await expect(diskRow.getByRole('list', { name: `Linked clones building on ${diskName}` }).getByRole('link', { name: LINKED, exact: true })).toBeVisible();
  await diskRow.getByRole('button', { name: `Actions for ${diskName}` }).click();
  await page.getByRole('menu', { name: `Actions for ${diskName}` }).getByRole('menuitem', { name: 'Delete' }).click();
  const delDisk = page.getByRole('dialog', { name: `Delete ${diskName}` });
  await expect(delDisk.getByRole('status').filter({ hasText: 'Used by linked clones' })).toContainText(LINKED);
  await delDisk.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(delDisk.getByRole('alert').filter({ hasText: /Delete th(at|ose) clones? first/ })).toContainText(LINKED);
  await delDisk.getByRole('button', { name: 'Cancel' }).click();
  await expect(diskRow).toBeVisible();

  // --- The source stays while its linked clone builds on its disk: Delete says so, naming the clone.
  await page.goto(`/vms/${sourceId}`);
  await expect(page.getByRole('heading', { level: 1, name: SOURCE })).toBeVisible();
  await page.getByRole('toolbar', { name: 'Machine actions' }).getByRole('button', { name: 'Delete' }).click();
  const del = page.getByRole('dialog', { name: `Delete machine ${SOURCE}?` });
  await del.getByLabel('Type the machine name to confirm').fill(SOURCE);
  await del.getByRole('button', { name: 'Delete machine' }).click();
  await expect(del.getByRole('alert')).toContainText('Used by linked clones');
  await expect(del.getByRole('alert')).toContainText(LINKED);
  await del.getByRole('button', { name: 'Cancel' }).click();
  expect((await apiCall(page.request, 'GET', `/api/v1/vms/${sourceId}`)).status).toBe(200);
});
