import { expect, test } from '@playwright/test';
import { apiCall, expectTaskSucceeds, machineIdOf, runApiTask, signInAsAdmin, taskCard } from './helpers';

// db-b2 and build-b4 are powered off in the demo set (groups /data and /apps); both are set back at the end.
const MOVED = ['db-b2', 'build-b4'];

test('groups the cluster table by VirtualBox group, moves two machines into a new group at once and collapses it', async ({ page }) => {
  await signInAsAdmin(page);
  const table = page.getByRole('table', { name: 'Machines' });
  const link = (name: string) => table.getByRole('link', { name, exact: true });
  const header = (group: string) => table.locator(`tr[data-group="${group}"]`);
  for (const n of MOVED) await expect(table.getByRole('row').filter({ has: page.getByRole('link', { name: n, exact: true }) }).locator('[data-state]')).toHaveAttribute('data-state', /PoweredOff|Aborted/);

  // Group by: the demo's groups, each with its count and how many run.
  await page.getByLabel('Group by').selectOption('group');
  await expect(page).toHaveURL(/groupBy=group/);
  await expect(header('/apps')).toContainText('6 machines');
  await expect(header('/data')).toContainText('2 machines');
  await expect(header('/data')).toContainText(/\d\/2 running/);

  // Select two machines of two groups and move them into a new group.
  for (const n of MOVED) await table.getByLabel(`Select ${n}`).check();
  const bar = page.getByRole('toolbar', { name: 'Actions on selected machines' });
  await expect(bar).toContainText('2 selected');
  await bar.getByRole('button', { name: 'Move to group…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Move 2 machines to a group' });
  await expect(dialog.getByRole('list', { name: 'Machines to move' })).toContainText('db-b2 in /data');
  await dialog.getByLabel('Group', { exact: true }).selectOption({ label: 'New group…' });
  await dialog.getByLabel('New group path').fill('/e2e/moved');
  await dialog.getByRole('button', { name: 'Move', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText('Move 2 machines to /e2e/moved').first()).toBeVisible();

  // The new group's header comes live, with both machines under it; the old groups lost one each.
  const moved = header('/e2e/moved');
  await expect(moved).toContainText('2 machines · 0/2 running', { timeout: 30_000 });
  await expect(header('/data')).toContainText('1 machine ·');
  await expect(header('/apps')).toContainText('5 machines');
  for (const n of MOVED) await expect(link(n)).toBeVisible();

  // Collapse it: its rows go, the header stays; expand again.
  const toggle = moved.getByRole('button', { name: '/e2e/moved' });
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  for (const n of MOVED) await expect(link(n)).toHaveCount(0);
  await expect(link('db-a2')).toBeVisible();
  await toggle.click();
  for (const n of MOVED) await expect(link(n)).toBeVisible();

  // Grouping is in the URL: a reload keeps it.
  await page.reload();
  await expect(header('/e2e/moved')).toContainText('2 machines');

  // The machine page shows its groups and edits them: build-b4 goes back to /apps.
  await link('build-b4').click();
  await expect(page.getByRole('heading', { level: 1, name: 'build-b4' })).toBeVisible();
  const groups = page.getByTestId('machine-groups');
  await expect(groups).toContainText('/e2e/moved');
  await groups.getByRole('button', { name: 'Edit groups' }).click();
  const edit = page.getByRole('dialog', { name: 'Groups of build-b4' });
  await edit.getByRole('button', { name: 'Remove /e2e/moved' }).click();
  await edit.getByLabel('Add a group').fill('/apps');
  await edit.getByRole('button', { name: 'Save groups' }).click();
  await expect(edit).toBeHidden();
  await expectTaskSucceeds(taskCard(page, 'Move build-b4 to /apps'));
  await expect(groups.locator('[data-group="/apps"]')).toBeVisible();
  await expect(groups).not.toContainText('/e2e/moved');

  await runApiTask(page.request, 'PUT', `/api/v1/vms/${await machineIdOf(page, 'db-b2')}/groups`, { groups: ['/data'] });
});

test('renames a snapshot and changes its description, then deletes it with its progress', async ({ page }) => {
  await signInAsAdmin(page);
  const id = await machineIdOf(page, 'build-b4');
  await runApiTask(page.request, 'POST', `/api/v1/vms/${id}/snapshots`, { name: 'e2e-snap', description: 'before' });
  await page.goto(`/vms/${id}`);
  await expect(page.getByRole('heading', { level: 1, name: 'build-b4' })).toBeVisible();
  const tree = page.getByRole('list', { name: 'Snapshot tree' });
  await expect(tree).toContainText('e2e-snap');

  await tree.getByRole('button', { name: 'Edit snapshot e2e-snap' }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit snapshot e2e-snap' });
  await dialog.getByLabel('Snapshot name').fill('e2e-renamed');
  await dialog.getByLabel('Description').fill('renamed in the browser');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  const snap = tree.getByRole('listitem').filter({ hasText: 'e2e-renamed' });
  await expect(snap).toContainText('renamed in the browser');
  await expect(tree).not.toContainText('e2e-snap');
  // VirtualBox holds it: the API reads it back from the host.
  const back = await apiCall<{ tree: { name: string; description: string }[] }>(page.request, 'GET', `/api/v1/vms/${id}/snapshots`);
  expect(back.json.tree[0]).toMatchObject({ name: 'e2e-renamed', description: 'renamed in the browser' });

  // Delete: it asks first, and the task's progress shows on the page until it is done.
  await snap.getByRole('button', { name: 'Delete snapshot e2e-renamed' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete snapshot e2e-renamed?' });
  await confirm.getByRole('button', { name: 'Delete snapshot' }).click();
  await expectTaskSucceeds(taskCard(page, 'Delete snapshot "e2e-renamed" of build-b4'));
  await expect(page.getByText('No snapshots yet.')).toBeVisible();
});
