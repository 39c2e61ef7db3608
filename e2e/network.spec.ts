import { expect, test, type Locator } from '@playwright/test';
import { apiCall, expectTaskSucceeds, runApiTask, signInAsAdmin, taskCard, type ApiTask } from './helpers';

// A machine's network in Chromium: on a machine of this spec's own (made through the API on
// vbox-alpha, adapter 1 bridged to vbox0), the admin adds a second adapter on an internal network
// and a third on a cluster network (an internal one, made through the API for alpha),
// puts adapter 1 on NAT and forwards host port 2222 to the guest's 22, starts the machine, forwards
// another port while it runs, sees the guest's NAT address (vboxsim's Guest Additions report it a
// moment after power-on) in the section and in the machine list. The machine goes at the end.

const RUN = Date.now().toString(36);
const NAME = `e2e-net-${RUN}`;
const INTERNAL = `e2e-int-${RUN}`;
const LAB = `e2e-lab-${RUN}`;
const HOST = 'vbox-alpha';
const WIZARD = `e2e-net-wiz-${RUN}`;



/** The network section's row of one adapter (slot 0-based). */
const adapterRow = (section: Locator, slot: number): Locator => section.getByRole('table', { name: 'Network adapters' }).locator(`tr[data-slot="${slot}"]`);


let machineId = '';
let wizardMachineId = '';
let networkId = '';
let alphaId = '';

// The cluster network both tests use: internal, defined for alpha (its name there = its own).
test.beforeAll(async ({ browser }) => {
  const page = await browser.newPage();
  try {
    await signInAsAdmin(page);
    const hosts = (await apiCall<{ hosts: { id: string; name: string }[] }>(page.request, 'GET', '/api/v1/hosts')).json.hosts;
    alphaId = hosts.find((h) => h.name === HOST)!.id;
    const made = await apiCall<{ network: { id: string }; task: ApiTask }>(page.request, 'POST', '/api/v1/networks', { name: LAB, kind: 'internal', hosts: [{ hostId: alphaId }] });
    expect(made.status, JSON.stringify(made.json)).toBe(202);
    networkId = made.json.network.id;
    await expect.poll(async () => (await apiCall<ApiTask>(page.request, 'GET', `/api/v1/tasks/${made.json.task.id}`)).json.status, { timeout: 30_000 }).toBe('succeeded');
  } finally {
    await page.close();
  }
});

test.afterAll(async ({ browser }) => {
  test.setTimeout(120_000);
  const page = await browser.newPage();
  try {
    await signInAsAdmin(page);
    for (const id of [machineId, wizardMachineId].filter(Boolean)) {
      const m = await apiCall<{ state: string }>(page.request, 'GET', `/api/v1/vms/${id}`);
      if (m.status === 200) {
        if (m.json.state === 'Running' || m.json.state === 'Paused') await runApiTask(page.request, 'POST', `/api/v1/vms/${id}/actions`, { action: 'poweroff' });
        await runApiTask(page.request, 'DELETE', `/api/v1/vms/${id}?deleteDisks=true`);
      }
    }
    if (networkId) await runApiTask(page.request, 'DELETE', `/api/v1/networks/${networkId}`);
  } finally {
    await page.close();
  }
});

/** Submits a dialog: it closes, and the section shows the change's task to its success. */
async function save(dialog: Locator, button: string, section: Locator, task: string): Promise<void> {
  await dialog.getByRole('button', { name: button, exact: true }).click();
  await expect(dialog).toBeHidden();
  await expectTaskSucceeds(taskCard(section, task));
}

test('adds an adapter on an internal network, forwards a port on NAT, and shows the guest address', async ({ page }) => {
  test.setTimeout(240_000);
  await signInAsAdmin(page);

  const created = await runApiTask(page.request, 'POST', '/api/v1/vms', { name: NAME, osTypeId: 'Debian12_64', memoryMB: 256, hostId: alphaId });
  machineId = created.targetId;

  // --- The machine page: adapter 1 bridged to the host's bridge, the other seven behind "Add adapter".
  await page.goto(`/vms/${machineId}`);
  await expect(page.getByRole('heading', { level: 1, name: NAME })).toBeVisible();
  const section = page.getByRole('region', { name: 'Network', exact: true });
  await expect(adapterRow(section, 0)).toContainText('Bridged → vbox0');
  await expect(adapterRow(section, 0)).toContainText('Connected');
  await expect(adapterRow(section, 1)).toHaveCount(0);
  await expect(section).toContainText('7 more adapters are disabled (up to 8 on this chipset).');
  await expect(section.getByTestId('guest-info')).toContainText("The guest's addresses show while the machine runs.");

  // --- A second adapter on an internal network.
  await section.getByRole('button', { name: 'Add adapter' }).click();
  const add = page.getByRole('dialog', { name: 'Add adapter 2' });
  await add.getByLabel('Attachment').selectOption('Internal');
  await add.getByLabel('Internal network name').fill(INTERNAL);
  await add.getByLabel('Adapter type').selectOption('Virtio');
  await save(add, 'Add adapter', section, `Change NIC 2 of ${NAME}`);
  const second = adapterRow(section, 1);
  await expect(second).toContainText(`Internal → ${INTERNAL}`);
  await expect(second).toContainText('virtio-net');
  await expect(section).toContainText('6 more adapters are disabled');

  // --- A third on the cluster network: its name on the adapter, the attachment from alpha's mapping.
  await section.getByRole('button', { name: 'Add adapter' }).click();
  const add3 = page.getByRole('dialog', { name: 'Add adapter 3' });
  await add3.getByLabel('Attachment').selectOption('cluster');
  await add3.getByLabel('Cluster network').selectOption(LAB);
  await save(add3, 'Add adapter', section, `Change NIC 3 of ${NAME}`);
  const third = adapterRow(section, 2);
  await expect(third).toHaveAttribute('data-network', LAB);
  await expect(third).toHaveAttribute('data-attachment', 'Internal');
  await expect(third).toContainText(LAB);
  await expect(section).toContainText('5 more adapters are disabled');

  // --- Adapter 1 on NAT, and a port forwarded to the guest's SSH.
  await section.getByRole('button', { name: 'Edit adapter 1' }).click();
  const edit = page.getByRole('dialog', { name: 'Adapter 1' });
  await edit.getByLabel('Attachment').selectOption('NAT');
  await save(edit, 'Save', section, `Change NIC 1 of ${NAME}`);
  await expect(adapterRow(section, 0)).toHaveAttribute('data-attachment', 'NAT');
  const forwarding = section.getByRole('region', { name: 'Port forwarding of adapter 1' });
  await expect(forwarding).toContainText('No rules');

  const addRule = async (name: string, hostPort: number, guestPort: number) => {
    await forwarding.getByRole('button', { name: 'Add a port-forwarding rule to adapter 1' }).click();
    const dialog = page.getByRole('dialog', { name: 'Forward a port to adapter 1' });
    await dialog.getByLabel('Name').fill(name);
    await dialog.getByLabel('Protocol').selectOption('TCP');
    await dialog.getByLabel('Host port').fill(String(hostPort));
    await dialog.getByLabel('Guest port').fill(String(guestPort));
    await save(dialog, 'Add rule', section, `Forward TCP port ${hostPort} to ${NAME}`);
  };
  await addRule('ssh', 2222, 22);
  const rules = forwarding.getByRole('table', { name: 'Port forwarding of adapter 1' });
  const ssh = rules.locator('tr[data-rule="ssh"]');
  await expect(ssh).toContainText('TCP');
  await expect(ssh).toContainText('*:2222');
  await expect(ssh).toContainText('guest:22');

  // --- Start it: the guest reports its address on the NAT adapter (none on the internal one: no DHCP there).
  const state = page.getByTestId('machine-state').locator('[data-state]');
  await page.getByRole('toolbar', { name: 'Machine actions' }).getByRole('button', { name: 'Start' }).click();
  await expect(state).toHaveAttribute('data-state', 'Running', { timeout: 30_000 });
  await expect(adapterRow(section, 0).getByTestId('guest-ips')).toHaveText('10.0.2.15', { timeout: 30_000 });
  await expect(second.getByTestId('guest-ips')).toHaveText('—');
  await expect(third.getByTestId('guest-ips')).toHaveText('—');
  await expect(section.getByTestId('guest-info')).toContainText('Guest Additions 7.1.12');

  // While it runs: a rule is added, one is changed; the adapter type needs the machine off and says so.
  await addRule('http', 8080, 80);
  await expect(rules.locator('tr[data-rule="http"]')).toContainText('*:8080');
  // The same host port again: VirtualBox's refusal shows at the field, and nothing is added.
  await forwarding.getByRole('button', { name: 'Add a port-forwarding rule to adapter 1' }).click();
  const twice = page.getByRole('dialog', { name: 'Forward a port to adapter 1' });
  await twice.getByLabel('Name').fill('web');
  await twice.getByLabel('Host port').fill('8080');
  await twice.getByLabel('Guest port').fill('8080');
  await twice.getByRole('button', { name: 'Add rule', exact: true }).click();
  await expect(twice.locator('[data-field="hostPort"]')).toContainText('A NAT rule for this host port and this host IP already exists');
  await twice.getByRole('button', { name: 'Cancel' }).click();
  await expect(rules.locator('tr[data-rule="web"]')).toHaveCount(0);
  await expect(ssh).toContainText('*:2222');
  await rules.getByRole('button', { name: 'Edit rule ssh' }).click();
  const change = page.getByRole('dialog', { name: 'Edit rule ssh' });
  await change.getByLabel('Host port').fill('2223');
  await save(change, 'Save rule', section, `Change port forwarding ssh of ${NAME}`);
  await expect(ssh).toContainText('*:2223');

  await section.getByRole('button', { name: 'Edit adapter 2' }).click();
  const running = page.getByRole('dialog', { name: 'Adapter 2' });
  await expect(running.getByLabel('Adapter type')).toBeDisabled();
  await expect(running.locator('[data-field="adapterType"]')).toContainText('Power the machine off to change this.');
  await running.screenshot({ path: '/tmp/m15/network-adapter-dialog.png' });
  // The cable can be pulled on the running machine.
  await running.getByLabel('Cable connected').uncheck();
  await save(running, 'Save', section, `Change NIC 2 of ${NAME}`);
  await expect(second).toContainText('Unplugged');

  // --- The machine list shows the guest's address.
  await page.goto(`/?q=${NAME}`);
  const listRow = page.getByRole('table', { name: 'Machines' }).locator(`tr[data-machine-id="${machineId}"]`);
  await expect(listRow.getByTestId('machine-ips')).toHaveText('10.0.2.15', { timeout: 30_000 });
  await listRow.screenshot({ path: '/tmp/m15/network-machine-row.png' });
  await page.goto(`/vms/${machineId}`);
  await expect(adapterRow(page.getByRole('region', { name: 'Network', exact: true }), 0)).toBeVisible();
  await page.getByRole('region', { name: 'Network', exact: true }).screenshot({ path: '/tmp/m15/network-section.png' });
});

test('the create wizard puts adapter 1 on a cluster network', async ({ page }) => {
  test.setTimeout(120_000);
  await signInAsAdmin(page);
  await page.goto('/vms/new');
  await expect(page.getByRole('heading', { level: 1, name: 'New machine' })).toBeVisible();
  const next = page.getByRole('button', { name: 'Next' });
  await page.getByLabel('Host', { exact: true }).selectOption(alphaId);
  await next.click();
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill(WIZARD);
  const os = page.getByLabel('OS type');
  await expect(os.locator('option')).not.toHaveCount(0);
  await os.selectOption('Debian12_64');
  await page.getByLabel('Memory (MB)', { exact: true }).fill('256');
  await next.click();

  // Network: bridged by default; the cluster network instead (no bridged interface to pick then).
  const network = page.getByLabel('Network', { exact: true });
  await expect(network).toHaveValue('');
  await expect(page.getByLabel('Bridged interface')).toHaveValue('vbox0');
  await network.selectOption(LAB);
  await expect(page.getByLabel('Bridged interface')).toHaveCount(0);
  await next.click();
  await page.getByLabel('Disk size (GB)').fill('0.1');
  await next.click();
  await next.click();
  await expect(page.getByRole('definition').filter({ hasText: `Cluster network ${LAB}` })).toBeVisible();
  await page.getByRole('button', { name: 'Create machine' }).click();
  await expectTaskSucceeds(page.locator('article[data-task-id]').first());
  await page.getByRole('link', { name: `Open ${WIZARD}` }).click();
  await expect(page.getByRole('heading', { level: 1, name: WIZARD })).toBeVisible();
  wizardMachineId = page.url().split('/vms/')[1].split(/[?#]/)[0];

  const first = adapterRow(page.getByRole('region', { name: 'Network', exact: true }), 0);
  await expect(first).toHaveAttribute('data-network', LAB);
  await expect(first).toHaveAttribute('data-attachment', 'Internal');
});
