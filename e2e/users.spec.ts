import { expect, test, type Browser, type Page } from '@playwright/test';
import { navigate, signInAsAdmin } from './helpers';

/*
 * Local users (issue 20), as an admin works with them in the console: add a user, reset their password
 * (the generated one is shown once), disable them (their open browser is sent to the sign-in page at its
 * next step), enable and delete them. The user's own side (new password, TOTP) is e2e/two-factor.spec.ts's.
 */

const FIRST_PASSWORD = 'amber-falcon-orchard-ladder';
const OWN_PASSWORD = 'copper thistle meadow lantern';

/** Signs in on the sign-in page of a fresh browser as a local user (no wait for the cluster: a pending step may come first). */
async function signInAs(browser: Browser, username: string, password: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto('/login');
  const realm = page.getByLabel('Sign in with');
  if ((await realm.count()) > 0) await realm.selectOption({ label: 'Nimbox account' });
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: /sign in/i }).click();
  return page;
}

test('an admin adds a local user, resets their password, disables, enables and deletes them', async ({ page, browser }) => {
  const name = `carol-${Date.now().toString(36)}`;
  await signInAsAdmin(page);
  await navigate(page, 'Users');
  await expect(page.getByRole('heading', { level: 1, name: 'Users' })).toBeVisible();
  const table = page.getByRole('table', { name: 'Users' });
  const row = table.getByRole('row').filter({ hasText: name });

  // Add: an operator of tenant blue with a password the admin chose; the policy refuses a common one first.
  await page.getByRole('button', { name: 'Add user' }).click();
  const add = page.getByRole('dialog', { name: 'Add user' });
  await add.getByLabel('User name').fill(name);
  await add.getByLabel('Role').selectOption({ label: 'Operator' });
  await add.getByLabel('Tenant').selectOption('blue');
  await add.getByLabel('Set a password').check();
  await add.getByLabel(/^Password/).fill('password1234');
  await add.getByRole('button', { name: 'Add user' }).click();
  await expect(add.locator('[data-field="password"]')).toContainText('common passwords');
  await add.getByLabel(/^Password/).fill(FIRST_PASSWORD);
  await add.getByRole('button', { name: 'Add user' }).click();
  await expect(add).toBeHidden();
  await expect(row).toContainText('Operator');
  await expect(row).toContainText('blue');
  await expect(row).toContainText('Local');
  await expect(row).toContainText('Must change password');

  // Reset: Nimbox generates the password and shows it once.
  await page.getByRole('button', { name: `Reset password ${name}` }).click();
  await page.getByRole('dialog', { name: `Reset the password of ${name}?` }).getByRole('button', { name: 'Reset password' }).click();
  const shown = page.getByRole('dialog', { name: `New password of ${name}` });
  const generated = await shown.getByLabel('Password').inputValue();
  expect(generated.length).toBeGreaterThanOrEqual(16);
  await shown.getByRole('button', { name: 'Done' }).click();
  await expect(shown).toBeHidden();

  // The user signs in with it (the old one no longer works) and must choose their own password first.
  const user = await signInAs(browser, name, generated);
  await expect(user).toHaveURL(/\/account\/security$/);
  await expect(user.getByText('Your password was set by an administrator.')).toBeVisible();
  await user.getByLabel('Current password').fill(generated);
  await user.getByLabel(/^New password/).fill(OWN_PASSWORD);
  await user.getByLabel('Repeat the new password').fill(OWN_PASSWORD);
  await user.getByRole('button', { name: 'Change password' }).click();
  await expect(user.getByRole('heading', { name: 'Cluster' })).toBeVisible();
  await expect(user.getByTestId('current-user')).toContainText(`${name} · operator`);

  // Disable: the user's open browser is sent to the sign-in page at its next step, and its API calls are refused.
  await page.reload();
  await expect(row).not.toContainText('Must change password');
  await page.getByRole('button', { name: `Disable ${name}` }).click();
  await page.getByRole('dialog', { name: `Disable ${name}?` }).getByRole('button', { name: 'Disable user' }).click();
  await expect(row).toContainText('Disabled');
  expect((await user.request.get('/api/v1/me')).status()).toBe(401);
  // Its next page (its own live updates may get there first, answered 401) is the sign-in page.
  await user.goto('/hosts');
  await expect(user).toHaveURL(/\/login/);

  // Enable: they sign in again with their own password.
  await page.getByRole('button', { name: `Enable ${name}` }).click();
  await expect(row).toContainText('Active');
  const again = await signInAs(browser, name, OWN_PASSWORD);
  await expect(again.getByRole('heading', { name: 'Cluster' })).toBeVisible();

  // Delete: gone from the list, and the signed-in browser with it.
  await page.getByRole('button', { name: `Delete ${name}` }).click();
  await page.getByRole('dialog', { name: `Delete ${name}?` }).getByRole('button', { name: 'Delete user' }).click();
  await expect(row).toHaveCount(0);
  await again.goto('/hosts');
  await expect(again).toHaveURL(/\/login/);

  // The admin cannot disable or delete their own account (the server refuses it too).
  const self = table.getByRole('row').filter({ has: page.getByText('You', { exact: true }) });
  await expect(self.getByRole('button', { name: /^Disable/ })).toBeDisabled();
  await expect(self.getByRole('button', { name: /^Delete/ })).toBeDisabled();
});
