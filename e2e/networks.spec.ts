import fs from 'node:fs';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { VBoxClient } from '../lib/vbox/client';
import { E2E_IDENTITY_FILE, type E2EIdentity } from './identity';
import { expectTaskSucceeds, navigate, runApiTask, signInAsAdmin, simHosts } from './helpers';

// Cluster networks (issue 15) against the e2e stack's two simulated hosts, vbox-alpha and vbox-bravo, and
// tenant `blue` with an LDAP viewer (e2e/server.ts). The tests build on each other: the NAT network the admin
// creates is what drifts, is repaired, and is allowed to the tenant.
test.describe.configure({ mode: 'serial' });
test.setTimeout(180_000);

const LAB = 'lab';
const LAB_CIDR = '10.0.77.0/24';
const HOSTNET = 'hostnet';
const MACHINE = 'net-e2e';

const identity = () => JSON.parse(fs.readFileSync(E2E_IDENTITY_FILE, 'utf8')) as E2EIdentity;

/** A VirtualBox client on a simulated host, as another VirtualBox client (VBoxManage) would be. */
async function onHost<T>(name: string, fn: (client: VBoxClient) => Promise<T>): Promise<T> {
  const h = simHosts().find((x) => x.name === name)!;
  const client = new VBoxClient({ url: h.url, username: 'vbox', password: 'vbox' });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** The NAT network's CIDR on a host, read through VirtualBox's API (null when it does not exist). */
const natCidr = (host: string, name: string) =>
  onHost(host, (c) =>
    c.scope(async (vbox) => {
      const all = await vbox.getNATNetworks();
      for (const n of all) if ((await n.getNetworkName()) === name) return n.getNetwork();
      return null;
    }),
  );

/** The host-only interfaces of a host, by name. */
const hostOnlyNames = (host: string) =>
  onHost(host, (c) =>
    c.scope(async (vbox) => {
      const ifs = await (await vbox.getHost()).findHostNetworkInterfacesOfType('HostOnly');
      return Promise.all(ifs.map((i) => i.getName()));
    }),
  );

async function openNetworks(page: Page) {
  await navigate(page, 'Networks');
  await expect(page.getByRole('heading', { level: 1, name: 'Networks' })).toBeVisible();
}

const card = (page: Page, name: string) => page.locator(`article[data-network="${name}"]`);
const badge = (c: Locator, host: string) => c.locator(`[data-host="${host}"][data-state]`);

test('an admin creates a NAT network with DHCP on both hosts: field errors at their fields, a task, both hosts ok', async ({ page }) => {
  await signInAsAdmin(page);
  await openNetworks(page);
  await expect(page.getByText('No cluster network yet')).toBeVisible();

  await page.getByRole('button', { name: 'Create network' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Create network' });
  await expect(dialog.getByLabel('Kind')).toHaveValue('natnetwork');
  // Both hosts are ticked for a new network.
  await expect(dialog.getByRole('checkbox', { name: 'On vbox-alpha' })).toBeChecked();
  await expect(dialog.getByRole('checkbox', { name: 'On vbox-bravo' })).toBeChecked();

  // The server's 400 names the fields; the form shows each under its field.
  await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('Lab!');
  await dialog.getByRole('textbox', { name: 'Range from' }).fill('10.0.77.100');
  await dialog.getByRole('textbox', { name: 'Range to' }).fill('10.0.77.199');
  await dialog.getByRole('button', { name: 'Create network' }).click();
  await expect(dialog.locator('[data-field="name"]')).toContainText('A slug');
  await expect(dialog.getByRole('textbox', { name: 'Name', exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(dialog.locator('[data-field="cidr"]')).toContainText('Required for this kind');

  await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill(LAB);
  await dialog.getByRole('textbox', { name: 'Description' }).fill('The lab, NAT with DHCP');
  await dialog.getByRole('textbox', { name: 'CIDR' }).fill(LAB_CIDR);
  await page.screenshot({ path: '/tmp/m15/networks-dialog-top.png' });
  // The NAT network's name on each host defaults to nimbox-<name>.
  await expect(dialog.getByRole('textbox', { name: 'NAT network name on vbox-alpha' })).toHaveAttribute('placeholder', `nimbox-${LAB}`);
  // A range address the DHCP server itself takes is refused at that field.
  await dialog.getByRole('textbox', { name: 'Range from' }).fill('10.0.77.3');
  await dialog.getByRole('button', { name: 'Add option' }).click();
  await dialog.getByLabel('Option 1', { exact: true }).selectOption('DomainName');
  await dialog.getByRole('textbox', { name: 'Value of option 1' }).fill('lab.example');
  await dialog.getByRole('button', { name: 'Add fixed lease' }).click();
  await dialog.getByRole('textbox', { name: 'MAC of fixed lease 1' }).fill('080027007710');
  await dialog.getByRole('textbox', { name: 'Address of fixed lease 1' }).fill('10.0.77.10');
  await dialog.getByRole('button', { name: 'Create network' }).click();
  await expect(dialog.locator('[data-field="dhcp.lowerIP"]')).toContainText('taken by the DHCP server');

  await dialog.getByRole('textbox', { name: 'Range from' }).fill('10.0.77.100');
  await page.screenshot({ path: '/tmp/m15/networks-dialog.png' });
  await dialog.getByRole('button', { name: 'Create network' }).click();
  await expect(dialog).toBeHidden();

  await expectTaskSucceeds(page.getByRole('region', { name: 'Network tasks' }).getByRole('article').first());
  const lab = card(page, LAB);
  await expect(lab).toContainText('NAT network');
  await expect(lab).toContainText(LAB_CIDR);
  await expect(lab).toContainText('The lab, NAT with DHCP');
  await expect(lab.getByTestId('network-dhcp')).toHaveText('10.0.77.100 – 10.0.77.199 · 1 option · 1 fixed lease');
  for (const host of ['vbox-alpha', 'vbox-bravo']) {
    await expect(badge(lab, host)).toHaveAttribute('data-state', 'ok');
    await expect(badge(lab, host)).toContainText(`nimbox-${LAB}`);
  }
  await expect(lab).toContainText('No machine uses it.');

  // It exists on both hosts, as VirtualBox itself reports it.
  expect(await natCidr('vbox-alpha', `nimbox-${LAB}`)).toBe(LAB_CIDR);
  expect(await natCidr('vbox-bravo', `nimbox-${LAB}`)).toBe(LAB_CIDR);

  // The leases line: no machine asked for an address yet.
  await lab.getByRole('button', { name: `Show DHCP leases of ${LAB}` }).click();
  await expect(lab).toContainText('No current lease');
});

test('an admin creates a host-only network on one host: Nimbox creates the interface', async ({ page }) => {
  const before = await hostOnlyNames('vbox-alpha');
  await signInAsAdmin(page);
  await openNetworks(page);

  await page.getByRole('button', { name: 'Create network' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create network' });
  await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill(HOSTNET);
  await dialog.getByLabel('Kind').selectOption('hostonly');
  await dialog.getByRole('textbox', { name: 'CIDR' }).fill('192.168.77.0/24');
  await dialog.getByRole('checkbox', { name: 'On vbox-bravo' }).uncheck();
  await expect(dialog.locator('li[data-host="vbox-bravo"]')).toContainText('Not on this host');
  // The host's existing host-only interfaces, or a new one.
  const pick = dialog.getByRole('combobox', { name: 'Host-only interface on vbox-alpha' });
  await expect(pick).toHaveValue('');
  await expect(pick.locator('option:checked')).toHaveText('Create new (vboxnetN)');
  await dialog.getByRole('checkbox', { name: 'Manage a DHCP server' }).uncheck();
  await dialog.getByRole('button', { name: 'Create network' }).click();
  await expect(dialog).toBeHidden();

  await expectTaskSucceeds(page.getByRole('region', { name: 'Network tasks' }).getByRole('article').first());
  const net = card(page, HOSTNET);
  await expect(net).toContainText('Host-only');
  await expect(badge(net, 'vbox-alpha')).toHaveAttribute('data-state', 'ok');
  await expect(badge(net, 'vbox-alpha')).toContainText(/vboxnet\d+/);
  await expect(net.locator('[data-state]')).toHaveCount(1);
  await expect(net.getByTestId('network-dhcp')).toHaveText('Not managed by Nimbox');

  const created = (await hostOnlyNames('vbox-alpha')).filter((n) => !before.includes(n));
  expect(created).toHaveLength(1);
  await expect(badge(net, 'vbox-alpha')).toContainText(created[0]);
});

test('a NAT network changed behind Nimbox’s back shows as drift in words; Create missing sets it back', async ({ page }) => {
  // As VBoxManage natnetwork modify --network would.
  await onHost('vbox-bravo', (c) => c.write(async (vbox) => (await vbox.findNATNetworkByName(`nimbox-${LAB}`)).setNetwork('10.0.78.0/24')));

  await signInAsAdmin(page);
  await openNetworks(page);
  const lab = card(page, LAB);
  // The page reads the hosts again by itself (drift has no event of Nimbox's own).
  await expect(badge(lab, 'vbox-bravo')).toHaveAttribute('data-state', 'drift', { timeout: 90_000 });
  await expect(badge(lab, 'vbox-alpha')).toHaveAttribute('data-state', 'ok');
  const words = lab.getByTestId('network-host-details').locator('li[data-host="vbox-bravo"]');
  await expect(words).toContainText('10.0.78.0/24');
  await expect(words).toContainText(LAB_CIDR);
  await expect(badge(lab, 'vbox-bravo')).toHaveAttribute('title', /10\.0\.78\.0\/24/);
  await page.screenshot({ path: '/tmp/m15/networks-drift.png', fullPage: true });

  await lab.getByRole('button', { name: `Create missing of ${LAB}` }).click();
  await expectTaskSucceeds(page.getByRole('region', { name: 'Network tasks' }).getByRole('article').first());
  await expect(badge(lab, 'vbox-bravo')).toHaveAttribute('data-state', 'ok');
  await expect(lab.getByTestId('network-host-details')).toHaveCount(0);
  expect(await natCidr('vbox-bravo', `nimbox-${LAB}`)).toBe(LAB_CIDR);
  await page.screenshot({ path: '/tmp/m15/networks.png', fullPage: true });
});

test('an admin edits "lab": the form shows its settings, the new range reaches both hosts’ DHCP servers', async ({ page }) => {
  await signInAsAdmin(page);
  await openNetworks(page);
  const lab = card(page, LAB);
  await lab.getByRole('button', { name: `Edit ${LAB}` }).click();
  const dialog = page.getByRole('dialog', { name: `Edit network ${LAB}` });
  await expect(dialog.getByRole('textbox', { name: 'Name', exact: true })).toBeDisabled();
  await expect(dialog.getByLabel('Kind')).toBeDisabled();
  await expect(dialog.getByRole('textbox', { name: 'CIDR' })).toHaveValue(LAB_CIDR);
  await expect(dialog.getByRole('textbox', { name: 'Range to' })).toHaveValue('10.0.77.199');
  await expect(dialog.getByLabel('Option 1', { exact: true })).toHaveValue('DomainName');
  await expect(dialog.getByRole('textbox', { name: 'MAC of fixed lease 1' })).toHaveValue('08:00:27:00:77:10');
  await dialog.getByRole('textbox', { name: 'Range to' }).fill('10.0.77.150');
  await dialog.getByRole('button', { name: 'Save and apply' }).click();
  await expect(dialog).toBeHidden();
  await expectTaskSucceeds(page.getByRole('region', { name: 'Network tasks' }).getByRole('article').first());
  await expect(lab.getByTestId('network-dhcp')).toHaveText('10.0.77.100 – 10.0.77.150 · 1 option · 1 fixed lease');
  for (const host of ['vbox-alpha', 'vbox-bravo']) {
    const upper = await onHost(host, (c) => c.scope(async (vbox) => (await vbox.findDHCPServerByNetworkName(`nimbox-${LAB}`)).getUpperIP()));
    expect(upper).toBe('10.0.77.150');
  }
});

test('an admin allows "lab" to tenant blue; its viewer sees only that network, without admin controls', async ({ page }) => {
  await signInAsAdmin(page);
  await navigate(page, 'Tenants');
  const row = page.getByRole('table', { name: 'Tenants' }).locator('tr[data-tenant="blue"]');
  await expect(row.getByTestId('tenant-networks')).toHaveText('None');
  await row.getByRole('button', { name: 'Edit blue' }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit tenant blue' });
  const allowed = dialog.locator('[data-field="allowedNetworkIds"]');
  await expect(allowed).toContainText('None ticked: none');
  await expect(allowed.getByRole('checkbox', { name: HOSTNET })).not.toBeChecked();
  await allowed.getByRole('checkbox', { name: LAB }).check();
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await expect(dialog).toBeHidden();
  await expect(row.getByTestId('tenant-networks')).toHaveText(LAB);

  const id = identity();
  test.skip(!id.ldap, `no LDAP directory in the e2e stack: ${id.ldapSkipped}`);
  const { username, password, realmLabel } = id.ldap!;
  await page.context().clearCookies();
  await page.goto('/t/blue/login');
  const realm = page.getByLabel('Sign in with');
  if ((await realm.count()) > 0) await realm.selectOption({ label: realmLabel });
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: /sign in/i }).click();
  await expect(page.getByTestId('current-user')).toContainText(`${username} · viewer`);

  await openNetworks(page);
  const table = page.getByRole('table', { name: 'Networks' });
  await expect(table.locator(`tr[data-network="${LAB}"]`)).toContainText('NAT network');
  await expect(table.locator(`tr[data-network="${LAB}"]`)).toContainText('The lab, NAT with DHCP');
  await expect(table.locator(`tr[data-network="${HOSTNET}"]`)).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Create network' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /Create missing|Edit|Delete/ })).toHaveCount(0);
  // Nor by the API: the other network is not the tenant's to see.
  const list = (await (await page.request.get('/api/v1/networks')).json()) as { items: { name: string; status?: unknown }[] };
  expect(list.items.map((n) => n.name)).toEqual([LAB]);
  expect(list.items[0].status).toBeUndefined();
});

test('a machine on "lab" is listed with its DHCP lease, and deleting "lab" is refused naming it', async ({ page }) => {
  await signInAsAdmin(page);
  // Set-up through the API (the machine's adapters have their own page and spec): a machine of this spec's
  // own on alpha, adapter 1 on lab, running.
  const hosts = (await (await page.request.get('/api/v1/hosts')).json()) as { hosts: { id: string; name: string }[] };
  const alpha = hosts.hosts.find((h) => h.name === 'vbox-alpha')!;
  const created = await runApiTask(page.request, 'POST', '/api/v1/vms', { name: MACHINE, osTypeId: 'Debian12_64', memoryMB: 256, hostId: alpha.id, disk: { new: { sizeGB: 0.1 } } });
  const vm = created.targetId;
  try {
    await runApiTask(page.request, 'PATCH', `/api/v1/vms/${vm}/network/adapters/0`, { network: LAB });
    await runApiTask(page.request, 'POST', `/api/v1/vms/${vm}/actions`, { action: 'start' });

    await openNetworks(page);
    const lab = card(page, LAB);
    await expect(lab.getByRole('list', { name: `Machines on ${LAB}` })).toContainText(`${MACHINE} (adapter 1)`, { timeout: 30_000 });
    await lab.getByRole('button', { name: `Show DHCP leases of ${LAB}` }).click();
    const leases = lab.getByRole('table', { name: `DHCP leases of ${LAB}` });
    await expect(leases.getByRole('row').filter({ hasText: MACHINE })).toContainText(/10\.0\.77\.(1\d\d)/, { timeout: 60_000 });
    await page.screenshot({ path: '/tmp/m15/networks-leases.png', fullPage: true });

    await lab.getByRole('button', { name: `Delete ${LAB}` }).click();
    const dialog = page.getByRole('dialog', { name: `Delete network ${LAB}?` });
    await expect(dialog).toContainText(`In use by ${MACHINE} (adapter 1)`);
    await dialog.getByRole('button', { name: 'Delete network' }).click();
    await expect(dialog.getByRole('alert')).toContainText('Network in use');
    await expect(dialog.getByRole('alert')).toContainText(MACHINE);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(card(page, LAB)).toBeVisible();
  } finally {
    // Leave the stack as found for the specs after this one.
    await runApiTask(page.request, 'POST', `/api/v1/vms/${vm}/actions`, { action: 'poweroff' });
    await runApiTask(page.request, 'DELETE', `/api/v1/vms/${vm}?deleteDisks=true`);
  }
});

test('an admin deletes the host-only network: the interface Nimbox made is gone', async ({ page }) => {
  await signInAsAdmin(page);
  await openNetworks(page);
  const net = card(page, HOSTNET);
  const made = (await badge(net, 'vbox-alpha').textContent())!.match(/vboxnet\d+/)![0];
  await net.getByRole('button', { name: `Delete ${HOSTNET}` }).click();
  const dialog = page.getByRole('dialog', { name: `Delete network ${HOSTNET}?` });
  await dialog.getByRole('button', { name: 'Delete network' }).click();
  await expect(dialog).toBeHidden();
  await expectTaskSucceeds(page.getByRole('region', { name: 'Network tasks' }).getByRole('article').first());
  await expect(net).toHaveCount(0);
  expect(await hostOnlyNames('vbox-alpha')).not.toContain(made);
});
