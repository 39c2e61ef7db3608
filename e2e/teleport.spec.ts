import { expect, test, type Page } from '@playwright/test';
import { canvasRegion, ConsoleScreen, openMachine, signInAsAdmin } from './helpers';

// Teleporting in Chromium: from the machine page's toolbar, through the preflight, to the
// machine running on the other host — watched live in the cluster view (a second tab) and in the
// machine's console, which reconnects to the new host by itself and shows the same screen.

// A machine the demo starts on alpha and no other test touches.
const MACHINE = 'cache-a3';
const FROM = 'vbox-alpha';
const TO = 'vbox-bravo';

/** The console is connected to the machine's screen on `host` (the title band names the host it runs on). */
async function expectConnectedOn(page: Page, host: string, typed: string) {
  const section = page.getByRole('region', { name: 'Console' });
  await expect(page.getByTestId('console')).toHaveAttribute('data-status', 'connected', { timeout: 30_000 });
  await expect(section.getByText(`on ${host}`)).toBeVisible();
  const screen = new ConsoleScreen(MACHINE, host);
  await expect.poll(() => canvasRegion(page, ConsoleScreen.TITLE), { timeout: 15_000 }).toBe(screen.expected(ConsoleScreen.TITLE));
  await expect.poll(() => canvasRegion(page, ConsoleScreen.CONSOLE_BOX), { timeout: 15_000 }).toBe(screen.expected(ConsoleScreen.CONSOLE_BOX, typed));
}

test('teleports a running machine from its page: it appears on the other host in the cluster view, its console reconnects', async ({ page, context }) => {
  test.setTimeout(120_000);
  await signInAsAdmin(page);

  // The cluster view, in a second tab, shows the machine's row on alpha.
  const cluster = await context.newPage();
  await cluster.goto(`/?q=${MACHINE}`);
  const row = cluster.getByRole('table', { name: 'Machines' }).getByRole('row').filter({ has: cluster.getByRole('link', { name: MACHINE, exact: true }) });
  await expect(row).toContainText(FROM);
  await expect(row).toContainText('Running');

  // The machine page, its console open, something typed on its screen.
  await page.bringToFront();
  await page.goto(`/?q=${MACHINE}`);
  await openMachine(page, MACHINE);
  await expect(page.getByText(`On host ${FROM}`)).toBeVisible();
  const section = page.getByRole('region', { name: 'Console' });
  await section.getByRole('button', { name: 'Open console' }).click();
  await expect(page.getByTestId('console')).toHaveAttribute('data-status', 'connected', { timeout: 30_000 });
  await page.locator('[data-testid="console-screen"] canvas').click();
  await page.keyboard.type('before the move');
  await expectConnectedOn(page, FROM, 'before the move');

  // Teleport: the dialog chooses the other host and shows the checks.
  await page.getByRole('toolbar', { name: 'Machine actions' }).getByRole('button', { name: 'Teleport' }).click();
  const dialog = page.getByRole('dialog', { name: `Teleport ${MACHINE}` });
  await expect(dialog.getByLabel('Target host').locator('option:checked')).toContainText(TO);
  const checks = dialog.getByRole('list', { name: 'Preflight checks' });
  await expect(checks.getByRole('listitem')).toHaveCount(10, { timeout: 15_000 });
  await expect(checks.locator('[data-status="failed"]')).toHaveCount(0);
  await expect(checks.locator('[data-check="tenant"]')).toContainText('belongs to no tenant');
  // alpha has an Intel CPU, bravo an AMD one: a warning that says what would make it safe.
  const cpu = checks.locator('[data-check="cpu"]');
  await expect(cpu).toHaveAttribute('data-status', 'warning');
  await expect(cpu).toContainText('What to do:');
  await expect(checks.locator('[data-check="twin"]')).toContainText('registers a twin');
  await expect(dialog.getByText(/^Ready, with \d+ warnings?\.$/)).toBeVisible();
  await dialog.getByRole('button', { name: `Teleport to ${TO}` }).click();
  await expect(dialog).toBeHidden();

  // The task's progress beside the toolbar, to the end.
  const card = page.getByRole('article', { name: `Teleport ${MACHINE} from ${FROM} to ${TO}` });
  await expect(card).toBeVisible();
  await expect(card).toHaveAttribute('data-status', 'succeeded', { timeout: 30_000 });
  await expect(card).toContainText(`${MACHINE} runs on ${TO}`);
  await expect(page.getByText(`On host ${TO} (also registered on ${FROM})`)).toBeVisible({ timeout: 15_000 });

  // The console reconnected by itself to the new host: the same guest, what was typed still there.
  await expectConnectedOn(page, TO, 'before the move');

  // The cluster view moved the row to bravo, live, without a reload.
  await expect(row).toContainText(TO, { timeout: 15_000 });
  await expect(row).toContainText('Running');
  await expect(row).not.toContainText(FROM);
  await expect(cluster.getByRole('table', { name: 'Machines' }).getByRole('link', { name: MACHINE, exact: true })).toHaveCount(1);
});
