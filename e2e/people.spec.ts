import { expect, test, type Page } from '@playwright/test';
import { Secret, TOTP } from 'otpauth';
import { navigate, signInAsAdmin } from './helpers';

/*
 * Issue 20's people flow: an admin adds a local user on the Users page; the user signs in with the
 * initial password, is made to choose their own, turns on two-factor sign-in on the account page
 * (the test reads the secret shown, as an app would from the QR code, and computes the codes with
 * otpauth), then signs in with password + code, and once with a recovery code.
 */

const USERNAME = 'petra.e2e';
const INITIAL = 'Initial-Quartz-Meadow-71';
const CHOSEN = 'Lantern-Orbit-Pebble-2026';

/** The code an authenticator app shows for `secret`, `steps` periods of 30 s from now. */
const appCode = (secret: string, steps = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: Date.now() + steps * 30_000 });

async function signInWithPassword(page: Page, password: string) {
  await page.goto('/login');
  await page.getByLabel('Username').fill(USERNAME);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: /sign in/i }).click();
}

async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out' }).first().click();
  await expect(page).toHaveURL(/\/login/);
}

test('an admin adds a user, who changes the password, turns on two-factor sign-in and signs in with a code and a recovery code', async ({ page, browser }) => {
  test.setTimeout(120_000);
  await signInAsAdmin(page);
  await navigate(page, 'Users');
  await expect(page.getByRole('heading', { level: 1, name: 'Users' })).toBeVisible();
  // The admin's two-factor policy card says whom it binds.
  await expect(page.getByRole('region', { name: 'Two-factor sign-in required for roles' })).toContainText('PAM and LDAP users are not affected');

  await page.getByRole('button', { name: 'Add user' }).click();
  const add = page.getByRole('dialog', { name: 'Add user' });
  await add.getByLabel('User name').fill(USERNAME);
  await add.getByLabel('Role').selectOption({ label: 'Operator' });
  await add.getByLabel('Tenant').selectOption('blue');
  await add.getByLabel('Set a password').check();
  await add.getByRole('textbox', { name: 'Password', exact: true }).fill(INITIAL);
  await add.getByRole('button', { name: 'Add user' }).click();
  await expect(add).toBeHidden();
  // A confirmation may follow (the password shown once): close it.
  const done = page.getByRole('button', { name: 'Done' });
  if (await done.isVisible().catch(() => false)) await done.click();
  await expect(page.getByRole('table', { name: 'Users' }).getByRole('row', { name: new RegExp(USERNAME.replace('.', '\\.')) })).toBeVisible();

  // The user, in their own browser: the initial password works once, for choosing their own.
  const context = await browser.newContext();
  const user = await context.newPage();
  await signInWithPassword(user, INITIAL);
  await expect(user).toHaveURL(/\/account\/security/);
  const form = user.getByTestId('password-form');
  await form.getByRole('textbox', { name: 'Current password' }).fill(INITIAL);
  await form.getByRole('textbox', { name: 'New password', exact: true }).fill(CHOSEN);
  await form.getByRole('textbox', { name: 'Repeat the new password' }).fill(CHOSEN);
  await form.getByRole('button', { name: 'Change password' }).click();
  // Done: the security page says so, or goes on to the console.
  await expect(user.getByText('Password changed').or(user.getByRole('heading', { level: 1, name: 'Cluster' }))).toBeVisible();

  // Two-factor sign-in on the account page: QR code, secret, a first code, the recovery codes once.
  await user.goto('/account');
  const section = user.getByRole('region', { name: /Two-factor sign-in/ });
  await expect(section.getByText('Off', { exact: true })).toBeVisible();
  await section.getByRole('button', { name: 'Set up' }).click();
  await expect(section.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
  const secret = await section.getByLabel('Secret key').inputValue();
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await section.getByLabel('Code from the app').fill(appCode(secret));
  await section.getByRole('button', { name: 'Turn on' }).click();
  const codes = section.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
  await expect(codes).toHaveCount(10);
  const recovery = (await codes.allTextContents()).map((c) => c.trim());
  await section.getByRole('button', { name: 'I have saved them' }).click();
  await expect(section.getByText('On', { exact: true })).toBeVisible();
  await expect(section).toContainText('10 recovery codes left.');
  await signOut(user);

  // Password, then the code the app shows (the next step's: the enrollment used this one's, and a code is good once).
  await signInWithPassword(user, CHOSEN);
  const code = user.getByLabel('Authentication code');
  await expect(code).toBeVisible();
  await expect(code).toHaveAttribute('autocomplete', 'one-time-code');
  await expect(code).toHaveAttribute('inputmode', 'numeric');
  // A wrong code is the generic failure.
  const right = appCode(secret, 1);
  await code.fill(right === '000000' ? '000001' : '000000');
  await user.getByRole('button', { name: 'Verify' }).click();
  await expect(user.getByRole('alert').filter({ hasText: 'Sign-in failed' })).toBeVisible();
  await code.fill(right);
  await user.getByRole('button', { name: 'Verify' }).click();
  await expect(user.getByRole('heading', { name: 'Cluster' })).toBeVisible();
  await signOut(user);

  // Once with a recovery code, in the same field.
  await signInWithPassword(user, CHOSEN);
  await user.getByRole('button', { name: 'Use a recovery code' }).click();
  await user.getByLabel('Recovery code').fill(recovery[0]);
  await user.getByRole('button', { name: 'Verify' }).click();
  await expect(user.getByRole('heading', { name: 'Cluster' })).toBeVisible();
  await user.goto('/account');
  await expect(user.getByRole('region', { name: /Two-factor sign-in/ })).toContainText('9 recovery codes left.');
  await context.close();

  // The admin sees the user's 2FA on the Users page.
  await page.reload();
  await expect(page.getByRole('table', { name: 'Users' }).getByRole('row', { name: new RegExp(USERNAME.replace('.', '\\.')) })).toContainText('2FA');
});
