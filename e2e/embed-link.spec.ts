import http from 'node:http';
import { expect, test, type APIRequestContext, type Browser, type Page } from '@playwright/test';
import { ConsoleScreen, PORTAL_ORIGIN, signInAsAdmin } from './helpers';

// Embed links in Chromium: a team portal on another site (localhost, not 127.0.0.1, on
// its own port) frames a machine's console with a link its back end made with an API
// token; the portal's visitors have no Nimbox session. e2e/server.ts allows the portal
// in NIMBOX_FRAME_ANCESTORS.

// A running demo machine that no other test types into.
const MACHINE = 'web-b1';
const screen = new ConsoleScreen(MACHINE, 'vbox-bravo');

let portal: http.Server;

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

test.beforeAll(async () => {
  // The portal: a page with the console's iframe (its src from the query, as a back end would fill it in).
  portal = http.createServer((req, res) => {
    const src = new URL(req.url ?? '/', PORTAL_ORIGIN).searchParams.get('src') ?? '';
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>Team portal</title><h1>Team portal</h1><iframe title="Machine console" src="${escapeAttr(src)}" width="900" height="700"></iframe>`);
  });
  await new Promise<void>((resolve) => portal.listen(Number(new URL(PORTAL_ORIGIN).port), '127.0.0.1', resolve));
});

test.afterAll(async () => {
  await new Promise((resolve) => portal.close(resolve));
});

/** A visitor of the portal: a browser context that has never signed in to Nimbox. */
async function portalVisitor(browser: Browser, embedUrl: string): Promise<Page> {
  const visitor = await browser.newContext();
  const page = await visitor.newPage();
  await page.goto(`${PORTAL_ORIGIN}/?src=${encodeURIComponent(embedUrl)}`);
  await expect(page.getByRole('heading', { name: 'Team portal' })).toBeVisible();
  return page;
}

async function machineIdOf(api: APIRequestContext): Promise<string> {
  const res = await api.get(`/api/v1/vms?q=${MACHINE}`);
  expect(res.status()).toBe(200);
  return ((await res.json()) as { items: { id: string; name: string }[] }).items.find((m) => m.name === MACHINE)!.id;
}

test("a portal frames a machine's console with links made with an API token; its visitors need no session", async ({ page, browser, playwright, baseURL }) => {
  // The portal's owner makes an API token on their account page: shown once, to copy …
  await signInAsAdmin(page);
  await page.getByTestId('current-user').click();
  await expect(page.getByRole('heading', { level: 1, name: 'Account' })).toBeVisible();
  await page.getByRole('button', { name: 'New token' }).click();
  const dialog = page.getByRole('dialog', { name: 'New API token' });
  await dialog.getByLabel('Name').fill('team portal');
  await dialog.getByLabel('Expires after').selectOption({ label: '30 days' });
  await dialog.getByRole('button', { name: 'Create token' }).click();
  await expect(dialog.getByText('it is not shown again')).toBeVisible();
  const token = await dialog.getByLabel('Token team portal').inputValue();
  expect(token).toMatch(/^nbx_[A-Za-z0-9_-]{43}$/);
  await dialog.getByRole('button', { name: 'Done' }).click();
  const tokens = page.getByRole('table', { name: 'API tokens' });
  const tokenRow = tokens.getByRole('row').filter({ hasText: 'team portal' });
  await expect(tokenRow).toContainText(token.slice(0, 14));
  await expect(tokenRow).toContainText('Never');

  // … and the portal's back end mints links with it.
  const api = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
  const id = await machineIdOf(api);
  const mint = async (viewOnly: boolean) => {
    const res = await api.post(`/api/v1/vms/${id}/embed-links`, { data: { viewOnly, expiresInSeconds: 600 } });
    expect(res.status()).toBe(201);
    return (await res.json()) as { url: string; viewOnly: boolean };
  };

  // View-only: the screen shows, typing reaches nothing.
  const watch = await mint(true);
  expect(watch.url.startsWith(`${baseURL}/embed/console/${id}?link=`)).toBe(true);
  const visitor = await portalVisitor(browser, watch.url);
  expect(await visitor.context().cookies(baseURL)).toEqual([]);
  const frame = visitor.frameLocator('iframe[title="Machine console"]');
  await screen.expectConnected(frame);
  const viewOnly = frame.getByRole('button', { name: 'View only' });
  await expect(viewOnly).toHaveAttribute('aria-pressed', 'true');
  await expect(viewOnly).toBeDisabled();
  await expect(frame.getByText('Watch only')).toBeVisible();
  await expect(frame.getByRole('button', { name: 'Ctrl+Alt+Del' })).toBeDisabled();
  await frame.locator('[data-testid="console-screen"] canvas').click();
  await visitor.keyboard.type('not me');
  await visitor.waitForTimeout(500);
  await screen.expectTyped(frame, '');

  // The same page served from a site that NIMBOX_FRAME_ANCESTORS does not name: the browser refuses to frame it.
  const elsewhere = PORTAL_ORIGIN.replace('localhost', '127.0.0.1');
  await visitor.goto(`${elsewhere}/?src=${encodeURIComponent(watch.url)}`);
  await expect(visitor.getByRole('heading', { name: 'Team portal' })).toBeVisible();
  await visitor.waitForTimeout(2_000);
  await expect(frame.getByTestId('console')).toHaveCount(0);

  // Interactive: the visitor types into the machine.
  const use = await mint(false);
  await visitor.goto(`${PORTAL_ORIGIN}/?src=${encodeURIComponent(use.url)}`);
  await screen.expectConnected(frame);
  await expect(frame.getByRole('button', { name: 'View only' })).toBeEnabled();
  await expect(frame.getByText('Watch only')).toHaveCount(0);
  await frame.locator('[data-testid="console-screen"] canvas').click();
  await visitor.keyboard.type('hello from the portal');
  await screen.expectTyped(frame, 'hello from the portal');

  // The account page shows the token in use; revoking it there kills its links: the portal's next
  // visit gets the refusal, not a sign-in page.
  await page.reload();
  await expect(tokenRow.getByText('Never')).toHaveCount(0);
  await tokenRow.getByRole('button', { name: 'Revoke team portal' }).click();
  await page.getByRole('dialog', { name: 'Revoke token team portal?' }).getByRole('button', { name: 'Revoke token' }).click();
  await expect(tokenRow).toHaveCount(0);
  await visitor.reload();
  await expect(frame.getByTestId('link-refused')).toContainText('Console link revoked');
  await expect(frame.getByTestId('link-refused')).toContainText('API token is gone');
  await api.dispose();
  await visitor.context().close();
});

test('the machine page makes a view-only embed link to copy', async ({ page, browser }) => {
  await signInAsAdmin(page);
  await page.getByRole('table', { name: 'Machines' }).getByRole('link', { name: MACHINE, exact: true }).click();
  const section = page.getByRole('region', { name: 'Console' });
  await section.getByRole('button', { name: 'Open console' }).click();
  await section.getByRole('button', { name: 'Embed link…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Embed link' });
  await expect(dialog.getByLabel(/View only/)).toBeChecked();
  await dialog.getByLabel('Valid for').selectOption({ label: '1 hour' });
  await dialog.getByRole('button', { name: 'Create link' }).click();
  const url = await dialog.getByLabel('Link').inputValue();
  expect(url).toContain('/embed/console/');
  await expect(dialog.getByLabel('iframe')).toHaveValue(new RegExp(`^<iframe src="${url.replace(/[.?*+^$()[\]{}|\\]/g, '\\$&').replace(/&/g, '&amp;')}"`));
  await expect(dialog).toContainText(`View-only link to ${MACHINE}`);
  await dialog.getByRole('button', { name: 'Done' }).click();

  // Opened by someone without a session, it shows the console, view-only.
  const visitor = await portalVisitor(browser, url);
  const frame = visitor.frameLocator('iframe[title="Machine console"]');
  await screen.expectConnected(frame);
  await expect(frame.getByRole('button', { name: 'View only' })).toBeDisabled();
  await visitor.context().close();
});
