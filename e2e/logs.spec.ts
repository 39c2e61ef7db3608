import fs from 'node:fs';
import { expect, test } from '@playwright/test';
import { apiCall, machineIdOf, openMachine, runApiTask, signInAsAdmin } from './helpers';

// db-a2 is powered off in the demo set (cluster.spec.ts may have started it already); it runs here and is powered off at the end.
const NAME = 'db-a2';

test("reads a machine's VBox.log: the header, a search, following it while it stops, and the download", async ({ page }) => {
  test.setTimeout(120_000);
  await signInAsAdmin(page);
  const id = await machineIdOf(page, NAME);
  const state = (await apiCall<{ state: string }>(page.request, 'GET', `/api/v1/vms/${id}`)).json.state;
  if (state !== 'Running') await runApiTask(page.request, 'POST', `/api/v1/vms/${id}/actions`, { action: 'start' });

  await openMachine(page, NAME);
  const logs = page.getByRole('region', { name: 'Logs' });
  await logs.scrollIntoViewIfNeeded();
  await expect(logs).toContainText('read from vbox-alpha, where the machine runs.');
  await expect(logs.getByLabel('File')).toContainText('VBox.log');
  const text = logs.getByRole('log', { name: `VBox.log of ${NAME}` });
  // VirtualBox's header line, and the machine coming up.
  await expect(text).toContainText(/VirtualBox VM \d+\.\d+\.\d+ r\d+ linux\.amd64 \(.+\) release log/);
  await expect(text).toContainText(new RegExp(`Name +<string>  = "${NAME}"`));
  await expect(text).toContainText("Console: Machine state changed to 'Running'");

  // Search: both lines that name POWERING_ON, marked, the current one moving with Next.
  const search = logs.getByRole('searchbox', { name: 'Search' });
  await search.fill('powering_on');
  await expect(logs.getByText('1 of 2')).toBeVisible();
  await expect(text.locator('mark')).toHaveCount(2);
  await expect(text.locator('mark').first()).toHaveAttribute('data-current', 'true');
  await logs.getByRole('button', { name: 'Next match' }).click();
  await expect(logs.getByText('2 of 2')).toBeVisible();
  await expect(text.locator('mark').nth(1)).toHaveAttribute('data-current', 'true');
  await search.fill('no such words');
  await expect(logs.getByText('No matches')).toBeVisible();
  await search.fill('');

  // Follow: stopping the machine brings its power-off lines to the screen, without a reload.
  await expect(logs.getByLabel('Follow')).toBeChecked();
  await runApiTask(page.request, 'POST', `/api/v1/vms/${id}/actions`, { action: 'poweroff' });
  await expect(text).toContainText("Console::powerDown(): A request to power off the VM has been issued (mMachineState=Stopping, InUninit=0)", { timeout: 15_000 });
  await expect(text).toContainText("Changing the VM state from 'DESTROYING' to 'TERMINATED'");
  await expect(text).toContainText("Console: Machine state changed to 'PoweredOff'");
  await expect(logs).toContainText('read from vbox-alpha, where the machine last ran.');

  // The download is the whole file, the header first and the power-off last.
  const download = page.waitForEvent('download');
  await logs.getByRole('link', { name: 'Download VBox.log' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe(`${NAME}-VBox.log`);
  const body = fs.readFileSync((await file.path())!, 'utf8');
  expect(body.split('\n')[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{6} VirtualBox VM .* release log$/);
  expect(body.trimEnd().split('\n').at(-1)).toMatch(/Console: Machine state changed to 'PoweredOff'$/);
  const shown = (await text.innerText()).trim();
  expect(body.trim().endsWith(shown.split('\n').at(-1)!)).toBe(true);
});
