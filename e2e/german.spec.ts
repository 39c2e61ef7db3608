import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { ADMIN_PASSWORD, apiCall, runApiTask } from './helpers';

// The console in German, as a browser set to German gets it (issue 20): sign-in, cluster page, the
// create wizard to a new machine, that machine's page and console; dates and sizes in German form.
// The texts come from the catalogs themselves, so the test follows their wording while checking
// that what shows is the German one, never the English.

type Catalog = Record<string, unknown>;
const catalog = (locale: string, ns: string): Catalog => JSON.parse(fs.readFileSync(path.join(process.cwd(), 'messages', locale, `${ns}.json`), 'utf8')) as Catalog;
const lookup = (locale: string, ns: string, key: string, values: Record<string, string> = {}): string => {
  let v: unknown = catalog(locale, ns);
  for (const part of key.split('.')) v = (v as Catalog | undefined)?.[part];
  if (typeof v !== 'string') throw new Error(`no message ${locale}/${ns}.${key}`);
  return v.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? `{${name}}`);
};
/** The German text of a key, checked to differ from the English one (else it would prove nothing). */
const de = (ns: string, key: string, values?: Record<string, string>) => {
  const german = lookup('de', ns, key, values);
  expect(german, `${ns}.${key} is translated`).not.toBe(lookup('en', ns, key, values));
  return german;
};
const en = (ns: string, key: string, values?: Record<string, string>) => lookup('en', ns, key, values);

const NAME = `e2e-de-${Date.now().toString(36)}`;

/** Signs in on the (German) sign-in page as the local admin; lands on the cluster page. */
async function signInGerman(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page).toHaveURL(/\/login/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
  await page.getByLabel(de('signin', 'username')).fill('admin');
  await page.getByLabel(de('signin', 'password'), { exact: true }).fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: lookup('de', 'signin', 'signIn'), exact: true }).click();
  await expect(page).toHaveURL(/\/$/);
}

/** A fresh browser that asks for German (Accept-Language: de-DE, navigator.language de-DE). */
const germanBrowser = (browser: Browser) => browser.newContext({ locale: 'de-DE', baseURL: `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 3555)}` });

test.describe('German', () => {
  test.use({ locale: 'de-DE' });

  // Whatever happens, the admin ends up following the browser's language again: the other specs read English.
  test.afterAll(async ({ browser }) => {
    const ctx = await germanBrowser(browser);
    const page = await ctx.newPage();
    await signInGerman(page).catch(() => undefined);
    await apiCall(page.request, 'PUT', '/api/v1/me/locale', { locale: null }).catch(() => undefined);
    await ctx.close();
  });

  test('a German browser gets the console in German: cluster, create wizard, machine and console', async ({ page }) => {
    test.setTimeout(180_000);
    await signInGerman(page);

    // --- The cluster page: the shell, the page and the machine table speak German.
    await expect(page.locator('html')).toHaveAttribute('lang', 'de');
    const nav = page.getByRole('navigation', { name: de('shell', 'mainNav') });
    for (const key of ['media', 'networks', 'tasks', 'usage', 'tenants', 'audit']) {
      await expect(nav.getByRole('link', { name: de('shell', `nav.${key}`), exact: true })).toBeVisible();
    }
    await expect(nav.getByRole('link', { name: en('shell', 'nav.tasks'), exact: true })).toHaveCount(0);
    await expect(page.getByText(de('pages', 'cluster.description'))).toBeVisible();
    await expect(page.getByRole('button', { name: de('shell', 'signOut') })).toBeVisible();
    await expect(page.getByRole('table', { name: de('cluster', 'table.label') })).toBeVisible();
    await expect(page.getByRole('columnheader', { name: de('cluster', 'table.col.memory') })).toBeVisible();
    await expect(page).toHaveTitle(`${lookup('de', 'pages', 'titles.cluster')} · Nimbox`);

    // --- The create wizard, step by step, to a new machine of 1.5 GiB ("1,5 GiB").
    await page.getByRole('link', { name: de('pages', 'cluster.newMachine') }).click();
    await expect(page.getByRole('heading', { level: 1, name: de('pages', 'titles.newMachine') })).toBeVisible();
    await expect(page).toHaveTitle(`${de('pages', 'titles.newMachine')} · Nimbox`);
    const steps = page.getByRole('navigation', { name: de('vmCreate', 'stepsNav') });
    await expect(steps.getByRole('button', { name: de('vmCreate', 'steps.Placement') })).toBeVisible();
    const next = page.getByRole('button', { name: de('vmCreate', 'next'), exact: true });
    await next.click();

    // System: a name is required, in German.
    await next.click();
    await expect(page.getByText(de('vmCreate', 'errors.name'))).toBeVisible();
    await page.getByRole('textbox', { name: lookup('de', 'vmCreate', 'system.name'), exact: true }).fill(NAME);
    const os = page.getByLabel(de('vmCreate', 'system.osType'));
    await expect(os.locator('option')).not.toHaveCount(0);
    await os.selectOption('Debian12_64');
    await page.getByLabel(de('vmCreate', 'system.memoryMB'), { exact: true }).fill('1536');
    await next.click();
    await expect(page.getByText(de('vmCreate', 'network.adapterType')).first()).toBeVisible();
    await next.click();
    await expect(page.getByLabel(de('vmCreate', 'storage.newDisk'))).toBeVisible();
    await next.click();
    await expect(page.getByLabel(lookup('de', 'vmCreate', 'console.password'))).toHaveAttribute('type', 'password');
    await next.click();

    // Review: the memory in German digits.
    await expect(page.getByText('1,5 GiB', { exact: true })).toBeVisible();
    await expect(page.getByText('1.5 GiB', { exact: true })).toHaveCount(0);
    await page.getByRole('button', { name: de('vmCreate', 'create') }).click();
    await expect(page.getByText(de('vmCreate', 'progress.created', { name: NAME }))).toBeVisible({ timeout: 60_000 });
    await page.getByRole('link', { name: de('vmCreate', 'progress.open', { name: NAME }) }).click();

    // --- The machine's page: German labels and state, the size in German form.
    await expect(page.getByRole('heading', { level: 1, name: NAME })).toBeVisible();
    const id = decodeURIComponent(new URL(page.url()).pathname.split('/')[2]);
    await expect(page.getByText(de('vmState', 'PoweredOff')).first()).toBeVisible();
    await expect(page.getByText(de('vmDetail', 'system.memory')).first()).toBeVisible();
    await expect(page.getByText('1,5 GiB').first()).toBeVisible();
    await page.getByRole('toolbar', { name: de('vmActions', 'toolbar') }).getByRole('button', { name: de('vmActions', 'action.start'), exact: true }).click();
    await expect(page.getByText(de('vmState', 'Running')).first()).toBeVisible({ timeout: 30_000 });

    // --- The machine's console page: connected, its controls in German.
    await page.goto(`/vms/${id}/console`);
    await expect(page.getByTestId('console')).toHaveAttribute('data-status', 'connected', { timeout: 20_000 });
    await expect(page.getByTestId('console-status')).toHaveText(de('consoleViewer', 'status.connected'));
    await expect(page.getByRole('button', { name: de('consoleViewer', 'paste') })).toBeVisible();
    await expect(page).toHaveTitle(`${de('pages', 'titles.console')} · Nimbox`);

    // A problem the server answers in English ("Invalid console link"), shown in German; its detail stays as sent.
    await page.goto(`/embed/console/${id}?link=not-a-link`);
    const refused = page.getByTestId('link-refused');
    await expect(refused.getByRole('heading', { name: de('problems', 'titles.invalidConsoleLink') })).toBeVisible();
    await expect(refused).toContainText('This console link is not valid.');

    // --- The account page: a date in German form (the session's end, "06.12.2026, 21:15:30").
    await page.goto('/account');
    await expect(page.getByRole('heading', { level: 1, name: de('account', 'title') })).toBeVisible();
    const sessions = page.getByRole('table', { name: de('account', 'sessions.table') });
    await expect(sessions.getByRole('cell').filter({ hasText: /^\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}:\d{2}$/ }).first()).toBeVisible();

    // Clean up: the demo's other specs count machines.
    await runApiTask(page.request, 'POST', `/api/v1/vms/${id}/actions`, { action: 'poweroff' });
    await runApiTask(page.request, 'DELETE', `/api/v1/vms/${id}?deleteDisks=true`);
  });

  test('the language chosen on the account page sticks to the user, in every browser', async ({ page, browser }) => {
    await signInGerman(page);
    await page.goto('/account');
    const switcher = page.getByTestId('language-switch');
    await expect(switcher.getByRole('radio', { name: de('account', 'language.browser') })).toBeChecked();

    // English chosen: this page at once, without reloading by hand.
    await switcher.getByRole('radio', { name: 'English' }).check();
    await expect(page.getByRole('heading', { level: 1, name: en('account', 'title') })).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    expect((await apiCall<{ locale: string | null }>(page.request, 'GET', '/api/v1/me')).json.locale).toBe('en');

    // Another browser, also asking for German: signed in, the admin's choice wins.
    const other = await germanBrowser(browser);
    try {
      const second = await other.newPage();
      await signInGerman(second);
      await expect(second.locator('html')).toHaveAttribute('lang', 'en');
      await expect(second.getByRole('heading', { level: 1, name: en('pages', 'titles.cluster') })).toBeVisible();
      await expect(second.getByRole('navigation', { name: en('shell', 'mainNav') }).getByRole('link', { name: en('shell', 'nav.tasks') })).toBeVisible();

      // Back to the browser's language there: German again, and so in the first browser on its next page.
      await second.goto('/account');
      await second.getByTestId('language-switch').getByRole('radio', { name: en('account', 'language.browser') }).check();
      await expect(second.getByRole('heading', { level: 1, name: de('account', 'title') })).toBeVisible();
    } finally {
      await other.close();
    }
    await page.goto('/');
    await expect(page.locator('html')).toHaveAttribute('lang', 'de');
    await expect(page.getByRole('link', { name: de('pages', 'cluster.newMachine') })).toBeVisible();
  });
});

test('a browser without German still gets English', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/login/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.getByLabel(en('signin', 'username')).fill('admin');
  await page.getByLabel(en('signin', 'password'), { exact: true }).fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: en('signin', 'signIn'), exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Cluster' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Task history' })).toBeVisible();
  await expect(page.getByText('Every machine on every host, updated live.')).toBeVisible();
});
