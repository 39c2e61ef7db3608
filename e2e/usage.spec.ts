import fs from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { navigate, signInAsAdmin, submitSignIn } from './helpers';
import { readIdentity } from './identity';

/*
 * The usage page: tenant blue's user (LDAP) sees blue's machines only, with the hours they ran, and downloads
 * the same as CSV; an admin sees every tenant. The demo's cache-b3 (blue) runs from the stack's start, so its
 * running hours grow from the first time Nimbox saw it.
 */

const table = (page: Page) => page.getByRole('table', { name: 'Usage by machine' });
const rowOf = (page: Page, name: string) => table(page).getByRole('row').filter({ has: page.getByRole('cell', { name, exact: true }) });
const machineNames = async (page: Page) => (await table(page).locator('tbody tr td:first-child').allInnerTexts()).sort();

const DEMO_MACHINES = ['build-a4', 'build-b4', 'cache-a3', 'cache-b3', 'db-a2', 'db-b2', 'web-a1', 'web-b1'];

/**
 * Which of the demo's machines a list names: blue's and the others'. Other specs may have made (and deleted)
 * machines of tenant blue this month, which count as blue's too; the demo's machines of no tenant never may.
 */
const demoSplit = (names: string[], blue: readonly string[]) => ({
  blue: [...blue].filter((n) => names.includes(n)).sort(),
  others: DEMO_MACHINES.filter((n) => !blue.includes(n) && names.includes(n)),
});

/** Parses the CSV the page downloads (no field of the demo's needs quoting). */
const parseCsv = (text: string) => text.trim().split('\r\n').map((l) => l.split(','));

test("a tenant's user sees only the tenant's machines with their running hours, and downloads them as CSV", async ({ page }) => {
  const id = readIdentity();
  test.skip(!id.ldap, `no LDAP directory in the e2e stack: ${id.ldapSkipped}`);
  const { username, password, realmLabel } = id.ldap!;
  await page.goto('/t/blue/login');
  await submitSignIn(page, username, password, realmLabel);
  await navigate(page, 'Usage');
  await expect(page.getByRole('heading', { level: 1, name: 'Usage' })).toBeVisible();

  // Only blue's totals and blue's machines; no tenant picker.
  await expect(page.getByRole('region', { name: /^Totals of / })).toHaveCount(1);
  await expect(page.getByRole('region', { name: 'Totals of blue' })).toBeVisible();
  await expect(page.getByLabel('Tenant', { exact: true })).toHaveCount(0);
  await expect.poll(async () => demoSplit(await machineNames(page), id.blueMachines)).toEqual({ blue: [...id.blueMachines].sort(), others: [] });

  // cache-b3 runs: its running hours grow above zero (3 decimals: from 3.6 s on); build-a4 is off.
  await expect.poll(async () => {
    await page.reload();
    return Number(await rowOf(page, 'cache-b3').locator('[data-column="running"]').innerText());
  }, { timeout: 30_000 }).toBeGreaterThan(0);
  // The stacked bar says the same as the row's figures.
  const cells = await rowOf(page, 'cache-b3').getByRole('cell').allInnerTexts();
  await expect(rowOf(page, 'cache-b3').getByRole('img')).toHaveAttribute('aria-label', `Running ${cells[2]} h, saved ${cells[3]} h, off ${cells[4]} h`);
  await expect(rowOf(page, 'build-a4').locator('[data-column="running"]')).toHaveText('0');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^nimbox-usage-\d{4}-\d{2}-01-\d{4}-\d{2}-\d{2}\.csv$/);
  const [header, ...rows] = parseCsv(fs.readFileSync((await download.path())!, 'utf8'));
  expect(header).toEqual(['tenant', 'machine_id', 'machine_name', 'running_hours', 'saved_hours', 'off_hours', 'vcpu_hours', 'memory_gib_hours', 'disk_gib_days']);
  expect(demoSplit(rows.map((r) => r[2]), id.blueMachines)).toEqual({ blue: [...id.blueMachines].sort(), others: [] });
  expect(rows.every((r) => r[0] === 'blue')).toBe(true);
  const cache = rows.find((r) => r[2] === 'cache-b3')!;
  expect(Number(cache[3])).toBeGreaterThan(0);
  expect(cache[3]).toMatch(/^\d+\.\d{3}$/);

  // Another tenant's usage looks absent.
  expect((await page.request.get('/api/v1/usage?tenant=red')).status()).toBe(404);
});

test('an admin sees every tenant, machines of no tenant too, and can pick one tenant', async ({ page }) => {
  await signInAsAdmin(page);
  await navigate(page, 'Usage');
  await expect(page.getByRole('region', { name: 'Totals of Blue team' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Totals of No tenant' })).toBeVisible();
  // The demo's eight machines, blue's two among them; beside them the machines other specs made and deleted this
  // month, and a row per tenant for a machine some spec moved to another tenant and back.
  await expect.poll(async () => {
    const names = await machineNames(page);
    return DEMO_MACHINES.filter((n) => names.includes(n));
  }).toEqual(DEMO_MACHINES);
  // (Other specs make machines of the same names: imports, clones, restores.)
  await expect(rowOf(page, 'web-a1').first()).toContainText('No tenant');
  await expect(rowOf(page, 'cache-b3').first()).toContainText('Blue team');

  await page.getByLabel('Tenant', { exact: true }).selectOption({ label: 'Blue team' });
  await expect.poll(async () => demoSplit(await machineNames(page), ['build-a4', 'cache-b3'])).toEqual({ blue: ['build-a4', 'cache-b3'], others: [] });
  await expect(page.getByRole('region', { name: /^Totals of / })).toHaveCount(1);
});
