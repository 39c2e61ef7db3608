import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, type Page } from '@playwright/test';

/** The local admin's password the e2e stack (e2e/server.ts) starts Nimbox with. */
export const ADMIN_PASSWORD = 'e2e-Admin-passw0rd';

/** Where e2e/server.ts wrote the simulated hosts' SOAP and control URLs. */
export const SIM_HOSTS_FILE = path.join(os.tmpdir(), 'nimbox-e2e-sim.json');

export const simHosts = () => JSON.parse(fs.readFileSync(SIM_HOSTS_FILE, 'utf8')) as { name: string; url: string; control?: string }[];

/** Signs in as the local admin (a visitor without a session is sent to /login) and waits for the cluster view. */
export async function signInAsAdmin(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: /sign in/i }).click();
  await expect(page.getByRole('heading', { name: 'Cluster' })).toBeVisible();
}
