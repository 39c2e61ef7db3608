import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { ADMIN_PASSWORD, signInAsAdmin } from './helpers';

// axe-core on the console's main pages, as the admin sees them (the most controls): no violation
// of impact serious or critical (WCAG 2.x A/AA rules). Each page waits for its data first, so axe
// judges the page a user works with, not its loading skeleton.
const PAGES: { path: string; ready: (page: Page) => Promise<void> }[] = [
  { path: '/', ready: (p) => expect(p.getByRole('table', { name: 'Machines' }).getByRole('link', { name: 'web-a1' })).toBeVisible() },
  { path: '/vms/new', ready: (p) => expect(p.getByRole('heading', { level: 1 })).toBeVisible() },
  { path: '/hosts', ready: (p) => expect(p.getByRole('table', { name: 'Hosts' }).getByRole('row')).not.toHaveCount(1) },
  { path: '/media', ready: (p) => expect(p.getByRole('heading', { level: 1 })).toBeVisible() },
  { path: '/appliances', ready: (p) => expect(p.getByRole('heading', { level: 1 })).toBeVisible() },
  { path: '/networks', ready: (p) => expect(p.getByRole('heading', { level: 1 })).toBeVisible() },
  { path: '/ha', ready: (p) => expect(p.getByRole('heading', { level: 1 })).toBeVisible() },
  { path: '/tasks', ready: (p) => expect(p.getByRole('heading', { level: 1 })).toBeVisible() },
  { path: '/usage', ready: (p) => expect(p.getByRole('heading', { level: 1 })).toBeVisible() },
  { path: '/account', ready: (p) => expect(p.getByRole('heading', { level: 1 })).toBeVisible() },
  { path: '/users', ready: (p) => expect(p.getByRole('heading', { level: 1 })).toBeVisible() },
  { path: '/tenants', ready: (p) => expect(p.getByRole('heading', { level: 1 })).toBeVisible() },
  { path: '/audit', ready: (p) => expect(p.getByRole('heading', { level: 1 })).toBeVisible() },
  { path: '/webhooks', ready: (p) => expect(p.getByRole('heading', { level: 1 })).toBeVisible() },
  { path: '/api-docs', ready: (p) => expect(p.getByRole('heading', { level: 1 })).toBeVisible() },
];

async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

test('the sign-in page has no serious or critical accessibility violation', async ({ page }) => {
  await page.goto('/login');
  await expect(page.getByLabel('Username')).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});

test('the main pages have no serious or critical accessibility violation', async ({ page }) => {
  test.setTimeout(180_000);
  await signInAsAdmin(page);
  const found: Record<string, string[]> = {};
  for (const { path, ready } of PAGES) {
    await page.goto(path);
    await ready(page);
    const v = await seriousViolations(page);
    if (v.length) found[path] = v;
  }
  // The machine page, reached from the cluster view.
  await page.goto('/');
  await page.getByRole('table', { name: 'Machines' }).getByRole('link', { name: 'web-b1', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'web-b1' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Disks' })).toBeVisible();
  const machine = await seriousViolations(page);
  if (machine.length) found['/vms/[web-b1]'] = machine;
  expect(found).toEqual({});
});

test('signs in, moves through the console and works a dialog with the keyboard alone', async ({ page }) => {
  await page.goto('/login');
  // The first field has the focus, or is the first stop of Tab.
  const username = page.getByLabel('Username');
  if (!(await username.evaluate((el) => el === document.activeElement))) {
    for (let i = 0; i < 10 && !(await username.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  }
  await expect(username).toBeFocused();
  await page.keyboard.type('admin');
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Password')).toBeFocused();
  await page.keyboard.type(ADMIN_PASSWORD);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Cluster' })).toBeVisible();

  // The skip link is the first stop, and jumps to the content.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();

  // Tab to the main navigation's Hosts link and follow it with Enter.
  const hostsLink = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Hosts' });
  for (let i = 0; i < 15 && !(await hostsLink.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(hostsLink).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Hosts' })).toBeVisible();

  // A dialog opens from the keyboard, takes the focus, and Escape closes it and gives the focus back.
  const add = page.getByRole('button', { name: 'Add host' });
  for (let i = 0; i < 40 && !(await add.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(add).toBeFocused();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Add host' });
  await expect(dialog).toBeVisible();
  expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  // Tab stays inside the dialog.
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  }
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(add).toBeFocused();

  // A machine's page from the cluster table, by keyboard: its actions are buttons reachable by Tab.
  await page.goto('/');
  const link = page.getByRole('table', { name: 'Machines' }).getByRole('link', { name: 'web-a1', exact: true });
  await expect(link).toBeVisible();
  for (let i = 0; i < 80 && !(await link.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(link).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'web-a1' })).toBeVisible();
});
