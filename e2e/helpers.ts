import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, type APIRequestContext, type FrameLocator, type Locator, type Page } from '@playwright/test';
import { Screen } from '../sim/screen/screen';

/** The local admin's password the e2e stack (e2e/server.ts) starts Nimbox with. */
export const ADMIN_PASSWORD = 'e2e-Admin-passw0rd';

/** A portal on another site (host localhost, not 127.0.0.1) that embed-link.spec.ts serves; e2e/server.ts lets it frame consoles. */
export const PORTAL_ORIGIN = `http://localhost:${Number(process.env.E2E_PORT ?? 3555) + 1}`;

/** Where e2e/server.ts wrote the simulated hosts' SOAP and control URLs. */
export const SIM_HOSTS_FILE = path.join(os.tmpdir(), 'nimbox-e2e-sim.json');

export const simHosts = () => JSON.parse(fs.readFileSync(SIM_HOSTS_FILE, 'utf8')) as { name: string; url: string; control?: string }[];

/** Where e2e/server.ts wrote how to reach VirtualBox's own vboxwebsrv, or why it could not start one. */
export const REAL_VBOX_FILE = path.join(os.tmpdir(), 'nimbox-e2e-real-vbox.json');

/**
 * A real vboxwebsrv 7.1.12 (no kernel driver) that e2e/server.ts started but did not register:
 * its SOAP URL, a folder on this machine for the host's storage path, and one of its bridged interfaces.
 */
export type RealVBox = { url: string; storagePath: string; bridgeAdapter: string } | { skipped: string };

export const realVBox = () => JSON.parse(fs.readFileSync(REAL_VBOX_FILE, 'utf8')) as RealVBox;

/** Signs in as the local admin (a visitor without a session is sent to /login) and waits for the cluster view. */
export async function signInAsAdmin(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: /sign in/i }).click();
  await expect(page.getByRole('heading', { name: 'Cluster' })).toBeVisible();
}

/** Fills and submits a sign-in form, choosing the realm when the form offers several, and waits for the cluster view. */
export async function submitSignIn(page: Page, username: string, password: string, realmLabel?: string): Promise<void> {
  const realm = page.getByLabel('Sign in with');
  if (realmLabel && (await realm.count()) > 0) await realm.selectOption({ label: realmLabel });
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: /sign in/i }).click();
  await expect(page.getByRole('heading', { name: 'Cluster' })).toBeVisible();
}

/** Follows a link of the main navigation (Cluster, Hosts, Tenants, …). */
export async function navigate(page: Page, link: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link }).click();
}

/** On the Hosts page (the stack's two hosts listed), opens "Add host" and types the name, URL and user. */
export async function startAddingHost(page: Page, fields: { name: string; url: string; username: string }): Promise<{ hosts: Locator; dialog: Locator }> {
  await navigate(page, 'Hosts');
  const hosts = page.getByRole('table', { name: 'Hosts' });
  await expect(hosts.getByRole('row')).toHaveCount(1 + 2);
  await page.getByRole('button', { name: 'Add host' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add host' });
  await dialog.getByLabel('Display name').fill(fields.name);
  await dialog.getByLabel('URL').fill(fields.url);
  await dialog.getByLabel('Username').fill(fields.username);
  return { hosts, dialog };
}

/** Opens a machine's page from the cluster view's table (on the page already shown) and waits for its heading. */
export async function openMachine(page: Page, name: string): Promise<void> {
  await page.getByRole('table', { name: 'Machines' }).getByRole('link', { name, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

/** The task card with this title beside the machine's toolbar (or wherever it shows). */
export const taskCard = (scope: Page | Locator, title: string) => scope.getByRole('article', { name: title, exact: true }).first();

/** Waits for a task card to reach `succeeded`, having shown a progress bar. */
export async function expectTaskSucceeds(card: Locator, timeout = 30_000): Promise<void> {
  await expect(card).toBeVisible();
  await expect(card.getByRole('progressbar')).toBeVisible();
  // Until it ends either way, so that a failure shows the task's own message rather than only its status.
  await expect(card).toHaveAttribute('data-status', /^(succeeded|failed|canceled|lost)$/, { timeout });
  expect(await card.getAttribute('data-status'), `task ended: ${await card.innerText()}`).toBe('succeeded');
  await expect(card.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100');
}

export type Region = { x: number; y: number; w: number; h: number };
const WIDTH = 640;
const HEIGHT = 480;

/** RGB bytes of a region of noVNC's canvas (its backing store is the remote screen at 1:1). */
export async function canvasRegion(where: Page | FrameLocator, region: Region): Promise<string> {
  return where.locator('[data-testid="console-screen"] canvas').evaluate((c: HTMLCanvasElement, r: Region) => {
    if (c.width !== 640 || c.height !== 480) return `size ${c.width}x${c.height}`;
    const d = c.getContext('2d')!.getImageData(r.x, r.y, r.w, r.h).data;
    let s = '';
    for (let i = 0; i < d.length; i += 4) s += String.fromCharCode(d[i], d[i + 1], d[i + 2]);
    return btoa(s);
  }, region);
}

/**
 * What vboxsim's VNC server shows for a machine: its screen is a pure function of the
 * machine's name, host, clock and typed text, so tests render the expected pixels
 * themselves and compare regions of noVNC's canvas with them: the title band shows the
 * machine's name, the console box what was typed.
 */
export class ConsoleScreen {
  static readonly TITLE: Region = { x: 0, y: 0, w: WIDTH, h: 44 };
  static readonly CONSOLE_BOX: Region = { x: 16, y: 196, w: WIDTH - 32, h: HEIGHT - 196 - 16 };

  constructor(readonly machine: string, readonly host: string) {}

  /** RGB bytes of a region of the machine's screen with `typed` on its console. */
  expected(region: Region, typed = ''): string {
    const pixels = new Screen({ machineName: this.machine, hostName: this.host, state: { bootedAt: Date.now(), typed } }).render();
    const out = Buffer.alloc(region.w * region.h * 3);
    let o = 0;
    for (let y = region.y; y < region.y + region.h; y++) {
      for (let x = region.x; x < region.x + region.w; x++) {
        const s = (y * WIDTH + x) * 4; // B, G, R, 0
        out[o++] = pixels[s + 2];
        out[o++] = pixels[s + 1];
        out[o++] = pixels[s];
      }
    }
    return out.toString('base64');
  }

  /** The console connected, showing this machine's screen. */
  async expectConnected(where: Page | FrameLocator): Promise<void> {
    await expect(where.getByTestId('console')).toHaveAttribute('data-status', 'connected', { timeout: 20_000 });
    await expect(where.getByTestId('console-status')).toHaveText('Connected');
    await expect.poll(() => canvasRegion(where, ConsoleScreen.TITLE), { timeout: 10_000 }).toBe(this.expected(ConsoleScreen.TITLE));
  }

  /** The console box shows exactly `typed`. */
  async expectTyped(where: Page | FrameLocator, typed: string): Promise<void> {
    await expect.poll(() => canvasRegion(where, ConsoleScreen.CONSOLE_BOX), { timeout: 10_000 }).toBe(this.expected(ConsoleScreen.CONSOLE_BOX, typed));
  }
}

/** A task as the API answers it (the fields the specs read). */
export type ApiTask = { id: string; status: string; targetId: string; error?: { title?: string; detail?: string; resultCode?: string } | null };

/** One API call with the page's session: the status and the parsed body (null when empty). */
export async function apiCall<T>(request: APIRequestContext, method: string, url: string, body?: unknown): Promise<{ status: number; json: T }> {
  const r = await request.fetch(url, { method, data: body === undefined ? undefined : body });
  const text = await r.text();
  return { status: r.status(), json: (text ? JSON.parse(text) : null) as T };
}

/** A machine's id by its name, read with the page's session from GET /api/v1/vms. */
export async function machineIdOf(page: Page, name: string): Promise<string> {
  const r = await apiCall<{ items: { id: string; name: string }[] }>(page.request, 'GET', `/api/v1/vms?q=${encodeURIComponent(name)}`);
  const m = r.json.items.find((x) => x.name === name);
  expect(m, `${name} in GET /api/v1/vms`).toBeTruthy();
  return m!.id;
}

/** Starts a task through the API (202, the task or `{ task }`) and waits for it to succeed. */
export async function runApiTask(request: APIRequestContext, method: string, url: string, body?: unknown): Promise<ApiTask> {
  const r = await apiCall<ApiTask & { task?: ApiTask }>(request, method, url, body);
  expect(r.status, `${method} ${url}: ${JSON.stringify(r.json)}`).toBe(202);
  const id = r.json.task?.id ?? r.json.id;
  let task: ApiTask | undefined;
  await expect
    .poll(async () => {
      task = (await apiCall<ApiTask>(request, 'GET', `/api/v1/tasks/${id}`)).json;
      return task.status;
    }, { timeout: 60_000 })
    .not.toBe('running');
  expect(task!.status, `${method} ${url}: ${JSON.stringify(task!.error)}`).toBe('succeeded');
  return task!;
}
