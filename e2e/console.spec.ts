import { expect, test, type FrameLocator, type Page } from '@playwright/test';
import { canvasRegion, ConsoleScreen, openMachine, PORTAL_ORIGIN, signInAsAdmin } from './helpers';

// The console in Chromium: noVNC in the page, Nimbox's gateway, vboxsim's VNC server.
// The test compares regions of noVNC's canvas with what vboxsim draws (ConsoleScreen).

// A machine the demo starts and no other test touches.
const MACHINE = 'cache-b3';
const HOST = 'vbox-bravo';
const screen = new ConsoleScreen(MACHINE, HOST);
const expectConnected = (where: Page | FrameLocator) => screen.expectConnected(where);

async function machineId(page: Page): Promise<string> {
  await page.goto('/');
  await openMachine(page, MACHINE);
  return decodeURIComponent(new URL(page.url()).pathname.split('/')[2]);
}

test('previews running machines in the cluster view and on the machine page', async ({ page }) => {
  await signInAsAdmin(page);
  // Previews load once their row is scrolled into view.
  const table = page.getByRole('table', { name: 'Machines' });
  await table.getByRole('link', { name: MACHINE, exact: true }).scrollIntoViewIfNeeded();
  const thumb = table.getByRole('img', { name: `Screen of ${MACHINE}` });
  await expect(thumb).toBeVisible();
  await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(96);
  await machineId(page);
  // The preview loads once scrolled into view.
  const section = page.getByRole('region', { name: 'Console' });
  await section.scrollIntoViewIfNeeded();
  const preview = section.getByRole('img', { name: `Screen of ${MACHINE}` });
  await expect(preview).toBeVisible();
  await expect.poll(() => preview.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(640);
});

test('opens the console of a running machine, shows its screen and types into it', async ({ page }) => {
  await signInAsAdmin(page);
  await machineId(page);
  const section = page.getByRole('region', { name: 'Console' });
  await section.getByRole('button', { name: 'Open console' }).click();
  await expectConnected(page);
  await expect(section.getByText(`on ${HOST}`)).toBeVisible();

  // Keys typed into the canvas reach the machine and come back on its screen.
  await page.locator('[data-testid="console-screen"] canvas').click();
  await page.keyboard.type('hello nimbox 42');
  await screen.expectTyped(page, 'hello nimbox 42');

  // Pasted text is typed too.
  await section.getByRole('button', { name: 'Paste text' }).click();
  const dialog = page.getByRole('dialog', { name: 'Paste text' });
  await dialog.getByLabel('Text to type').fill(' and more');
  await dialog.getByRole('button', { name: 'Type it' }).click();
  await screen.expectTyped(page, 'hello nimbox 42 and more');

  // View only: keys no longer reach the machine.
  await section.getByRole('button', { name: 'View only' }).click();
  await expect(section.getByRole('button', { name: 'View only' })).toHaveAttribute('aria-pressed', 'true');
  await page.locator('[data-testid="console-screen"] canvas').click();
  await page.keyboard.type('zzz');
  await page.waitForTimeout(500);
  expect(await canvasRegion(page, ConsoleScreen.CONSOLE_BOX)).toBe(screen.expected(ConsoleScreen.CONSOLE_BOX, 'hello nimbox 42 and more'));

  // Reconnect: a fresh ticket, the same screen.
  await section.getByRole('button', { name: 'Reconnect' }).click();
  await expectConnected(page);
});

test('opens the full-window console', async ({ page }) => {
  await signInAsAdmin(page);
  const id = await machineId(page);
  await page.getByRole('region', { name: 'Console' }).getByRole('link', { name: 'Full window' }).click();
  await expect(page).toHaveURL(`/vms/${id}/console`);
  await expectConnected(page);
  // It fills the window.
  const box = (await page.getByTestId('console-screen').boundingBox())!;
  const viewport = page.viewportSize()!;
  expect(box.width).toBe(viewport.width);
  expect(box.height).toBeGreaterThan(viewport.height * 0.8);
  await page.getByRole('link', { name: `← ${MACHINE}` }).click();
  await expect(page.getByRole('heading', { level: 1, name: MACHINE })).toBeVisible();
});

test('serves the embeddable console, framable by this site and the configured portal only', async ({ page }) => {
  await signInAsAdmin(page);
  const id = await machineId(page);
  const response = await page.goto(`/embed/console/${id}`);
  expect(response?.headers()['content-security-policy']).toBe(`frame-ancestors 'self' ${PORTAL_ORIGIN}`);
  expect(response?.headers()['referrer-policy']).toBe('no-referrer');
  await expectConnected(page);
  // Nothing else may be framed, by anyone.
  const machinePage = await page.goto(`/vms/${id}`);
  expect(machinePage?.headers()).toMatchObject({ 'content-security-policy': "frame-ancestors 'none'", 'x-frame-options': 'DENY' });

  // In an iframe of a page of the same site.
  await page.goto('/');
  await page.evaluate((src) => {
    const frame = document.createElement('iframe');
    frame.src = src;
    frame.title = 'Embedded console';
    frame.style.cssText = 'position:fixed;inset:0;width:800px;height:640px;z-index:100;background:white';
    document.body.append(frame);
  }, `/embed/console/${id}?viewOnly=1`);
  const embedded = page.frameLocator('iframe[title="Embedded console"]');
  await expectConnected(embedded);
  await expect(embedded.getByRole('button', { name: 'View only' })).toHaveAttribute('aria-pressed', 'true');
});
