import { expect, test } from '@playwright/test';
import { startSim, type Sim } from '../sim/index';
import { navigate, signInAsAdmin, startAddingHost } from './helpers';

// Host management in Chromium: an admin registers a third VirtualBox host (its own vboxsim,
// started here on a free loopback port), tests the connection, sees its machines join the
// cluster, changes its settings, and removes it again; the other specs find the cluster as
// the stack left it.

const NAME = 'vbox-lab';
let lab: Sim;

test.beforeAll(async () => {
  lab = await startSim({ hosts: 1, port: 0, vms: 2, vrdeBase: 49_000 + Math.floor(Math.random() * 9) * 100 });
});

test.afterAll(async () => {
  await lab?.stop();
});

test('an admin adds a host, tests it, edits its settings and removes it', async ({ page }) => {
  await signInAsAdmin(page);
  const { hosts, dialog } = await startAddingHost(page, { name: NAME, url: lab.urls[0], username: 'vbox' });

  // A wrong password: the test says what VirtualBox said, and nothing is saved.
  await dialog.getByLabel('Password').fill('wrong');
  await dialog.getByRole('button', { name: 'Test connection' }).click();
  await expect(dialog.getByText(/^Connection failed/)).toBeVisible();
  await dialog.getByLabel('Password').fill('vbox');
  await dialog.getByRole('button', { name: 'Test connection' }).click();
  await expect(dialog.getByText('Connection works')).toBeVisible();
  await expect(dialog).toContainText('VirtualBox 7.1');

  // A bad port list is refused under its field, and the rest of the form stays as typed.
  await dialog.getByLabel('VRDE ports').fill('59x0');
  await dialog.getByRole('button', { name: 'Save host' }).click();
  await expect(dialog.getByText(/Ports or ranges between 1 and 65535/)).toBeVisible();
  await expect(dialog.getByLabel('Display name')).toHaveValue(NAME);
  await dialog.getByLabel('VRDE ports').fill('7100-7199');
  await dialog.getByRole('button', { name: 'Save host' }).click();
  await expect(dialog).toBeHidden();

  const row = hosts.getByRole('row').filter({ hasText: NAME });
  await expect(row.locator('[data-health]')).toHaveAttribute('data-health', 'up');
  await expect(row).toContainText('2 (1 running)');

  // Its machines join the cluster view.
  await navigate(page, 'Cluster');
  await expect(page.getByRole('article', { name: NAME })).toHaveAttribute('data-health', 'up');
  await expect(page.getByRole('table', { name: 'Machines' }).getByRole('row')).toHaveCount(1 + 8 + 2);

  // Edit: the saved settings are shown; a cleared field goes back to its default.
  await navigate(page, 'Hosts');
  await hosts.getByRole('button', { name: `Edit ${NAME}` }).click();
  const edit = page.getByRole('dialog', { name: `Edit host ${NAME}` });
  await expect(edit.getByLabel('VRDE ports')).toHaveValue('7100-7199');
  await expect(edit.getByLabel('Bridge adapter')).toHaveValue('vbox0');
  await edit.getByLabel('Bridge adapter').fill('eth1');
  await edit.getByLabel('VRDE ports').fill('');
  // Shared folder roots, one per line: a relative one is refused under the field.
  await edit.getByLabel('Shared folder roots').fill('/srv/shares\nshares');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit.getByText('An absolute path, e.g. /srv/shares')).toBeVisible();
  await edit.getByLabel('Shared folder roots').fill('/srv/shares\n/data/iso/');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit).toBeHidden();
  await hosts.getByRole('button', { name: `Edit ${NAME}` }).click();
  await expect(edit.getByLabel('Bridge adapter')).toHaveValue('eth1');
  await expect(edit.getByLabel('VRDE ports')).toHaveValue('5900-5999');
  await expect(edit.getByLabel('Shared folder roots')).toHaveValue('/srv/shares\n/data/iso');
  await edit.getByRole('button', { name: 'Cancel' }).click();

  // Remove: asked first; its machines leave the cluster view.
  await hosts.getByRole('button', { name: `Remove ${NAME}` }).click();
  const confirm = page.getByRole('dialog', { name: `Remove host ${NAME}?` });
  await confirm.getByRole('button', { name: 'Remove host' }).click();
  await expect(row).toHaveCount(0);
  await expect(hosts.getByRole('row')).toHaveCount(1 + 2);
  await navigate(page, 'Cluster');
  await expect(page.getByRole('table', { name: 'Machines' }).getByRole('row')).toHaveCount(1 + 8);
});
