import { expect, test, type Page } from '@playwright/test';
import { readIdentity } from './identity';
import { ADMIN_PASSWORD, ConsoleScreen, openMachine, submitSignIn } from './helpers';

// Set up by e2e/server.ts: slapd with a user of tenant blue, tenant blue owning two machines, and (as root) a PAM admin.
const ALL_MACHINES = 8;

const machineLinks = (page: Page) => page.getByRole('table', { name: 'Machines' }).locator('tbody').getByRole('link');

test('an LDAP tenant user signs in on the tenant page and sees only that tenant\'s machines', async ({ page }) => {
  const id = readIdentity();
  test.skip(!id.ldap, `no LDAP directory in the e2e stack: ${id.ldapSkipped}`);
  const { username, password, realmLabel } = id.ldap!;

  await page.goto('/t/blue/login');
  await expect(page.getByText('blue', { exact: true })).toBeVisible();
  // The tenant's page offers external realms only, never the local accounts.
  const realm = page.getByLabel('Sign in with');
  if ((await realm.count()) > 0) await expect(realm.locator('option', { hasText: 'Nimbox account' })).toHaveCount(0);
  await submitSignIn(page, username, password, realmLabel);

  await expect(page.getByTestId('current-user')).toContainText(`${username} · viewer`);
  const table = page.getByRole('table', { name: 'Machines' });
  await expect(table.getByRole('row')).toHaveCount(1 + id.blueMachines.length);
  await expect(machineLinks(page)).toHaveText([...id.blueMachines].sort());
  // Administration is not in the viewer's navigation, and its pages are not there for them.
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Tenants' })).toHaveCount(0);
  await expect(nav.getByRole('link', { name: 'Audit' })).toHaveCount(0);
  expect((await page.request.get('/api/v1/audit')).status()).toBe(403);

  // A viewer watches its tenant's running machine: the console is view-only, which the gateway enforces.
  await table.getByRole('link', { name: 'cache-b3', exact: true }).click();
  const section = page.getByRole('region', { name: 'Console' });
  await section.getByRole('button', { name: 'Open console' }).click();
  await new ConsoleScreen('cache-b3', 'vbox-bravo').expectConnected(page);
  await expect(section.getByRole('button', { name: 'View only' })).toHaveAttribute('aria-pressed', 'true');
  await expect(section.getByRole('button', { name: 'View only' })).toBeDisabled();
  await expect(section.getByRole('button', { name: 'Paste text' })).toBeDisabled();
});

test('a PAM admin signs in on /login and sees all machines', async ({ page }) => {
  const id = readIdentity();
  test.skip(!id.pam, `PAM admin test skipped: ${id.pamSkipped} (needs root to create a system user and /etc/pam.d/nimbox-e2e)`);
  const { username, password } = id.pam!;

  await page.goto('/login');
  await submitSignIn(page, username, password, 'System account');
  await expect(page.getByTestId('current-user')).toContainText(`${username} · admin`);
  await expect(page.getByRole('table', { name: 'Machines' }).getByRole('row')).toHaveCount(1 + ALL_MACHINES);
  for (const m of id.blueMachines) await expect(machineLinks(page).filter({ hasText: m })).toHaveCount(1);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Tenants' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Audit' })).toBeVisible();
});

test('an admin manages tenants, moves a machine between tenants and reads the audit log', async ({ page }) => {
  const id = readIdentity();
  await page.goto('/login');
  await submitSignIn(page, 'admin', ADMIN_PASSWORD, 'Nimbox account');

  // Tenants: blue with its usage; add green, edit it, delete it.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tenants' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Tenants' })).toBeVisible();
  const tenants = page.getByRole('table', { name: 'Tenants' });
  const blue = tenants.locator('tr[data-tenant="blue"]');
  await expect(blue).toContainText('Blue team');
  await expect(blue.getByRole('cell').nth(1)).toHaveText(`${id.blueMachines.length} / ∞`);

  await page.getByRole('button', { name: 'Add tenant' }).click();
  const add = page.getByRole('dialog', { name: 'Add tenant' });
  await add.getByRole('textbox', { name: 'Name', exact: true }).fill('green');
  await add.getByLabel('Display name').fill('Green team');
  await add.getByLabel('Max machines').fill('3');
  await add.getByLabel('vbox-alpha').check();
  await add.getByLabel('Allow teleport').check();
  await add.getByRole('button', { name: 'Add tenant' }).click();
  await expect(add).toBeHidden();
  const green = tenants.locator('tr[data-tenant="green"]');
  await expect(green).toContainText('Green team');
  await expect(green.getByRole('cell').nth(1)).toHaveText('0 / 3');
  await expect(green).toContainText('vbox-alpha');
  await expect(green).toContainText('Allowed');

  await green.getByRole('button', { name: 'Edit green' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit tenant green' });
  await expect(edit.getByRole('textbox', { name: 'Name', exact: true })).toBeDisabled();
  await edit.getByLabel('Max machines').fill('');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit).toBeHidden();
  await expect(green.getByRole('cell').nth(1)).toHaveText('0 / ∞');

  await green.getByRole('button', { name: 'Delete green' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete tenant green?' });
  await confirm.getByRole('button', { name: 'Delete tenant' }).click();
  await expect(green).toHaveCount(0);

  // The machine page: move a blue machine to no tenant and back.
  const machine = id.blueMachines[0];
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cluster' }).click();
  await openMachine(page, machine);
  const machineId = await page.locator('[data-machine-id]').getAttribute('data-machine-id');
  const form = page.getByRole('form', { name: 'Machine tenant' });
  const select = form.getByLabel('Tenant');
  await expect(select).toHaveValue('blue');
  await select.selectOption('');
  await form.getByRole('button', { name: 'Move' }).click();
  await expect(form.getByRole('button', { name: 'Move' })).toBeDisabled();
  await expect(select).toHaveValue('');
  await select.selectOption('blue');
  await form.getByRole('button', { name: 'Move' }).click();
  await expect(form.getByRole('button', { name: 'Move' })).toBeDisabled();
  await expect(select).toHaveValue('blue');

  // The audit log has the sign-ins and the changes above, and exports them as CSV.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Audit' })).toBeVisible();
  const audit = page.getByRole('table', { name: 'Audit log' });
  await expect(audit.locator('tr[data-action="signin"]').first()).toBeVisible();
  const filters = page.getByRole('form', { name: 'Audit filters' });
  await filters.getByLabel('Action').fill('vm:tenant*');
  await filters.getByRole('button', { name: 'Apply' }).click();
  // The two moves above are the newest rows (earlier runs against the same stack may have left more).
  await expect(audit.locator('tbody tr').first()).toHaveAttribute('data-action', 'vm:tenant PUT');
  const rows = audit.locator('tbody tr');
  expect(await rows.count()).toBeGreaterThanOrEqual(2);
  for (const i of [0, 1]) {
    await expect(rows.nth(i)).toHaveAttribute('data-action', 'vm:tenant PUT');
    await expect(rows.nth(i)).toHaveAttribute('data-result', 'success');
    await expect(rows.nth(i)).toContainText(machineId!);
  }
  const shown = await rows.count();
  await expect(page.getByRole('link', { name: 'Export CSV' })).toHaveAttribute('href', /^\/api\/v1\/audit\?format=csv&action=vm%3Atenant\*/);
  const csv = await page.request.get((await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href'))!);
  expect(csv.headers()['content-type']).toContain('text/csv');
  const lines = (await csv.text()).trim().split('\r\n');
  expect(lines[0]).toBe('at,username,userId,tenant,action,target,result,address,detail,id');
  expect(lines).toHaveLength(1 + shown);
  expect(lines[1]).toContain(`/api/v1/vms/${machineId}/tenant`);
});
